/**
 * Multi-region network (issue 18), on the shared plan of every stack: hubs peered globally (each pair declared by
 * exactly one hub), spokes peered with their own region's hub only, traffic between regions routed hub to hub through
 * both firewalls and admitted by both, and every private endpoint record of every region resolvable from every VNet.
 */
import { type Cidr, contains, parseCidr } from "../../config/address-plan";
import { listStacks, namespaceValues, readStackConfig } from "../../config/stack-files";
import type { ExportResource } from "../../tools/plan/export";
import { ofType, stackOutputs } from "../support/plan";

const N = "azure-native:network:";
const all = listStacks().map((sf) => ({ stack: sf.stack, kind: sf.kind, cfg: namespaceValues(readStackConfig(sf.file)) as Record<string, any> }));
const hubs = all.filter((s) => s.kind === "hub");
const spokes = all.filter((s) => s.kind === "spoke");
const hubOf = (spoke: string) => hubs.find((h) => spokes.find((s) => s.stack === spoke)!.cfg.hubStack.endsWith(`/${h.stack}`))!;
const vnetOf = (stack: string) => ofType(stack, `${N}VirtualNetwork`)[0];
const firewallIp = (hub: string): string => stackOutputs(hub).firewallPrivateIp;
const cidr = (t: string) => parseCidr(t) as Cidr;
/** A planned resource's inputs, read loosely (the shapes are azure-native's). */
const inp = (r: ExportResource): Record<string, any> => r.inputs as Record<string, any>;
const peerings = all.flatMap((s) => ofType(s.stack, `${N}VirtualNetworkPeering`).map((r) => ({ declaredBy: s.stack, r })));
const vnetIdOf = (r: ExportResource) => `${String(r.id).split("/virtualNetworkPeerings/")[0]}`;

/** Longest-prefix match over a route table's routes, as Azure picks a route. */
function nextHop(table: ExportResource, dst: string): { type: string; ip?: string } {
    const ip = parseCidr(`${dst}/32`) as Cidr;
    const best = (inp(table).routes as any[])
        .filter((r) => contains(cidr(r.addressPrefix), ip))
        .sort((a, b) => cidr(b.addressPrefix).prefix - cidr(a.addressPrefix).prefix)[0];
    return { type: best.nextHopType, ip: best.nextHopIpAddress };
}
const routeTable = (stack: string, role: string) => ofType(stack, `${N}RouteTable`).find((r) => inp(r).routeTableName.endsWith(`-${role}`))!;
/** Rules of the hub's cross-region group admitting TCP `port` from `src` to `dst`. */
const admitting = (hub: string, src: string, dst: string, port: string) =>
    ofType(hub, `${N}FirewallPolicyRuleCollectionGroup`)
        .flatMap((g) => inp(g).ruleCollections as any[])
        .flatMap((c) => (c.action?.type === "Allow" ? c.rules : []))
        .filter(
            (r: any) =>
                r.ruleType === "NetworkRule" &&
                (r.sourceAddresses ?? []).some((a: string) => contains(cidr(a), cidr(`${src}/32`))) &&
                (r.destinationAddresses ?? []).some((a: string) => contains(cidr(a), cidr(`${dst}/32`))) &&
                r.destinationPorts.includes(port),
        )
        .map((r: any) => r.name);

describe("hub peering across regions", () => {
    test("every pair of hubs is peered both ways, with forwarded traffic, declared by exactly one hub", () => {
        expect(hubs.length).toBeGreaterThanOrEqual(2);
        for (let i = 0; i < hubs.length; i++) {
            for (const b of hubs.slice(i + 1)) {
                const a = hubs[i];
                const [ida, idb] = [vnetOf(a.stack).id, vnetOf(b.stack).id];
                const pair = peerings.filter(({ r }) => [`${vnetIdOf(r)}>${inp(r).remoteVirtualNetwork.id}`].some((k) => k === `${ida}>${idb}` || k === `${idb}>${ida}`));
                expect(pair.map(({ r }) => `${vnetIdOf(r)}>${inp(r).remoteVirtualNetwork.id}`).sort()).toEqual([`${ida}>${idb}`, `${idb}>${ida}`].sort());
                expect(new Set(pair.map((p) => p.declaredBy)).size).toBe(1);
                for (const { r } of pair) expect(inp(r)).toMatchObject({ allowVirtualNetworkAccess: true, allowForwardedTraffic: true, useRemoteGateways: false });
            }
        }
    });

    test("each spoke is peered with its own region's hub and no other", () => {
        for (const s of spokes) {
            const remotes = peerings.filter((p) => p.declaredBy === s.stack).map(({ r }) => [vnetIdOf(r), inp(r).remoteVirtualNetwork.id].find((id) => id !== vnetOf(s.stack).id));
            expect([s.stack, [...new Set(remotes)]]).toEqual([s.stack, [vnetOf(hubOf(s.stack).stack).id]]);
        }
    });

    test("AzureFirewallSubnet routes each other region's block to that region's planned firewall, 0/0 to Internet", () => {
        for (const h of hubs) {
            const table = routeTable(h.stack, "firewall");
            const fwSubnet = ofType(h.stack, `${N}Subnet`).find((s) => s.inputs.subnetName === "AzureFirewallSubnet")!;
            expect(inp(fwSubnet).routeTable.id).toBe(table.id);
            expect(inp(table).routes).toEqual(
                expect.arrayContaining([
                    { name: "default-internet", addressPrefix: "0.0.0.0/0", nextHopType: "Internet" },
                    ...hubs.filter((p) => p !== h).map((p) => expect.objectContaining({ addressPrefix: p.cfg.network.regionBlock, nextHopType: "VirtualAppliance", nextHopIpAddress: firewallIp(p.stack) })),
                ]),
            );
        }
    });
});

describe("cross-region traffic goes hub to hub through both firewalls", () => {
    const [a, b] = ["prd-swedencentral", "prd-uaenorth"];
    const path = (from: string, to: string, dst: string) => {
        const hops = [nextHop(routeTable(from, "nodes"), dst)];
        hops.push(nextHop(routeTable(hubOf(from).stack, "firewall"), dst));
        return hops;
    };
    test(`${a} nodes → ${b}'s internal ingress: own firewall, then ${b}'s region's firewall, and both admit 443; the reply takes the same firewalls back`, () => {
        const dst = stackOutputs(b).ingressInternalIp;
        const src = cidr(spokes.find((s) => s.stack === a)!.cfg.network.subnets.user).network.toString().replace(/\.0$/, ".10");
        expect(path(a, b, dst)).toEqual([
            { type: "VirtualAppliance", ip: firewallIp(hubOf(a).stack) },
            { type: "VirtualAppliance", ip: firewallIp(hubOf(b).stack) },
        ]);
        // the far hub delivers to its own spoke over their peering
        expect(contains(cidr(hubOf(b).cfg.spokes[b]), cidr(`${dst}/32`))).toBe(true);
        expect(path(b, a, src)).toEqual([
            { type: "VirtualAppliance", ip: firewallIp(hubOf(b).stack) },
            { type: "VirtualAppliance", ip: firewallIp(hubOf(a).stack) },
        ]);
        for (const hub of [hubOf(a).stack, hubOf(b).stack]) expect([hub, admitting(hub, src, dst, "443").length]).toEqual([hub, 1]);
        for (const hub of [hubOf(a).stack, hubOf(b).stack]) expect([hub, admitting(hub, src, dst, "22")]).toEqual([hub, []]);
    });
    test("environments never meet across regions: dev-uaenorth → prd-swedencentral is admitted by neither firewall", () => {
        const dst = stackOutputs(a).ingressInternalIp;
        const src = stackOutputs("dev-uaenorth").ingressInternalIp;
        for (const hub of hubs.map((h) => h.stack)) expect([hub, admitting(hub, src, dst, "443")]).toEqual([hub, []]);
    });
});

describe("private DNS: shared global privatelink zones", () => {
    /** Zone key `<group>/<name>` of a zone id or of a link's inputs. */
    const zoneKeyOfId = (id: string) => {
        const m = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/privateDnsZones\/([^/]+)$/i.exec(id)!;
        return `${m[1]}/${m[2]}`.toLowerCase();
    };
    const links = all.flatMap((s) => ofType(s.stack, "azure-native:privatedns:VirtualNetworkLink")).map((l) => ({ vnet: inp(l).virtualNetwork.id as string, zone: `${inp(l).resourceGroupName}/${inp(l).privateZoneName}`.toLowerCase() }));
    const zones = all.flatMap((s) => ofType(s.stack, "azure-native:privatedns:PrivateZone")).map((z) => zoneKeyOfId(String(z.id)));
    const records = spokes.flatMap((s) =>
        ofType(s.stack, `${N}PrivateDnsZoneGroup`).flatMap((g) => (inp(g).privateDnsZoneConfigs as any[]).map((c) => ({ endpoint: `${s.stack}/${inp(g).privateEndpointName}`, zone: zoneKeyOfId(c.privateDnsZoneId) }))),
    );
    /** The VNet whose links answer a VNet's queries: its DNS server is a hub firewall's proxy, which asks from its hub VNet. */
    const resolverOf = (stack: string) => {
        const servers: string[] = inp(vnetOf(stack)).dhcpOptions?.dnsServers ?? [];
        if (!servers.length) return vnetOf(stack).id;
        const hub = hubs.find((h) => servers.includes(firewallIp(h.stack)))!;
        return vnetOf(hub.stack).id;
    };

    test("every private endpoint record of every region resolves from every VNet of every region, with no zone of the same name shadowing it", () => {
        expect(new Set(records.map((r) => r.endpoint.split("/")[0])).size).toBe(spokes.length);
        for (const r of records) expect([r.endpoint, zones.includes(r.zone)]).toEqual([r.endpoint, true]);
        for (const v of all) {
            const resolver = resolverOf(v.stack);
            const linked = links.filter((l) => l.vnet === resolver).map((l) => l.zone);
            for (const r of records) expect([v.stack, r.endpoint, linked.includes(r.zone)]).toEqual([v.stack, r.endpoint, true]);
            const names = linked.map((z) => z.split("/")[1]);
            expect([v.stack, names.filter((n, i) => names.indexOf(n) !== i)]).toEqual([v.stack, []]);
        }
    });

    test("each privatelink zone name exists once across all regions (one owner), and every region's internal zone resolves from every hub", () => {
        const names = zones.map((z) => z.split("/")[1]).filter((n) => n.startsWith("privatelink.") && !n.includes(".azmk8s.io"));
        expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
        for (const h of hubs) {
            const linked = links.filter((l) => l.vnet === vnetOf(h.stack).id).map((l) => l.zone.split("/")[1]);
            for (const other of hubs) expect([h.stack, linked.includes(other.cfg.network.internalDnsZone)]).toEqual([h.stack, true]);
        }
    });
});

describe("data per region", () => {
    const prd = spokes.filter((s) => s.cfg.environment === "prd");
    const inRegion = (stack: string, type: string) => ofType(stack, type).filter((r) => inp(r).location === all.find((s) => s.stack === stack)!.cfg.location);

    test("every region has its own Log Analytics (hub and spoke), and each prd region its own vault, registry and lake behind private endpoints in its own VNet", () => {
        for (const h of hubs) expect([h.stack, inRegion(h.stack, "azure-native:operationalinsights:Workspace").length]).toEqual([h.stack, 1]);
        expect(new Set(prd.map((s) => s.cfg.location)).size).toBe(hubs.length);
        for (const s of prd) {
            for (const type of ["azure-native:operationalinsights:Workspace", "azure-native:keyvault:Vault", "azure-native:containerregistry:Registry", "azure-native:storage:StorageAccount"]) {
                expect([s.stack, type, inRegion(s.stack, type).length]).toEqual([s.stack, type, 1]);
            }
            const endpoints = ofType(s.stack, `${N}PrivateEndpoint`).map((e) => inp(e).privateEndpointName.split("-").slice(4).join("-"));
            expect([s.stack, endpoints.sort()]).toEqual([s.stack, ["acr", "kv", "st-blob", "st-dfs"]]);
        }
    });

    test("each prd region's vault holds the same generated secrets (the same workloads run there), and its lake is geo-zone-redundant (RPO: Azure's async geo-replication)", () => {
        const names = prd.map((s) => [...stackOutputs(s.stack).generatedSecretNames].sort());
        for (const n of names) expect(n).toEqual(names[0]);
        for (const s of prd) expect([s.stack, inp(ofType(s.stack, "azure-native:storage:StorageAccount")[0]).sku.name]).toEqual([s.stack, expect.stringMatching(/^Standard_(RA)?GZRS$/)]);
    });
});
