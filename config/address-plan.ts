/**
 * Address-plan checks with ipaddr.js: containment, overlap, capacity. Every problem names the config keys involved.
 */
import * as ipaddr from "ipaddr.js";
import { keyOf, type Problem } from "./problems";
import type { HubConfig, NodePoolConfig, SpokeConfig } from "./schema";

/** Azure keeps 5 addresses of every subnet (network, gateway, 2 DNS, broadcast). */
export const AZURE_RESERVED_PER_SUBNET = 5;

export interface Cidr {
    text: string;
    network: ipaddr.IPv4;
    prefix: number;
}

/** Parses `text` as a canonical IPv4 CIDR (host bits zero); returns a reason string when it is not one. */
export function parseCidr(text: string): Cidr | string {
    if (!ipaddr.IPv4.isValidCIDR(text)) return `'${text}' is not a valid IPv4 CIDR`;
    const [addr, prefix] = ipaddr.IPv4.parseCIDR(text);
    const network = ipaddr.IPv4.networkAddressFromCIDR(text);
    if (addr.toString() !== network.toString()) return `'${text}' has host bits set; the network is ${network.toString()}/${prefix}`;
    return { text, network, prefix };
}

export function contains(outer: Cidr, inner: Cidr | ipaddr.IPv4): boolean {
    if (inner instanceof ipaddr.IPv4) return inner.match(outer.network, outer.prefix);
    return inner.prefix >= outer.prefix && inner.network.match(outer.network, outer.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
    return contains(a, b.network) || contains(b, a.network);
}

export function addressCount(c: Cidr): number {
    return 2 ** (32 - c.prefix);
}

export function usableAddresses(c: Cidr): number {
    return addressCount(c) - AZURE_RESERVED_PER_SUBNET;
}

/** Azure's smallest subnet. */
export const MIN_SUBNET_PREFIX = 29;

/**
 * Ranges AKS forbids for the service CIDR and the overlay pod CIDR (Microsoft Learn "Configure Azure CNI Overlay
 * networking in AKS" and "kubenet" networking: link-local, Docker bridge defaults, TEST-NET-1).
 */
export const AKS_RESERVED_RANGES = ["169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24"] as const;

/** The address at `offset` from the network address of `c` (negative: from the broadcast address). */
export function hostAt(c: Cidr, offset: number): string {
    const base = c.network.toByteArray().reduce((acc, b) => acc * 256 + b, 0);
    const n = offset >= 0 ? base + offset : base + addressCount(c) + offset;
    if (n < base || n >= base + addressCount(c)) throw new Error(`offset ${offset} is outside ${c.text}`);
    return ipaddr.fromByteArray([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]).toString();
}

/**
 * The internal ingress load balancer's fixed address: the last address Azure lets you use in the subnet (the
 * broadcast address is reserved), far from the low addresses Azure hands out dynamically.
 */
export function ingressInternalIp(subnet: string): string {
    const c = parseCidr(subnet);
    if (typeof c === "string") throw new Error(c);
    return hostAt(c, -2);
}

/**
 * Extra nodes an upgrade adds on top of maxCount. GPU pools surge by one node (GPU quota rarely has room for more);
 * CPU pools by a third; spot pools not at all (AKS rejects maxSurge on spot pools: "Spot pools can't set max
 * surge"; they are upgraded in place). The AKS component sets `upgradeSettings.maxSurge` from the same function.
 */
export function surgeNodes(pool: Pick<NodePoolConfig, "maxCount" | "gpu"> & { spot?: boolean }): number {
    if (pool.spot) return 0;
    return pool.gpu ? 1 : Math.ceil(pool.maxCount / 3);
}
/** `upgradeSettings.maxSurge` for a pool; undefined for spot pools, which must not set it. */
export function maxSurgeSetting(pool: Pick<NodePoolConfig, "gpu"> & { spot?: boolean }): string | undefined {
    if (pool.spot) return undefined;
    return pool.gpu ? "1" : "33%";
}

/**
 * Azure Firewall's private IP: the first address Azure hands out in AzureFirewallSubnet (the 4th; the first three
 * after the network address are reserved). Other regions' hubs route to it without reading this hub's state.
 */
export function firewallPrivateIp(firewallSubnet: string): string {
    const c = parseCidr(firewallSubnet);
    if (typeof c === "string") throw new Error(c);
    return hostAt(c, 4);
}

type Named = { key: string; cidr: Cidr };

/** Parses each (key, text) pair, reporting unparsable ones; returns the parsed ones. */
function parseAll(entries: [string, string | undefined][], problems: Problem[], keyPath: (k: string) => (string | number)[]): Named[] {
    const out: Named[] = [];
    for (const [key, text] of entries) {
        if (text === undefined) continue;
        const c = parseCidr(text);
        if (typeof c === "string") problems.push({ path: keyPath(key), message: c });
        else out.push({ key, cidr: c });
    }
    return out;
}

function checkSubnets(vnetPath: (string | number)[], vnet: Cidr, subnets: Named[], subnetPath: (k: string) => (string | number)[], problems: Problem[]) {
    for (const s of subnets) {
        if (!contains(vnet, s.cidr)) {
            problems.push({ path: subnetPath(s.key), message: `is not inside ${keyOf(vnetPath)} (${vnet.text})` });
        }
    }
    for (let i = 0; i < subnets.length; i++) {
        for (let j = i + 1; j < subnets.length; j++) {
            if (overlaps(subnets[i].cidr, subnets[j].cidr)) {
                problems.push({
                    path: subnetPath(subnets[j].key),
                    message: `overlaps ${keyOf(subnetPath(subnets[i].key))} (${subnets[i].cidr.text})`,
                });
            }
        }
    }
}

function minPrefix(path: (string | number)[], c: Cidr, max: number, why: string, problems: Problem[]) {
    if (c.prefix > max) problems.push({ path, message: `is /${c.prefix}; ${why} needs at least /${max}` });
}

function minSubnetSize(subnets: Named[], subnetPath: (k: string) => (string | number)[], problems: Problem[]) {
    for (const s of subnets) minPrefix(subnetPath(s.key), s.cidr, MIN_SUBNET_PREFIX, "an Azure subnet", problems);
}

/** One spoke's own plan: subnets inside the VNet, no overlaps, pod/service ranges clear of it, pools fit. */
export function checkSpokeAddressPlan(cfg: SpokeConfig): Problem[] {
    const problems: Problem[] = [];
    const net = cfg.network;
    const vnet = parseCidr(net.addressSpace);
    if (typeof vnet === "string") return [{ path: ["network", "addressSpace"], message: vnet }];
    const subnetPath = (k: string) => ["network", "subnets", k];
    const subnets = parseAll(Object.entries(net.subnets), problems, subnetPath);
    checkSubnets(["network", "addressSpace"], vnet, subnets, subnetPath, problems);
    minSubnetSize(subnets, subnetPath, problems);

    const byKey = Object.fromEntries(subnets.map((s) => [s.key, s.cidr]));
    if (byKey.apiServer) minPrefix(subnetPath("apiServer"), byKey.apiServer, 28, "AKS API server VNet integration", problems);

    const ranges = parseAll([["podCidr", net.podCidr], ["serviceCidr", net.serviceCidr]], problems, (k) => ["network", k]);
    for (const r of ranges) {
        if (overlaps(r.cidr, vnet)) problems.push({ path: ["network", r.key], message: `overlaps the spoke VNet aiplatform:network.addressSpace (${vnet.text})` });
    }
    for (const r of ranges) {
        for (const reserved of AKS_RESERVED_RANGES) {
            const c = parseCidr(reserved) as Cidr;
            if (overlaps(r.cidr, c)) problems.push({ path: ["network", r.key], message: `overlaps ${reserved}, a range AKS reserves (${AKS_RESERVED_RANGES.join(", ")})` });
        }
    }
    if (ranges.length === 2 && overlaps(ranges[0].cidr, ranges[1].cidr)) {
        problems.push({ path: ["network", "serviceCidr"], message: `overlaps aiplatform:network.podCidr (${ranges[0].cidr.text})` });
    }
    const svc = ranges.find((r) => r.key === "serviceCidr");
    if (svc && ipaddr.IPv4.isValidFourPartDecimal(net.dnsServiceIp) && !contains(svc.cidr, ipaddr.IPv4.parse(net.dnsServiceIp))) {
        problems.push({ path: ["network", "dnsServiceIp"], message: `is not inside aiplatform:network.serviceCidr (${svc.cidr.text})` });
    } else if (svc && [hostAt(svc.cidr, 0), hostAt(svc.cidr, 1), hostAt(svc.cidr, -1)].includes(net.dnsServiceIp)) {
        problems.push({
            path: ["network", "dnsServiceIp"],
            message: `must not be the network, broadcast or first address of aiplatform:network.serviceCidr (${hostAt(svc.cidr, 1)} is the kubernetes service); use e.g. ${hostAt(svc.cidr, 10)}`,
        });
    }

    // Node capacity per subnet (CNI overlay: one VNet address per node; pods come from podCidr).
    const demand: Record<string, { nodes: number; pools: string[] }> = {};
    const add = (subnet: string, nodes: number, pool: string) => {
        demand[subnet] ??= { nodes: 0, pools: [] };
        demand[subnet].nodes += nodes;
        demand[subnet].pools.push(pool);
    };
    const sys = cfg.aks.systemPool;
    add("system", sys.maxCount + surgeNodes({ maxCount: sys.maxCount }), "system");
    cfg.nodePools.forEach((p) => add(p.subnet, p.maxCount + surgeNodes(p), p.name));
    for (const [subnet, d] of Object.entries(demand)) {
        const c = byKey[subnet];
        if (c && d.nodes > usableAddresses(c)) {
            problems.push({
                path: subnetPath(subnet),
                message: `(${c.text}) has ${usableAddresses(c)} usable addresses but pools ${d.pools.join(", ")} need ${d.nodes} at maxCount plus upgrade surge`,
            });
        }
    }
    return problems;
}

export function checkHubAddressPlan(cfg: HubConfig): Problem[] {
    const problems: Problem[] = [];
    const vnet = parseCidr(cfg.network.addressSpace);
    if (typeof vnet === "string") return [{ path: ["network", "addressSpace"], message: vnet }];
    const subnetPath = (k: string) => ["network", "subnets", k];
    const subnets = parseAll(Object.entries(cfg.network.subnets), problems, subnetPath);
    checkSubnets(["network", "addressSpace"], vnet, subnets, subnetPath, problems);
    minSubnetSize(subnets, subnetPath, problems);
    const byKey = Object.fromEntries(subnets.map((s) => [s.key, s.cidr]));
    if (byKey.firewall) minPrefix(subnetPath("firewall"), byKey.firewall, 26, "AzureFirewallSubnet", problems);
    if (byKey.firewallManagement) minPrefix(subnetPath("firewallManagement"), byKey.firewallManagement, 26, "AzureFirewallManagementSubnet", problems);
    if (byKey.bastion) minPrefix(subnetPath("bastion"), byKey.bastion, 26, "AzureBastionSubnet", problems);
    if (byKey.gateway) minPrefix(subnetPath("gateway"), byKey.gateway, 27, "GatewaySubnet", problems);
    if (cfg.features.bastion && !cfg.network.subnets.bastion) {
        problems.push({ path: ["network", "subnets", "bastion"], message: "is required when aiplatform:features.bastion is true" });
    }
    return problems;
}

/** The address facts of one stack file, for checks across stacks. */
export interface StackAddresses {
    file: string;
    addressSpace?: string;
    podCidr?: string;
    serviceCidr?: string;
}

/** Across stacks: no VNet overlaps another, no overlay pod/service range overlaps any VNet (in either direction). */
export function checkCrossStackAddresses(self: StackAddresses, others: StackAddresses[]): Problem[] {
    const problems: Problem[] = [];
    const mine = self.addressSpace ? parseCidr(self.addressSpace) : undefined;
    for (const o of others) {
        const theirs = o.addressSpace ? parseCidr(o.addressSpace) : undefined;
        if (typeof theirs !== "object") continue;
        if (typeof mine === "object" && overlaps(mine, theirs)) {
            problems.push({ path: ["network", "addressSpace"], message: `overlaps aiplatform:network.addressSpace of ${o.file} (${theirs.text})` });
        }
        for (const key of ["podCidr", "serviceCidr"] as const) {
            const text = self[key];
            const r = text ? parseCidr(text) : undefined;
            if (typeof r === "object" && overlaps(r, theirs)) {
                problems.push({ path: ["network", key], message: `overlaps aiplatform:network.addressSpace of ${o.file} (${theirs.text})` });
            }
        }
    }
    // The other direction: this VNet must stay clear of every other stack's overlay ranges too (a hub change is
    // caught on the hub, not only when the spoke is next planned).
    for (const o of others) {
        for (const key of ["podCidr", "serviceCidr"] as const) {
            const text = o[key];
            const r = text ? parseCidr(text) : undefined;
            if (typeof mine === "object" && typeof r === "object" && overlaps(mine, r)) {
                problems.push({ path: ["network", "addressSpace"], message: `overlaps aiplatform:network.${key} of ${o.file} (${r.text})` });
            }
        }
    }
    return problems;
}

/**
 * The hub's region block (issue 18): it holds the hub VNet and every spoke block the hub allocates, and overlaps no
 * other hub's region block. Required once another hub exists: the peer hubs route this block to this region's
 * firewall, and the address plan gives each region one block.
 */
export function checkRegionBlock(cfg: HubConfig, peers: { file: string; regionBlock?: unknown }[]): Problem[] {
    const path = ["network", "regionBlock"];
    if (!cfg.network.regionBlock) {
        return peers.length ? [{ path, message: `is required: ${peers.map((p) => p.file).join(", ")} also define a hub, and every region needs its own block (e.g. 10.32.0.0/11)` }] : [];
    }
    const block = parseCidr(cfg.network.regionBlock);
    if (typeof block === "string") return [{ path, message: block }];
    const problems: Problem[] = [];
    const inside: [string, string][] = [["aiplatform:network.addressSpace", cfg.network.addressSpace], ...Object.entries(cfg.spokes).map(([s, c]): [string, string] => [`aiplatform:spokes.${s}`, c])];
    for (const [key, text] of inside) {
        const c = parseCidr(text);
        if (typeof c === "object" && !contains(block, c)) problems.push({ path, message: `(${block.text}) does not contain ${key} (${c.text})` });
    }
    for (const p of peers) {
        const theirs = typeof p.regionBlock === "string" ? parseCidr(p.regionBlock) : undefined;
        if (typeof theirs === "object" && overlaps(block, theirs)) problems.push({ path, message: `overlaps aiplatform:network.regionBlock of ${p.file} (${theirs.text})` });
    }
    return problems;
}
