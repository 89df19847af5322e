/**
 * The one way the platform reaches a PaaS resource privately: a private endpoint in the spoke's privateEndpoints
 * subnet plus a DNS zone group that registers its A record in the hub's privatelink zone for that sub-resource.
 * Registry, secrets and storage components call this; none of them hand-writes private-link plumbing.
 */
import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import type { Namer } from "../core/naming";

/** Private-link sub-resources (group ids) the platform uses, with the privatelink zone each one resolves in. */
export const PRIVATE_LINK_GROUPS = {
    registry: "privatelink.azurecr.io",
    vault: "privatelink.vaultcore.azure.net",
    blob: "privatelink.blob.core.windows.net",
    dfs: "privatelink.dfs.core.windows.net",
    file: "privatelink.file.core.windows.net",
} as const;
export type PrivateLinkGroup = keyof typeof PRIVATE_LINK_GROUPS;

export interface PrivateEndpointArgs {
    /** The stack's namer; the endpoint is named `pe-<prefix>-<env>-<region>-<role>`. */
    names: Namer;
    /** Distinguishes endpoints of one stack, e.g. "acr", "kv", "st-blob". */
    role: string;
    /** Resource group of the endpoint (the spoke's group). */
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** The spoke's privateEndpoints subnet. */
    subnetId: pulumi.Input<string>;
    /** ARM id of the resource reached privately (registry, vault, storage account). */
    targetId: pulumi.Input<string>;
    /** Private-link sub-resource of the target; also picks the DNS zone the caller must pass. */
    groupId: PrivateLinkGroup;
    /** Id of the hub's privatelink zone for `groupId` (SpokeNetwork.privateDnsZoneIds[groupId]). */
    privateDnsZoneId: pulumi.Input<string>;
    /** Resources the endpoint must wait for (e.g. every registry replica: each adds a data endpoint to link). */
    after?: pulumi.Resource[];
}

export interface PrivateEndpointResult {
    endpoint: network.PrivateEndpoint;
    zoneGroup: network.PrivateDnsZoneGroup;
}

/** Declares `${name}-pe` and `${name}-dns` under `parent`. */
export function privateEndpoint(name: string, args: PrivateEndpointArgs, parent: pulumi.Resource): PrivateEndpointResult {
    const endpointName = args.names.of("privateEndpoint", args.role);
    const endpoint = new network.PrivateEndpoint(
        `${name}-pe`,
        {
            privateEndpointName: endpointName,
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            subnet: { id: args.subnetId },
            // A readable NIC name instead of Azure's "<pe>.nic.<guid>".
            customNetworkInterfaceName: `${endpointName}-nic`,
            privateLinkServiceConnections: [
                {
                    name: `${endpointName}-${args.groupId}`,
                    privateLinkServiceId: args.targetId,
                    groupIds: [args.groupId],
                },
            ],
        },
        { parent, dependsOn: args.after },
    );
    const zoneGroup = new network.PrivateDnsZoneGroup(
        `${name}-dns`,
        {
            privateDnsZoneGroupName: "default",
            privateEndpointName: endpoint.name,
            resourceGroupName: args.resourceGroupName,
            privateDnsZoneConfigs: [{ name: PRIVATE_LINK_GROUPS[args.groupId].replace(/\./g, "-"), privateDnsZoneId: args.privateDnsZoneId }],
        },
        { parent },
    );
    return { endpoint, zoneGroup };
}
