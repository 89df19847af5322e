/**
 * The private DNS zones the hub owns, by the key consumers use (`privateDnsZoneIds.vault`, ...).
 * privatelink zones follow Microsoft Learn "Azure Private Endpoint private DNS zone values";
 * `aks` is the bring-your-own zone of private AKS API servers, one per environment (`<env>.privatelink.<region>.
 * azmk8s.io`, so an environment's AKS identity can write only its own API-server records: issue 22 §10); `internal`
 * holds the internal ingress hostnames (records are created by the edge component, one per environment host).
 */
import { PRIVATE_LINK_GROUPS, type PrivateLinkGroup } from "../network/private-endpoint";

export const PRIVATE_DNS_ZONE_KEYS = ["registry", "vault", "blob", "dfs", "file", "aks", "internal"] as const;
export type PrivateDnsZoneKey = (typeof PRIVATE_DNS_ZONE_KEYS)[number];

/** The zones the hub holds once (every key but the per-environment `aks`). */
export type HubZoneKey = Exclude<PrivateDnsZoneKey, "aks">;
export const HUB_ZONE_KEYS = PRIVATE_DNS_ZONE_KEYS.filter((k): k is HubZoneKey => k !== "aks");

/** Zone name per shared key for a hub in `location` whose internal ingress zone is `internalZone`. */
export function privateDnsZoneNames(location: string, internalZone: string): Record<HubZoneKey, string> {
    const privatelink = Object.fromEntries(Object.entries(PRIVATE_LINK_GROUPS)) as Record<PrivateLinkGroup, string>;
    return { ...privatelink, internal: internalZone };
}

/** The environment's own API-server zone: the `<subzone>.privatelink.<region>.azmk8s.io` form AKS accepts (Learn aks/private-clusters.md). */
export function aksZoneName(location: string, environment: string): string {
    return `${environment}.privatelink.${location}.azmk8s.io`;
}

/** privatelink zones answer NXDOMAIN for names they don't hold; resolving those publicly keeps other tenants' endpoints reachable. */
export function isPrivateLinkZone(key: PrivateDnsZoneKey): boolean {
    return key !== "internal";
}
