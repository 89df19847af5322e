/**
 * The contract between the hub stack and the spokes: what hub/index.ts exports and what a spoke reads through
 * its StackReference. Add a field here, export it from the hub, and read it with `readHubOutputs`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PrivateDnsZoneKey } from "./dns-zones";

export { PRIVATE_DNS_ZONE_KEYS, type PrivateDnsZoneKey } from "./dns-zones";

export interface HubOutputs {
    location: string;
    resourceGroupName: string;
    /** Hub Log Analytics workspace (firewall logs). */
    workspaceId: string;
    /** Hub VNet: spokes peer with it (both directions declared by the spoke) and link it nowhere else. */
    vnetId: string;
    vnetName: string;
    /** Azure Firewall private IP: next hop of the spokes' 0.0.0.0/0 route and their VNet DNS server (DNS proxy). */
    firewallPrivateIp: string;
    /** The firewall's egress public IP (for third-party allow-lists). */
    firewallPublicIp: string;
    /** Private DNS zone ids by key (registry, vault, blob, dfs, file, aks, internal). */
    privateDnsZoneIds: Record<PrivateDnsZoneKey, string>;
    /** Private DNS zone names by the same keys (record sets and links address zones by name). */
    privateDnsZoneNames: Record<PrivateDnsZoneKey, string>;
    /** IP group id per spoke stack name (e.g. "dev-uaenorth"), holding that spoke's address space. */
    ipGroupIds: Record<string, string>;
}

export const HUB_OUTPUT_KEYS: (keyof HubOutputs)[] = [
    "location",
    "resourceGroupName",
    "workspaceId",
    "vnetId",
    "vnetName",
    "firewallPrivateIp",
    "firewallPublicIp",
    "privateDnsZoneIds",
    "privateDnsZoneNames",
    "ipGroupIds",
];

export type HubOutputValues = { [K in keyof HubOutputs]: pulumi.Output<HubOutputs[K]> };

/** Typed view of the hub stack's outputs; a missing output fails the spoke's deployment with its name. */
export function readHubOutputs(ref: pulumi.StackReference): HubOutputValues {
    const out = {} as Record<string, pulumi.Output<unknown>>;
    for (const key of HUB_OUTPUT_KEYS) out[key] = ref.requireOutput(key);
    return out as HubOutputValues;
}
