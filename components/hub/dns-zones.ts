/**
 * The private DNS zones the hub owns, by the key consumers use (`privateDnsZoneIds.vault`, ...).
 * privatelink zones follow Microsoft Learn "Azure Private Endpoint private DNS zone values";
 * `aks` is the bring-your-own zone of private AKS API servers; `internal` holds the internal ingress hostnames
 * (records are created by the edge component, one per environment host).
 */
import { PRIVATE_LINK_GROUPS, type PrivateLinkGroup } from "../network/private-endpoint";

export const PRIVATE_DNS_ZONE_KEYS = ["registry", "vault", "blob", "dfs", "file", "aks", "internal"] as const;
export type PrivateDnsZoneKey = (typeof PRIVATE_DNS_ZONE_KEYS)[number];

/** Zone name per key for a hub in `location` whose internal ingress zone is `internalZone`. */
export function privateDnsZoneNames(location: string, internalZone: string): Record<PrivateDnsZoneKey, string> {
    const privatelink = Object.fromEntries(Object.entries(PRIVATE_LINK_GROUPS)) as Record<PrivateLinkGroup, string>;
    return { ...privatelink, aks: `privatelink.${location}.azmk8s.io`, internal: internalZone };
}

/** privatelink zones answer NXDOMAIN for names they don't hold; resolving those publicly keeps other tenants' endpoints reachable. */
export function isPrivateLinkZone(key: PrivateDnsZoneKey): boolean {
    return key !== "internal";
}
