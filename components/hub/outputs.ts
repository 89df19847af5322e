/**
 * The contract between the hub stack and the spokes: what hub/index.ts exports and what a spoke reads through
 * its StackReference. Add a field here, export it from the hub, and read it with `readHubOutputs`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { HubZoneKey, PrivateDnsZoneKey } from "./dns-zones";

export { PRIVATE_DNS_ZONE_KEYS, type PrivateDnsZoneKey } from "./dns-zones";

/** What the hub stack exports (the shared zones by key; the AKS API-server zones by environment). */
export interface HubExports {
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
    /** Shared private DNS zone ids by key (registry, vault, blob, dfs, file, internal). */
    privateDnsZoneIds: Record<HubZoneKey, string>;
    /** Shared private DNS zone names by the same keys (record sets and links address zones by name). */
    privateDnsZoneNames: Record<HubZoneKey, string>;
    /** Each environment's AKS API-server zone id (`<env>.privatelink.<region>.azmk8s.io`), by environment. */
    aksPrivateDnsZoneIds: Record<string, string>;
    aksPrivateDnsZoneNames: Record<string, string>;
    /** IP group id per spoke stack name (e.g. "dev-uaenorth"), holding that spoke's address space. */
    ipGroupIds: Record<string, string>;
}

/** What a spoke reads: the hub's exports with `aks` in the zone maps being the spoke's own environment's zone. */
export type HubOutputs = Omit<HubExports, "privateDnsZoneIds" | "privateDnsZoneNames"> & {
    privateDnsZoneIds: Record<PrivateDnsZoneKey, string>;
    privateDnsZoneNames: Record<PrivateDnsZoneKey, string>;
};

export const HUB_OUTPUT_KEYS: (keyof HubExports)[] = [
    "location",
    "resourceGroupName",
    "workspaceId",
    "vnetId",
    "vnetName",
    "firewallPrivateIp",
    "firewallPublicIp",
    "privateDnsZoneIds",
    "privateDnsZoneNames",
    "aksPrivateDnsZoneIds",
    "aksPrivateDnsZoneNames",
    "ipGroupIds",
];

export type HubExportValues = { [K in keyof HubExports]: pulumi.Output<HubExports[K]> };

export type HubOutputValues = { [K in keyof HubOutputs]: pulumi.Output<HubOutputs[K]> };

/**
 * Typed view of the hub stack's outputs for the spoke of `environment`; a missing output (or no AKS zone for the
 * environment: the hub's aiplatform:spokes lacks this spoke) fails the spoke's deployment with its name.
 */
export function readHubOutputs(ref: pulumi.StackReference, environment: string): HubOutputValues {
    const out = {} as Record<string, pulumi.Output<unknown>>;
    for (const key of HUB_OUTPUT_KEYS) out[key] = ref.requireOutput(key);
    const own = (field: "aksPrivateDnsZoneIds" | "aksPrivateDnsZoneNames", shared: "privateDnsZoneIds" | "privateDnsZoneNames") =>
        pulumi.all([out[shared], out[field]]).apply(([z, aks]) => {
            const mine = (aks as Record<string, string>)[environment];
            if (!mine) throw new Error(`the hub exports no AKS private DNS zone for environment '${environment}': add this spoke to the hub's aiplatform:spokes and deploy the hub`);
            return { ...(z as Record<string, string>), aks: mine };
        });
    out.privateDnsZoneIds = own("aksPrivateDnsZoneIds", "privateDnsZoneIds");
    out.privateDnsZoneNames = own("aksPrivateDnsZoneNames", "privateDnsZoneNames");
    return out as HubOutputValues;
}
