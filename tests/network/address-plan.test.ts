/**
 * The address plan (issue 4): every rule with a good plan (the committed stack files) and bad plans (one mutation
 * each), through the same validation the programs run before declaring anything. Each failure names its keys.
 */
import fc from "fast-check";
import * as ipaddr from "ipaddr.js";
import {
    AKS_RESERVED_RANGES,
    AZURE_RESERVED_PER_SUBNET,
    checkCrossStackAddresses,
    hostAt,
    ingressInternalIp,
    overlaps,
    parseCidr,
    type Cidr,
} from "../../config/address-plan";
import { hubProblems, rawHub, rawSpoke, spokeProblems } from "../support/config";
import { SPOKES } from "../support/plan";


const cidr = (text: string) => parseCidr(text) as Cidr;

describe("good plans", () => {
    test.each(SPOKES)("%s validates (subnets, overlaps, pools, cross-stack)", (stack) => {
        expect(spokeProblems(stack, () => {})).toEqual([]);
    });
    test("the hub validates", () => expect(hubProblems(() => {})).toEqual([]));
    test("no two VNets of the repository overlap and no overlay range touches any VNet", () => {
        const vnets = [rawHub(), ...SPOKES.map((s) => rawSpoke(s))].map((r) => cidr(r.network.addressSpace));
        for (let i = 0; i < vnets.length; i++) for (let j = i + 1; j < vnets.length; j++) expect(overlaps(vnets[i], vnets[j])).toBe(false);
        for (const s of SPOKES) {
            const net = rawSpoke(s).network;
            for (const r of [net.podCidr, net.serviceCidr]) for (const v of vnets) expect(overlaps(cidr(r), v)).toBe(false);
        }
    });
});

describe("spoke rules: each bad plan fails naming the keys involved", () => {
    const cases: [string, (r: Record<string, any>) => void, RegExp][] = [
        ["subnet outside its VNet", (r) => (r.network.subnets.privateEndpoints = "10.99.2.0/24"),
            /^Pulumi\.dev-uaenorth\.yaml: aiplatform:network\.subnets\.privateEndpoints = "10\.99\.2\.0\/24": is not inside aiplatform:network\.addressSpace \(10\.10\.0\.0\/16\)$/],
        ["two subnets overlap", (r) => (r.network.subnets.ingressInternal = "10.10.1.64/26"),
            /aiplatform:network\.subnets\.ingressInternal = "10\.10\.1\.64\/26": overlaps aiplatform:network\.subnets\.ingressPublic \(10\.10\.1\.64\/27\)/],
        ["API server subnet below /28", (r) => (r.network.subnets.apiServer = "10.10.1.0/29"),
            /aiplatform:network\.subnets\.apiServer = "10\.10\.1\.0\/29": is \/29; AKS API server VNet integration needs at least \/28/],
        ["subnet below Azure's /29 minimum", (r) => (r.network.subnets.ingressInternal = "10.10.1.96/30"),
            /aiplatform:network\.subnets\.ingressInternal = "10\.10\.1\.96\/30": is \/30; an Azure subnet needs at least \/29/],
        ["system pool does not fit (maxCount + surge + 5 reserved)", (r) => { r.network.subnets.system = "10.10.0.0/29"; r.aks.systemPool.maxCount = 3; },
            /aiplatform:network\.subnets\.system = "10\.10\.0\.0\/29": \(10\.10\.0\.0\/29\) has 3 usable addresses but pools system need 4 at maxCount plus upgrade surge/],
        ["GPU pool does not fit", (r) => { r.network.subnets.gpu = "10.10.8.0/29"; r.nodePools.find((p: any) => p.subnet === "gpu").maxCount = 4; },
            /aiplatform:network\.subnets\.gpu = "10\.10\.8\.0\/29": \(10\.10\.8\.0\/29\) has 3 usable addresses but pools .* need \d+ at maxCount plus upgrade surge/],
        ["pod CIDR overlaps the spoke VNet", (r) => (r.network.podCidr = "10.10.0.0/17"),
            /aiplatform:network\.podCidr = "10\.10\.0\.0\/17": overlaps the spoke VNet aiplatform:network\.addressSpace \(10\.10\.0\.0\/16\)/],
        ["service CIDR overlaps the hub VNet", (r) => { r.network.serviceCidr = "10.0.0.0/16"; r.network.dnsServiceIp = "10.0.0.10"; },
            /aiplatform:network\.serviceCidr = "10\.0\.0\.0\/16": overlaps aiplatform:network\.addressSpace of hub\/Pulumi\.hub-uaenorth\.yaml \(10\.0\.0\.0\/22\)/],
        ["pod CIDR overlaps another spoke's VNet", (r) => (r.network.podCidr = "10.30.0.0/16"),
            /aiplatform:network\.podCidr = "10\.30\.0\.0\/16": overlaps aiplatform:network\.addressSpace of Pulumi\.prd-uaenorth\.yaml/],
        ["pod CIDR in a range AKS reserves", (r) => (r.network.podCidr = "172.30.0.0/16"),
            /aiplatform:network\.podCidr = "172\.30\.0\.0\/16": overlaps 172\.30\.0\.0\/16, a range AKS reserves/],
        ["service CIDR overlaps the pod CIDR", (r) => { r.network.serviceCidr = "10.244.0.0/16"; r.network.dnsServiceIp = "10.244.0.10"; },
            /aiplatform:network\.serviceCidr = "10\.244\.0\.0\/16": overlaps aiplatform:network\.podCidr/],
        ["DNS service IP is the kubernetes service address", (r) => (r.network.dnsServiceIp = "172.16.0.1"),
            /aiplatform:network\.dnsServiceIp = "172\.16\.0\.1": must not be the network, broadcast or first address of aiplatform:network\.serviceCidr/],
        ["spoke VNet overlaps the hub", (r) => (r.network.addressSpace = "10.0.0.0/12"),
            /aiplatform:network\.addressSpace = "10\.0\.0\.0\/12": overlaps aiplatform:network\.addressSpace of hub\/Pulumi\.hub-uaenorth\.yaml/],
    ];
    test.each(cases)("%s", (_t, mutate, expected) => {
        expect(spokeProblems("dev-uaenorth", mutate)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    });
});

describe("hub rules", () => {
    const cases: [string, (r: Record<string, any>) => void, RegExp][] = [
        ["AzureFirewallSubnet below /26", (r) => (r.network.subnets.firewall = "10.0.0.0/27"), /aiplatform:network\.subnets\.firewall = "10\.0\.0\.0\/27": is \/27; AzureFirewallSubnet needs at least \/26/],
        ["AzureFirewallManagementSubnet below /26", (r) => (r.network.subnets.firewallManagement = "10.0.0.64/27"), /aiplatform:network\.subnets\.firewallManagement = "10\.0\.0\.64\/27": is \/27; AzureFirewallManagementSubnet needs at least \/26/],
        ["hub subnet outside the hub VNet", (r) => (r.network.subnets.sharedServices = "10.0.8.0/24"), /aiplatform:network\.subnets\.sharedServices = "10\.0\.8\.0\/24": is not inside aiplatform:network\.addressSpace \(10\.0\.0\.0\/22\)/],
        ["hub subnets overlap", (r) => (r.network.subnets.gateway = "10.0.0.96/27"), /aiplatform:network\.subnets\.gateway = "10\.0\.0\.96\/27": overlaps aiplatform:network\.subnets\.firewallManagement/],
        ["Bastion switched on without its subnet", (r) => delete r.network.subnets.bastion, /aiplatform:network\.subnets\.bastion = \(not set\): is required when aiplatform:features\.bastion is true/],
        ["hub VNet overlaps a spoke's pod CIDR (checked on the hub too)", (r) => (r.network.addressSpace = "10.244.0.0/22"), /aiplatform:network\.addressSpace = "10\.244\.0\.0\/22": overlaps aiplatform:network\.podCidr of Pulumi\.dev-uaenorth\.yaml/],
        ["internal DNS zone is a DNS name", (r) => (r.network.internalDnsZone = "not a zone"), /aiplatform:network\.internalDnsZone = "not a zone": must be a DNS zone name/],
    ];
    test.each(cases)("%s", (_t, mutate, expected) => {
        expect(hubProblems(mutate)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    });
});

describe("cross-stack check (pure)", () => {
    test("a VNet overlapping another stack's is reported against both files' keys", () => {
        const problems = checkCrossStackAddresses({ file: "a.yaml", addressSpace: "10.1.0.0/16" }, [{ file: "b.yaml", addressSpace: "10.1.128.0/17" }]);
        expect(problems).toEqual([{ path: ["network", "addressSpace"], message: "overlaps aiplatform:network.addressSpace of b.yaml (10.1.128.0/17)" }]);
    });
    test("disjoint stacks pass", () => {
        expect(checkCrossStackAddresses({ file: "a.yaml", addressSpace: "10.1.0.0/16", podCidr: "10.244.0.0/16" }, [{ file: "b.yaml", addressSpace: "10.2.0.0/16", podCidr: "10.244.0.0/16" }])).toEqual([]);
    });
    test("AKS reserved ranges are parsed by the CIDR library", () => {
        for (const r of AKS_RESERVED_RANGES) expect(typeof parseCidr(r)).toBe("object");
    });
});

describe("internal ingress address", () => {
    test("is the last usable address of the subnet", () => {
        expect(ingressInternalIp("10.10.1.96/27")).toBe("10.10.1.126");
        expect(hostAt(cidr("10.10.1.96/27"), 4)).toBe("10.10.1.100");
    });
    test("property: always inside the subnet and never one of Azure's 5 reserved addresses", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 16, max: 29 }), (n, prefix) => {
                const bytes = [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
                const text = `${ipaddr.IPv4.networkAddressFromCIDR(`${bytes.join(".")}/${prefix}`).toString()}/${prefix}`;
                const ip = ipaddr.IPv4.parse(ingressInternalIp(text));
                const c = cidr(text);
                const reserved = [0, 1, 2, 3].map((i) => hostAt(c, i)).concat(hostAt(c, -1));
                expect(AZURE_RESERVED_PER_SUBNET).toBe(reserved.length);
                return ip.match(c.network, c.prefix) && !reserved.includes(ip.toString());
            }),
        );
    });
});
