/**
 * Cloudflare zones: prd's zone is prd's alone, one owner (settings, WAF) and one domain per zone — checked across
 * the real stack files and with single mutations of them.
 */
import { edgeZoneProblems } from "../../config/edge-zones";
import { rawSpoke as raw, spokeProblems as problemsOf } from "../support/config";


describe("edge zone ownership", () => {
    it("the real stack files: prd has a zone of its own with one owner (its WAF too); dev owns the non-prd zone stg shares", () => {
        const edges = Object.fromEntries(["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"].map((s) => [s, raw(s).edge]));
        expect(edges["prd-uaenorth"].zoneId).not.toBe(edges["dev-uaenorth"].zoneId);
        expect(edges["prd-uaenorth"].zoneId).not.toBe(edges["stg-uaenorth"].zoneId);
        expect(edges["prd-uaenorth"]).toMatchObject({ zoneOwner: true, waf: true });
        expect(edges["dev-uaenorth"].zoneOwner).toBe(true);
        expect(edges["stg-uaenorth"].zoneOwner ?? false).toBe(false);
        for (const s of ["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"]) expect(problemsOf(s, () => undefined)).toEqual([]);
    });

    it("dev in prd's zone is refused, naming prd's stack file (issue 22 §8)", () => {
        const prd = raw("prd-uaenorth").edge;
        const msgs = problemsOf("dev-uaenorth", (r) => Object.assign(r.edge, { zoneId: prd.zoneId, domain: prd.domain, zoneOwner: false }));
        expect(msgs).toEqual([expect.stringMatching(/^Pulumi\.dev-uaenorth\.yaml: aiplatform:edge\.zoneId = "3f2a9c1e5b7d4a6c8e0f1a2b3c4d5e6f": zone 3f2a9c1e5b7d4a6c8e0f1a2b3c4d5e6f is also Pulumi\.prd-swedencentral\.yaml, Pulumi\.prd-uaenorth\.yaml's: prd needs a Cloudflare zone of its own/)]);
    });

    it("a second owner of the same zone is refused, naming the first", () => {
        expect(problemsOf("stg-uaenorth", (r) => (r.edge.zoneOwner = true))).toEqual([expect.stringMatching(/aiplatform:edge\.zoneOwner = true: zone 7c1e4b9a2d6f4e8a9b0c1d2e3f4a5b6c is already owned by Pulumi\.dev-uaenorth\.yaml/)]);
    });

    it("the WAF belongs to the zone's owner", () => {
        expect(problemsOf("stg-uaenorth", (r) => (r.edge.waf = true))).toEqual([expect.stringMatching(/aiplatform:edge\.waf = true: .*only the zone's owner/)]);
    });

    it("another zone may have its own owner", () => {
        expect(problemsOf("stg-uaenorth", (r) => Object.assign(r.edge, { zoneOwner: true, waf: true, zoneId: "0".repeat(32), domain: "ai-stg.contoso.com" }))).toEqual([]);
    });

    it("the same zone under another domain is refused", () => {
        const msgs = problemsOf("stg-uaenorth", (r) => (r.edge.domain = "ai.fabrikam.com"));
        expect(msgs).toEqual([expect.stringContaining('aiplatform:edge.domain = "ai.fabrikam.com": zone 7c1e4b9a2d6f4e8a9b0c1d2e3f4a5b6c is "ai-nonprod.contoso.com" in Pulumi.dev-uaenorth.yaml')]);
    });

    it("a stack with the edge switched off claims nothing", () => {
        expect(edgeZoneProblems({ file: "a", edge: undefined }, [{ file: "b", edge: { zoneId: "z", domain: "d", waf: true } }])).toEqual([]);
    });
});
