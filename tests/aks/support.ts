/**
 * Shared lookups for the AKS suites: each stack's validated config and its planned cluster resources.
 */
import type { ExportResource } from "../../tools/plan/export";
import { nameOf, one, ofType, resources } from "../support/plan";
import { cfgOf } from "../support/config";

export { cfgOf, nameOf };

export const CLUSTER = "azure-native:containerservice:ManagedCluster";
export const AGENT_POOL = "azure-native:containerservice:AgentPool";
export const ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";

export function clusterOf(stack: string): ExportResource {
    return one(stack, CLUSTER, "spoke-aks-cluster");
}

export function poolsOf(stack: string): Record<string, ExportResource> {
    return Object.fromEntries(ofType(stack, AGENT_POOL).map((r) => [String(r.inputs.agentPoolName), r]));
}

export function byUrn(stack: string, urn: string): ExportResource {
    const r = resources(stack).find((x) => x.urn === urn);
    if (!r) throw new Error(`${stack}: no resource ${urn}`);
    return r;
}

/** Id of the planned subnet with this address prefix (standalone Subnet or inline in a VirtualNetwork). */
export function subnetIdByPrefix(stack: string, prefix: string): string {
    const standalone = ofType(stack, "azure-native:network:Subnet").filter((s) => s.inputs.addressPrefix === prefix);
    if (standalone.length === 1) return String(standalone[0].id);
    for (const vnet of ofType(stack, "azure-native:network:VirtualNetwork")) {
        const inline = ((vnet.outputs.subnets as any[]) ?? []).find((s) => s.addressPrefix === prefix);
        if (inline?.id) return String(inline.id);
    }
    throw new Error(`${stack}: no planned subnet with prefix ${prefix}`);
}
