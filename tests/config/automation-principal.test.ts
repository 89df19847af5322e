/** Issue 22 §3: one pipeline (automation) principal per stack; reuse across stack files is a config error. */
import { automationPrincipalProblems } from "../../config/automation-principal";
import { hubProblems, rawHub, rawSpoke, spokeProblems } from "../support/config";

describe("rbac.automation is one principal per stack", () => {
    it("the committed stack files name three different principals", () => {
        const ids = ["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"].map((s) => rawSpoke(s).rbac.automation);
        expect(ids.every((id) => typeof id === "string")).toBe(true);
        expect(new Set(ids).size).toBe(3);
    });

    it("prd reusing stg's principal is rejected with file, key, value and the other file", () => {
        const stg = rawSpoke("stg-uaenorth").rbac.automation as string;
        expect(spokeProblems("prd-uaenorth", (r) => (r.rbac.automation = stg))).toContain(
            `Pulumi.prd-uaenorth.yaml: aiplatform:rbac.automation = "${stg}": is also the automation principal of Pulumi.stg-uaenorth.yaml: one pipeline identity per stack (its own object id, from state-backend/bootstrap.ts), so no environment's pipeline can act on another's`,
        );
    });

    it("compares object ids case-insensitively and ignores stacks without one", () => {
        const id = "9c8d7e6f-5a4b-4c3d-9e2f-1a0b9c8d7e03";
        expect(automationPrincipalProblems({ file: "a", automation: id }, [{ file: "b", automation: id.toUpperCase() }, { file: "c" }]).map((p) => p.path)).toEqual([["rbac", "automation"]]);
        expect(automationPrincipalProblems({ file: "a" }, [{ file: "b", automation: id }])).toEqual([]);
    });
});

describe("the hub's deployer and the spoke pipelines it grants (issue 22)", () => {
    const HUB = "hub/Pulumi.hub-uaenorth.yaml";

    it("the hub file names its own deploying principal, used by no spoke", () => {
        const hub = rawHub().rbac.automation;
        expect(typeof hub).toBe("string");
        expect(["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"].map((s) => rawSpoke(s).rbac.automation)).not.toContain(hub);
        expect(hubProblems((r) => (r.rbac.automation = "not-a-guid"))).toEqual([expect.stringMatching(/^hub\/Pulumi\.hub-uaenorth\.yaml: aiplatform:rbac\.automation = "not-a-guid": /)]);
    });

    it("a hub deploying with a spoke's principal is rejected naming that spoke's file", () => {
        const prd = rawSpoke("prd-uaenorth").rbac.automation as string;
        expect(hubProblems((r) => (r.rbac.automation = prd))).toEqual([
            `${HUB}: aiplatform:rbac.automation = "${prd}": is also the automation principal of Pulumi.prd-uaenorth.yaml: one pipeline identity per stack (its own object id, from state-backend/bootstrap.ts), so no environment's pipeline can act on another's`,
        ]);
    });

    it("a spoke whose rbac.automation is not the hub's spokePipelines entry fails, naming both files and keys", () => {
        const other = "0f1e2d3c-4b5a-4968-8776-655443322110";
        expect(spokeProblems("stg-uaenorth", (r) => (r.rbac.automation = other))).toEqual([
            `Pulumi.stg-uaenorth.yaml: aiplatform:rbac.automation = "${other}": must equal ${HUB} aiplatform:spokePipelines.stg-uaenorth (${rawHub().spokePipelines["stg-uaenorth"]}): the hub grants this spoke's hub-side objects to that principal, so both name the same pipeline identity`,
        ]);
        expect(spokeProblems("dev-uaenorth", (r) => delete r.rbac.automation)).toEqual([
            `Pulumi.dev-uaenorth.yaml: aiplatform:rbac.automation = (not set): must equal ${HUB} aiplatform:spokePipelines.dev-uaenorth (${rawHub().spokePipelines["dev-uaenorth"]}): the hub grants this spoke's hub-side objects to that principal, so both name the same pipeline identity`,
        ]);
    });
});
