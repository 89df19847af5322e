/**
 * The spoke network on each spoke's offline plan: subnets from config with NSGs and route tables, the firewall as
 * default route and DNS server, the public ingress path (own route table, Cloudflare-only NSG), peering both ways,
 * zone links into the hub's zones, the ingress public IP and the component outputs consumers read.
 */
import { ingressInternalIp, overlaps, parseCidr, type Cidr } from "../../config/address-plan";
import { CLOUDFLARE_IPS } from "../../config/upstream/cloudflare-ips";
import { PRIVATE_DNS_ZONE_KEYS } from "../../components/hub/outputs";
import { SPOKE_SUBNETS, SUBNET_ROUTES } from "../../components/network";
import { rawSpoke } from "../support/config";
import { ofType, one, SPOKES, stackOutputs } from "../support/plan";

const T = {
    vnet: "azure-native:network:VirtualNetwork",
    subnet: "azure-native:network:Subnet",
    nsg: "azure-native:network:NetworkSecurityGroup",
    rt: "azure-native:network:RouteTable",
    peering: "azure-native:network:VirtualNetworkPeering",
    link: "azure-native:privatedns:VirtualNetworkLink",
    pip: "azure-native:network:PublicIPAddress",
    diag: "azure-native:monitor:DiagnosticSetting",
    component: "aiplatform:network:SpokeNetwork",
};
const kebab = (role: string) => role.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const hubOut = () => stackOutputs("hub-uaenorth");

describe.each(SPOKES)("%s", (stack) => {
    const net = rawSpoke(stack).network;
    const i = (type: string, name: string) => one(stack, type, name).inputs as Record<string, any>;
    const subnet = (role: string) => i(T.subnet, `spoke-snet-${kebab(role)}`);
    const nsgRules = (role: string) => i(T.nsg, `spoke-nsg-${kebab(role)}`).securityRules as any[];

    test("VNet: the configured address space, DNS through the hub firewall's DNS proxy, no inline subnets/peerings", () => {
        const vnet = i(T.vnet, "spoke-vnet");
        expect(vnet.addressSpace.addressPrefixes).toEqual([net.addressSpace]);
        expect(vnet.dhcpOptions.dnsServers).toEqual([hubOut().firewallPrivateIp]);
        expect(vnet.subnets).toBeUndefined();
        expect(vnet.virtualNetworkPeerings).toBeUndefined();
    });

    test("one standalone subnet per role with the configured prefix, private (no default outbound), written one at a time", () => {
        const subnets = ofType(stack, T.subnet);
        expect(subnets).toHaveLength(SPOKE_SUBNETS.length);
        for (const role of SPOKE_SUBNETS) expect(subnet(role)).toMatchObject({ addressPrefix: net.subnets[role], defaultOutboundAccess: false });
        for (let k = 1; k < subnets.length; k++) expect(subnets[k].dependencies).toContain(subnets[k - 1].urn);
    });

    test("every subnet has its own NSG, ending deny-all-inbound, with logs to the spoke workspace", () => {
        for (const role of SPOKE_SUBNETS) {
            const nsg = one(stack, T.nsg, `spoke-nsg-${kebab(role)}`);
            expect(subnet(role).networkSecurityGroup.id).toBe(nsg.id);
            const last = nsgRules(role).filter((r) => r.direction === "Inbound").sort((a, b) => b.priority - a.priority)[0];
            expect(last).toMatchObject({ name: "deny-all-inbound", access: "Deny", sourceAddressPrefix: "*", priority: 4096 });
            const diag = ofType(stack, T.diag).find((d) => (d.inputs as any).resourceUri === nsg.id);
            expect(diag?.inputs).toMatchObject({ workspaceId: stackOutputs(stack).workspaceId });
        }
    });

    test("apiServer is delegated to AKS; private endpoints enforce NSGs", () => {
        expect(subnet("apiServer").delegations).toEqual([{ name: "aks-api-server", serviceName: "Microsoft.ContainerService/managedClusters" }]);
        expect(subnet("privateEndpoints").privateEndpointNetworkPolicies).toBe("Enabled");
    });

    test("node subnets (system, user, gpu, ingressInternal) route 0.0.0.0/0 to the firewall and nothing else", () => {
        const rt = one(stack, T.rt, "spoke-rt-nodes");
        expect((rt.inputs as any).routes).toEqual([
            { name: "default-to-firewall", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: hubOut().firewallPrivateIp },
        ]);
        expect((rt.inputs as any).disableBgpRoutePropagation).toBe(true);
        for (const role of ["system", "user", "gpu", "ingressInternal"]) expect(subnet(role).routeTable.id).toBe(rt.id);
        expect(SUBNET_ROUTES.system).toBe("nodes");
    });

    test("apiServer and privateEndpoints carry no route table (traffic only arrives there)", () => {
        expect(subnet("apiServer").routeTable).toBeUndefined();
        expect(subnet("privateEndpoints").routeTable).toBeUndefined();
    });

    describe("public ingress path", () => {
        test("own route table: firewall default plus every Cloudflare range straight to the Internet (symmetric replies)", () => {
            const rt = one(stack, T.rt, "spoke-rt-ingress-public");
            expect(subnet("ingressPublic").routeTable.id).toBe(rt.id);
            const routes = (rt.inputs as any).routes as any[];
            expect(routes[0]).toEqual({ name: "default-to-firewall", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: hubOut().firewallPrivateIp });
            const direct = routes.filter((r) => r.nextHopType === "Internet").map((r) => r.addressPrefix);
            expect(direct.sort()).toEqual([...CLOUDFLARE_IPS.ipv4].sort());
            expect(routes).toHaveLength(1 + CLOUDFLARE_IPS.ipv4.length);
        });
        test("HTTPS admitted only from Cloudflare; no other Internet source", () => {
            const rules = nsgRules("ingressPublic").filter((r) => r.direction === "Inbound" && r.access === "Allow");
            const cf = rules.find((r) => r.name === "allow-cloudflare-https")!;
            expect(cf).toMatchObject({ protocol: "Tcp", destinationPortRange: "443", sourceAddressPrefixes: [...CLOUDFLARE_IPS.ipv4] });
            for (const r of rules.filter((x) => x !== cf)) {
                expect(["Internet", "*", "0.0.0.0/0"]).not.toContain(r.sourceAddressPrefix);
                for (const p of r.sourceAddressPrefixes ?? []) expect(CLOUDFLARE_IPS.ipv4 as readonly string[]).not.toContain(p);
            }
        });
        test("new outbound connections to Cloudflare are denied, so the direct routes carry replies only", () => {
            const out = nsgRules("ingressPublic").filter((r) => r.direction === "Outbound");
            expect(out).toEqual([expect.objectContaining({ name: "deny-new-to-cloudflare", access: "Deny", destinationAddressPrefixes: [...CLOUDFLARE_IPS.ipv4] })]);
        });
        test("no other subnet admits Cloudflare or routes around the firewall", () => {
            for (const role of SPOKE_SUBNETS.filter((r) => r !== "ingressPublic")) {
                expect(nsgRules(role).some((r) => r.name === "allow-cloudflare-https")).toBe(false);
            }
            for (const rt of ofType(stack, T.rt).filter((r) => !r.urn.endsWith("::spoke-rt-ingress-public"))) {
                expect(((rt.inputs as any).routes as any[]).every((r) => r.nextHopType === "VirtualAppliance")).toBe(true);
            }
        });
        test("static, zone-redundant Standard public IP in the spoke resource group", () => {
            const pip = one(stack, T.pip, "spoke-pip-ingress");
            expect(pip.inputs).toMatchObject({
                resourceGroupName: stackOutputs(stack).resourceGroupName,
                sku: { name: "Standard", tier: "Regional" },
                publicIPAllocationMethod: "Static",
                zones: ["1", "2", "3"],
            });
            expect(stackOutputs(stack).ingressPublicIpAddress).toBe((pip.outputs as any).ipAddress);
        });
    });

    test("internal ingress: a fixed address inside ingressInternal, the only destination node NSGs open to the hub on 80/443", () => {
        const ip = ingressInternalIp(net.subnets.ingressInternal);
        expect(stackOutputs(stack).ingressInternalIp).toBe(ip);
        const c = parseCidr(net.subnets.ingressInternal) as Cidr;
        expect(overlaps(c, parseCidr(`${ip}/32`) as Cidr)).toBe(true);
        for (const role of ["system", "user", "gpu", "ingressInternal"]) {
            expect(nsgRules(role).find((r) => r.name === "allow-internal-ingress")).toMatchObject({
                sourceAddressPrefix: "VirtualNetwork",
                destinationAddressPrefix: `${ip}/32`,
                destinationPortRanges: ["80", "443"],
            });
        }
    });

    test("peering both ways: spoke→hub on the spoke VNet, hub→spoke on the hub VNet in the hub resource group", () => {
        const vnetId = one(stack, T.vnet, "spoke-vnet").id;
        const toHub = i(T.peering, "spoke-peer-to-hub");
        expect(toHub).toMatchObject({
            resourceGroupName: stackOutputs(stack).resourceGroupName,
            virtualNetworkName: i(T.vnet, "spoke-vnet").virtualNetworkName,
            remoteVirtualNetwork: { id: hubOut().vnetId },
            allowVirtualNetworkAccess: true,
            allowForwardedTraffic: true,
            useRemoteGateways: false,
        });
        const fromHub = i(T.peering, "spoke-peer-from-hub");
        expect(fromHub).toMatchObject({
            resourceGroupName: hubOut().resourceGroupName,
            virtualNetworkName: hubOut().vnetName,
            remoteVirtualNetwork: { id: vnetId },
            allowVirtualNetworkAccess: true,
        });
        expect(one(stack, T.peering, "spoke-peer-from-hub").id).toMatch(new RegExp(`/virtualNetworks/${hubOut().vnetName}/virtualNetworkPeerings/`));
    });

    test("peerings wait for the last subnet write (a busy VNet answers 409)", () => {
        const last = one(stack, T.subnet, `spoke-snet-${kebab(SPOKE_SUBNETS[SPOKE_SUBNETS.length - 1])}`).urn;
        for (const p of ofType(stack, T.peering)) expect(p.dependencies).toContain(last);
    });

    test("every hub zone is linked to the spoke VNet (links live in the hub resource group)", () => {
        const vnetId = one(stack, T.vnet, "spoke-vnet").id;
        const links = ofType(stack, T.link);
        expect(links).toHaveLength(PRIVATE_DNS_ZONE_KEYS.length);
        for (const key of PRIVATE_DNS_ZONE_KEYS) {
            expect(i(T.link, `spoke-zone-${key}-link`)).toMatchObject({
                // `aks`: the spoke's own environment's API-server zone (issue 22 §10).
                privateZoneName: key === "aks" ? hubOut().aksPrivateDnsZoneNames[rawSpoke(stack).environment] : hubOut().privateDnsZoneNames[key],
                resourceGroupName: hubOut().resourceGroupName,
                virtualNetwork: { id: vnetId },
                registrationEnabled: false,
                location: "global",
            });
        }
    });

    test("component outputs consumers code against", () => {
        const component = one(stack, T.component).outputs as Record<string, any>;
        expect(Object.keys(component.subnetIds).sort()).toEqual([...SPOKE_SUBNETS].sort());
        for (const role of SPOKE_SUBNETS) expect(component.subnetIds[role]).toBe(one(stack, T.subnet, `spoke-snet-${kebab(role)}`).id);
        expect(component.routeTableId).toBe(one(stack, T.rt, "spoke-rt-nodes").id);
        expect(component.ingressPublicIpId).toBe(one(stack, T.pip, "spoke-pip-ingress").id);
        expect(component.ingressPublicIpName).toBe(i(T.pip, "spoke-pip-ingress").publicIpAddressName);
        expect(component.privateDnsZoneIds).toEqual({ ...hubOut().privateDnsZoneIds, aks: hubOut().aksPrivateDnsZoneIds[rawSpoke(stack).environment] });
    });
});
