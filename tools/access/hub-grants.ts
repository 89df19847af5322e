/**
 * The hubs' role assignments and definitions, remembered when the plan reports each hub (hubs are planned first) so
 * a spoke's reports see what its own hub grants its pipeline (components/hub/spoke-access.ts). One entry per hub:
 * with several regions, a spoke must be judged against its region's hub, not the last hub planned.
 */
import { stackRefParts } from "../../config/stack-files";
import type { ExportResource, StackExport } from "../plan/export";
import type { PlannedStack } from "../plan/run";

const ACCESS_TYPES = new Set(["azure-native:authorization:RoleAssignment", "azure-native:authorization:RoleDefinition"]);
/** Hub stack name → its access resources (a few dozen per hub: what later spokes read, nothing else is kept). */
const hubs = new Map<string, ExportResource[]>();

/** Role assignments/definitions of the hub export (for tests and reporters alike). */
export function accessResourcesOf(exported: StackExport): ExportResource[] {
    return exported.deployment.resources.filter((r) => ACCESS_TYPES.has(r.type));
}

/** Remembers the hub's grants when `planned` is a hub; returns the grants of the spoke's own hub (`hubStack`). */
export function sharedGrants(planned: PlannedStack, exported: StackExport): ExportResource[] {
    if (planned.stack.kind === "hub") {
        hubs.set(planned.stack.stack, accessResourcesOf(exported));
        return [];
    }
    const hub = stackRefParts(planned.config["aiplatform:hubStack"])?.stack;
    return (hub && hubs.get(hub)) || [];
}
