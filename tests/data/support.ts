/**
 * Lookups for the data-layer suites (registry, vault, lake, identities, RBAC, budget, protection): validated config
 * per stack and the planned resources they are judged on.
 */
import { BUILT_IN_ROLES, type BuiltInRole } from "../../components/rbac/roles";
import type { ExportResource } from "../../tools/plan/export";
import { nameOf, ofType, one, resources } from "../support/plan";
import { cfgOf } from "../support/config";

export { cfgOf, nameOf };

export { SPOKES } from "../support/plan";

export const T = {
    registry: "azure-native:containerregistry:Registry",
    replication: "azure-native:containerregistry:Replication",
    vault: "azure-native:keyvault:Vault",
    secret: "azure-native:keyvault:Secret",
    account: "azure-native:storage:StorageAccount",
    blobService: "azure-native:storage:BlobServiceProperties",
    container: "azure-native:storage:BlobContainer",
    endpoint: "azure-native:network:PrivateEndpoint",
    zoneGroup: "azure-native:network:PrivateDnsZoneGroup",
    diag: "azure-native:monitor:DiagnosticSetting",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    fic: "azure-native:managedidentity:FederatedIdentityCredential",
    assignment: "azure-native:authorization:RoleAssignment",
    roleDefinition: "azure-native:authorization:RoleDefinition",
    lock: "azure-native:authorization:ManagementLockByScope",
    budget: "azure-native:consumption:Budget",
    cluster: "azure-native:containerservice:ManagedCluster",
    group: "azure-native:resources:ResourceGroup",
    password: "random:index/randomPassword:RandomPassword",
} as const;


/** The resource with this ARM id. */
export function byId(stack: string, id: unknown): ExportResource {
    const r = resources(stack).find((x) => x.id === id);
    if (!r) throw new Error(`${stack}: no planned resource has id ${String(id)}`);
    return r;
}

/** Parent component URN's last segment, e.g. "spoke" under aiplatform:registry:Registry. */
export function parentType(r: ExportResource): string | undefined {
    return r.parent?.split("::")[2]?.split("$").pop();
}

export function roleGuid(r: ExportResource): string {
    return String(r.inputs.roleDefinitionId).split("/").pop()!;
}

export function roleKeyOf(guid: string): BuiltInRole | "custom" {
    const hit = (Object.keys(BUILT_IN_ROLES) as BuiltInRole[]).find((k) => BUILT_IN_ROLES[k].id === guid);
    return hit ?? "custom";
}

export function assignmentsAt(stack: string, scope: unknown): ExportResource[] {
    return ofType(stack, T.assignment).filter((a) => a.inputs.scope === scope);
}

export function isSecret(v: unknown): boolean {
    return typeof v === "object" && v !== null && (v as any)["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270";
}

/** The private endpoint whose connection targets `targetId`, with its DNS zone group. */
export function endpointsFor(stack: string, targetId: unknown): { endpoint: ExportResource; zoneGroup: ExportResource; groupIds: string[] }[] {
    return ofType(stack, T.endpoint)
        .filter((e) => ((e.inputs.privateLinkServiceConnections as any[]) ?? []).some((c) => c.privateLinkServiceId === targetId))
        .map((endpoint) => {
            const zoneGroups = ofType(stack, T.zoneGroup).filter((z) => z.inputs.privateEndpointName === endpoint.inputs.privateEndpointName);
            if (zoneGroups.length !== 1) throw new Error(`${stack}: endpoint ${nameOf(endpoint)} has ${zoneGroups.length} DNS zone groups`);
            return { endpoint, zoneGroup: zoneGroups[0], groupIds: ((endpoint.inputs.privateLinkServiceConnections as any[])[0].groupIds as string[]) };
        });
}

/** The hub's privatelink zone ids as the spoke planned them (the hub stack's outputs). */
export function hubZoneIds(): Record<string, string> {
    const hub = resources("hub-uaenorth").find((r) => r.type === "pulumi:pulumi:Stack")!;
    return hub.outputs.privateDnsZoneIds as Record<string, string>;
}

export function clusterOf(stack: string): ExportResource {
    return one(stack, T.cluster);
}

export { ofType, one, resources };
