/**
 * NSG rule arithmetic: which sources mean "anyone" and whether a port specification reaches a given port.
 */
import * as ipaddr from "ipaddr.js";

/** The NSG rule fields the network rules read; identical for inline `securityRules[]` and standalone SecurityRule. */
export interface RuleLike {
    name?: string;
    direction?: string;
    access?: string;
    sourceAddressPrefix?: string;
    sourceAddressPrefixes?: string[];
    destinationPortRange?: string;
    destinationPortRanges?: string[];
}

/** Source prefixes that admit the whole internet (ARM service tag `Internet`, wildcard, any /0). */
export function isInternetSource(prefix: string): boolean {
    const p = prefix.trim().toLowerCase();
    return p === "*" || p === "internet" || p === "any" || p === "0.0.0.0" || /\/0$/.test(p);
}

/**
 * The ports among `ports` that a destination port spec reaches. A spec is `*`, a single port, or a range `a-b`
 * (ARM's only forms); anything unparseable reaches nothing.
 */
export function portsReached(spec: string, ports: readonly number[]): number[] {
    const s = spec.trim();
    if (s === "*") return [...ports];
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(s);
    if (range) {
        const [lo, hi] = [Number(range[1]), Number(range[2])];
        return ports.filter((p) => p >= lo && p <= hi);
    }
    return /^\d+$/.test(s) ? ports.filter((p) => p === Number(s)) : [];
}

/**
 * Sources that reach the NSG from the internet: the wildcards above, or a public address or prefix (any unicast
 * range outside private, loopback, link-local and the like). Service tags other than Internet are Azure's own.
 */
export function isPublicSource(prefix: string): boolean {
    if (isInternetSource(prefix)) return true;
    const [addr, bits] = prefix.trim().split("/");
    if (!ipaddr.isValid(addr) || (bits !== undefined && !/^\d+$/.test(bits))) return false;
    return ipaddr.process(addr).range() === "unicast";
}
