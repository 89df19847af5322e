/**
 * The shared Cloudflare zone: one WAF owner per zone and one domain per zone, checked across the real stack files
 * and with single mutations of them.
 */
import { edgeZoneProblems } from "../../config/edge-zones";
import { rawSpoke as raw, spokeProblems as problemsOf } from "../support/config";


describe("edge zone ownership", () => {
    it("the real stack files: every spoke shares one zone and exactly one (prd) owns its WAF", () => {
        const edges = ["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"].map((s) => raw(s).edge);
        expect(new Set(edges.map((e) => e.zoneId)).size).toBe(1);
        expect(edges.filter((e) => e.waf === true)).toHaveLength(1);
        expect(raw("prd-uaenorth").edge.waf).toBe(true);
        for (const s of ["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"]) expect(problemsOf(s, () => undefined)).toEqual([]);
    });

    it("a second WAF owner of the same zone is refused, naming the first", () => {
        const msgs = problemsOf("dev-uaenorth", (r) => (r.edge.waf = true));
        expect(msgs).toEqual([expect.stringMatching(/^Pulumi\.dev-uaenorth\.yaml: aiplatform:edge\.waf = true: zone 3f2a9c1e5b7d4a6c8e0f1a2b3c4d5e6f already has its WAF\/rate-limit rulesets owned by Pulumi\.prd-uaenorth\.yaml/)]);
    });

    it("another zone may have its own WAF owner", () => {
        expect(problemsOf("dev-uaenorth", (r) => Object.assign(r.edge, { waf: true, zoneId: "0".repeat(32), domain: "ai-dev.contoso.com" }))).toEqual([]);
    });

    it("the same zone under another domain is refused", () => {
        const msgs = problemsOf("stg-uaenorth", (r) => (r.edge.domain = "ai.fabrikam.com"));
        expect(msgs).toEqual([expect.stringContaining("aiplatform:edge.domain = \"ai.fabrikam.com\": zone 3f2a9c1e5b7d4a6c8e0f1a2b3c4d5e6f is \"ai.contoso.com\" in Pulumi.dev-uaenorth.yaml")]);
    });

    it("a stack with the edge switched off claims nothing", () => {
        expect(edgeZoneProblems({ file: "a", edge: undefined }, [{ file: "b", edge: { zoneId: "z", domain: "d", waf: true } }])).toEqual([]);
    });
});
