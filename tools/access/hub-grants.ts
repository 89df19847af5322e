/**
 * Each hub's role assignments and definitions, remembered when the plan reports that hub (planned before its spokes)
 * so a spoke's reports see what its own hub (`hubStack`) grants its pipeline (components/hub/spoke-access.ts); with a
 * hub per region, another region's hub grants it nothing.
 */
import type { ExportResource, StackExport } from "../plan/export";
import type { PlannedStack } from "../plan/run";

const ACCESS_TYPES = new Set(["azure-native:authorization:RoleAssignment", "azure-native:authorization:RoleDefinition"]);
const hubs = new Map<string, ExportResource[]>();

/** Role assignments/definitions of the hub export (for tests and reporters alike). */
export function accessResourcesOf(exported: StackExport): ExportResource[] {
    return exported.deployment.resources.filter((r) => ACCESS_TYPES.has(r.type));
}

/** Remembers the hub's grants when `planned` is the hub; returns the grants a spoke report should add. */
export function sharedGrants(planned: PlannedStack, exported: StackExport): ExportResource[] {
    if (planned.stack.kind === "hub") {
        hubs.set(planned.qualifiedName, accessResourcesOf(exported));
        return [];
    }
    return hubs.get(String(planned.config["aiplatform:hubStack"])) ?? [];
}
