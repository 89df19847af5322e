/** Issue 22 §3: one pipeline (automation) principal per stack; reuse across stack files is a config error. */
import { automationPrincipalProblems } from "../../config/automation-principal";
import { rawSpoke, spokeProblems } from "../support/config";

describe("rbac.automation is one principal per stack", () => {
    it("the committed stack files name three different principals", () => {
        const ids = ["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"].map((s) => rawSpoke(s).rbac.automation);
        expect(ids.every((id) => typeof id === "string")).toBe(true);
        expect(new Set(ids).size).toBe(3);
    });

    it("prd reusing stg's principal is rejected with file, key, value and the other file", () => {
        const stg = rawSpoke("stg-uaenorth").rbac.automation as string;
        expect(spokeProblems("prd-uaenorth", (r) => (r.rbac.automation = stg))).toEqual([
            `Pulumi.prd-uaenorth.yaml: aiplatform:rbac.automation = "${stg}": is also the automation principal of Pulumi.stg-uaenorth.yaml: one pipeline identity per stack (its own object id, from state-backend/bootstrap.ts), so no environment's pipeline can act on another's`,
        ]);
    });

    it("compares object ids case-insensitively and ignores stacks without one", () => {
        const id = "9c8d7e6f-5a4b-4c3d-9e2f-1a0b9c8d7e03";
        expect(automationPrincipalProblems({ file: "a", automation: id }, [{ file: "b", automation: id.toUpperCase() }, { file: "c" }]).map((p) => p.path)).toEqual([["rbac", "automation"]]);
        expect(automationPrincipalProblems({ file: "a" }, [{ file: "b", automation: id }])).toEqual([]);
    });
});
