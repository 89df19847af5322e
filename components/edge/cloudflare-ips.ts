/**
 * Cloudflare's published edge ranges, typed: the ONE source for every "only from Cloudflare" rule of the platform.
 *
 * Consumers (keep this list current when you add one):
 * - the public-ingress NSG rule "443 from Cloudflare only" and the ingress subnet's Cloudflare routes
 *   (components/network/nsg-rules.ts, components/network/index.ts);
 * - nginx-public's `loadBalancerSourceRanges` and `set-real-ip-from`, generated into the GitOps tree by
 *   tools/gitops/generate.ts and checked per rendered overlay by tests/edge/gitops-tls.test.ts;
 * - the freshness test (tests/edge/cloudflare-ips.test.ts), which fails after CLOUDFLARE_IPS_MAX_AGE_DAYS.
 *
 * The data itself is vendored in config/upstream/cloudflare-ips.ts (source URL + retrieval date). Refresh it with
 * `npx tsx tools/edge/refresh-cloudflare-ips.ts [--write]` (README, section Edge). The
 * origin is reached over IPv4 only (the public ingress IP is IPv4 and the DNS records are A records), so the NSG
 * needs the IPv4 list; IPv6 is kept for completeness and for the day an AAAA origin is added.
 */
import * as ipaddr from "ipaddr.js";
import { CLOUDFLARE_IPS } from "../../config/upstream/cloudflare-ips";

/** How old (days since `retrieved`) the vendored list may get before the freshness test fails. */
export const CLOUDFLARE_IPS_MAX_AGE_DAYS = 90;

/** Where the list comes from and when it was last compared with the published one. */
export const CLOUDFLARE_IPS_SOURCE = {
    source: CLOUDFLARE_IPS.source,
    endpoints: ["https://www.cloudflare.com/ips-v4", "https://www.cloudflare.com/ips-v6", "https://api.cloudflare.com/client/v4/ips"],
    retrieved: CLOUDFLARE_IPS.retrieved,
} as const;

/** Cloudflare's IPv4 edge ranges (CIDR), as published. A fresh array each call: callers may not mutate the source. */
export function cloudflareIpv4Ranges(): string[] {
    return [...CLOUDFLARE_IPS.ipv4];
}

/** Cloudflare's IPv6 edge ranges (CIDR), as published. */
export function cloudflareIpv6Ranges(): string[] {
    return [...CLOUDFLARE_IPS.ipv6];
}

/** Whole days between the list's retrieval date and `now`. */
export function cloudflareRangesAgeDays(now: Date): number {
    const retrieved = Date.parse(`${CLOUDFLARE_IPS.retrieved}T00:00:00Z`);
    if (Number.isNaN(retrieved)) throw new Error(`config/upstream/cloudflare-ips.ts: retrieved '${CLOUDFLARE_IPS.retrieved}' is not a date YYYY-MM-DD`);
    return Math.floor((now.getTime() - retrieved) / 86_400_000);
}

/** Problems with a range list: entries that are not canonical CIDRs of the expected family, duplicates, overlaps. */
export function rangeProblems(ranges: readonly string[], family: "ipv4" | "ipv6"): string[] {
    const problems: string[] = [];
    const parsed: [ipaddr.IPv4 | ipaddr.IPv6, number, string][] = [];
    for (const r of ranges) {
        let cidr: [ipaddr.IPv4 | ipaddr.IPv6, number];
        try {
            cidr = ipaddr.parseCIDR(r);
        } catch {
            problems.push(`${r}: not a CIDR`);
            continue;
        }
        if (cidr[0].kind() !== family) {
            problems.push(`${r}: not ${family}`);
            continue;
        }
        const network = family === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(r) : ipaddr.IPv6.networkAddressFromCIDR(r);
        if (network.toString() !== cidr[0].toString()) problems.push(`${r}: host bits set (network is ${network.toString()}/${cidr[1]})`);
        parsed.push([cidr[0], cidr[1], r]);
    }
    for (let i = 0; i < parsed.length; i++) {
        for (let j = i + 1; j < parsed.length; j++) {
            const [a, aLen, aText] = parsed[i];
            const [b, bLen, bText] = parsed[j];
            if (aText === bText) problems.push(`${aText}: listed twice`);
            else if ((a as ipaddr.IPv4).match(b as ipaddr.IPv4, aLen) || (b as ipaddr.IPv4).match(a as ipaddr.IPv4, bLen)) {
                problems.push(`${aText} and ${bText} overlap`);
            }
        }
    }
    return problems;
}

/** True when `address` (IPv4 or IPv6) lies inside one of Cloudflare's published ranges. */
export function isCloudflareAddress(address: string): boolean {
    const ip = ipaddr.parse(address);
    const ranges = ip.kind() === "ipv4" ? CLOUDFLARE_IPS.ipv4 : CLOUDFLARE_IPS.ipv6;
    return ranges.some((r) => {
        const [net, len] = ipaddr.parseCIDR(r);
        return net.kind() === ip.kind() && (ip as ipaddr.IPv4).match(net as ipaddr.IPv4, len);
    });
}
