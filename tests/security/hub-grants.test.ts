/** Several regions: each spoke's permissions and access reports see its own hub's grants, whatever order hubs are planned in. */
import type { StackFile } from "../../config/stack-files";
import { sharedGrants } from "../../tools/access/hub-grants";
import type { StackExport } from "../../tools/plan/export";
import type { PlannedStack } from "../../tools/plan/run";

const stackFile = (stack: string, kind: StackFile["kind"]): StackFile => ({ stack, kind, projectDir: ".", project: kind === "hub" ? "aiplatform-hub" : "aiplatform", file: `Pulumi.${stack}.yaml` });
const planned = (sf: StackFile, config: Record<string, unknown> = {}) => ({ stack: sf, config }) as unknown as PlannedStack;
const grantIn = (hub: string): StackExport =>
    ({
        version: 3,
        deployment: {
            resources: [
                { urn: `urn:pulumi:${hub}::aiplatform-hub::pulumi:pulumi:Stack::x`, custom: false, type: "pulumi:pulumi:Stack", inputs: {}, outputs: {} },
                { urn: `urn:pulumi:${hub}::aiplatform-hub::azure-native:authorization:RoleAssignment::grant`, custom: true, type: "azure-native:authorization:RoleAssignment", inputs: { scope: `/rg-${hub}` }, outputs: {} },
            ],
        },
    }) as unknown as StackExport;

test("a spoke gets the grants of the hub its hubStack names, not of the last hub planned", () => {
    for (const hub of ["hub-swedencentral", "hub-uaenorth", "hub-westeurope"]) expect(sharedGrants(planned(stackFile(hub, "hub")), grantIn(hub))).toEqual([]);
    const spoke = (stack: string, hub: string) => sharedGrants(planned(stackFile(stack, "spoke"), { "aiplatform:hubStack": `organization/aiplatform-hub/${hub}` }), grantIn("ignored"));
    expect(spoke("prd-uaenorth", "hub-uaenorth").map((r) => r.inputs.scope)).toEqual(["/rg-hub-uaenorth"]);
    expect(spoke("prd-swedencentral", "hub-swedencentral").map((r) => r.inputs.scope)).toEqual(["/rg-hub-swedencentral"]);
    expect(spoke("dev-elsewhere", "hub-elsewhere")).toEqual([]);
});
