/**
 * The hub's role assignments and definitions, remembered when the plan reports the hub (always planned first) so
 * the spokes' reports see what the hub grants their pipelines (components/hub/spoke-access.ts).
 */
import type { ExportResource, StackExport } from "../plan/export";
import type { PlannedStack } from "../plan/run";

const ACCESS_TYPES = new Set(["azure-native:authorization:RoleAssignment", "azure-native:authorization:RoleDefinition"]);
let hub: ExportResource[] = [];

/** Role assignments/definitions of the hub export (for tests and reporters alike). */
export function accessResourcesOf(exported: StackExport): ExportResource[] {
    return exported.deployment.resources.filter((r) => ACCESS_TYPES.has(r.type));
}

/** Remembers the hub's grants when `planned` is the hub; returns the grants a spoke report should add. */
export function sharedGrants(planned: PlannedStack, exported: StackExport): ExportResource[] {
    if (planned.stack.kind === "hub") {
        hub = accessResourcesOf(exported);
        return [];
    }
    return hub;
}
