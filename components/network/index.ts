/**
 * The spoke network: VNet (DNS through the hub firewall's DNS proxy), one subnet per role with its own NSG,
 * route tables that send egress to the firewall, the public ingress path, peering with the hub in both
 * directions, links from the hub's private DNS zones, and the public IP of the public ingress load balancer.
 *
 * Ownership: this stack declares BOTH peering directions (the hub side on the hub VNet, in the hub resource group)
 * and its own zone links, so adding or removing a spoke never redeploys the hub.
 *
 * Public ingress and the UDR (asymmetric routing): node subnets send 0.0.0.0/0 to the firewall, which would take
 * the replies of connections that arrived through the public load balancer and drop them (the firewall never saw
 * the SYN). The ingressPublic subnet therefore has its OWN route table: 0.0.0.0/0 → firewall like every node subnet,
 * plus one more-specific route per Cloudflare range with next hop Internet. Only Cloudflare reaches the public
 * load balancer (NSG), so every reply takes the direct path back through the load balancer, while all other egress
 * stays on the firewall. The ingress subnet's NSG denies NEW outbound connections to Cloudflare ranges (NSGs are
 * stateful, replies still pass), so those routes cannot become an unfiltered way out. This needs the public NGINX on
 * nodes of that subnet (the `ingress` pool, `subnet: ingressPublic`) with `externalTrafficPolicy: Local`; the other
 * node subnets carry no bypass routes at all. README "Public ingress and the UDR" weighs the alternatives.
 */
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";
import { ingressInternalIp } from "../../config/address-plan";
import type { SpokeConfig } from "../../config/schema";
import { cloudflareIpv4Ranges } from "../edge/cloudflare-ips";
import { diagnosticSettings } from "../core/diagnostics";
import type { Namer } from "../core/naming";
import { isPrivateLinkZone, PRIVATE_DNS_ZONE_KEYS, type PrivateDnsZoneKey } from "../hub/dns-zones";
import type { HubOutputs } from "../hub/outputs";
import { readyAfter } from "../rbac/roles";
import { type SpokeSubnetRole, spokeNsgRules } from "./nsg-rules";

export { privateEndpoint, type PrivateEndpointArgs, type PrivateLinkGroup, PRIVATE_LINK_GROUPS } from "./private-endpoint";
export type { SpokeSubnetRole } from "./nsg-rules";

/** Subnet roles in creation order; the key is also the config key under aiplatform:network.subnets. */
export const SPOKE_SUBNETS: readonly SpokeSubnetRole[] = ["system", "user", "gpu", "apiServer", "ingressPublic", "ingressInternal", "privateEndpoints"];

/** Which route table a subnet carries. The API server and private-endpoint subnets need none (traffic only arrives). */
export const SUBNET_ROUTES: Record<SpokeSubnetRole, "nodes" | "ingressPublic" | undefined> = {
    system: "nodes",
    user: "nodes",
    gpu: "nodes",
    apiServer: undefined,
    ingressPublic: "ingressPublic",
    ingressInternal: "nodes",
    privateEndpoints: undefined,
};

/** Kebab-case role used in resource and Azure names (apiServer → api-server). */
const kebab = (role: string) => role.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

type HubInputs = { [K in "vnetId" | "vnetName" | "resourceGroupName" | "firewallPrivateIp" | "privateDnsZoneIds" | "privateDnsZoneNames"]: pulumi.Input<HubOutputs[K]> };

export interface SpokeNetworkArgs {
    names: Namer;
    location: string;
    /** The spoke resource group (from the Foundation). */
    resourceGroupName: pulumi.Input<string>;
    /** The spoke's Log Analytics workspace for NSG logs. */
    workspaceId: pulumi.Input<string>;
    /** Validated address plan (config/address-plan.ts ran before anything is declared). */
    network: SpokeConfig["network"];
    /** What the spoke needs from the hub stack (readHubOutputs). */
    hub: HubInputs;
}

export interface SpokeNetworkResult {
    vnetId: pulumi.Output<string>;
    vnetName: pulumi.Output<string>;
    subnetIds: Record<SpokeSubnetRole, pulumi.Output<string>>;
    /** Azure subnet names (e.g. the internal load balancer's `azure-load-balancer-internal-subnet` annotation). */
    subnetNames: Record<SpokeSubnetRole, string>;
    /** Node subnets' route table (0.0.0.0/0 → firewall): AKS outboundType userDefinedRouting validates it. */
    routeTableId: pulumi.Output<string>;
    /** The public ingress subnet's route table (firewall default + Cloudflare ranges → Internet). */
    ingressRouteTableId: pulumi.Output<string>;
    ingressPublicIpId: pulumi.Output<string>;
    ingressPublicIpAddress: pulumi.Output<string>;
    /** Azure name of the public IP (service annotation `service.beta.kubernetes.io/azure-pip-name`). */
    ingressPublicIpName: string;
    /** Fixed address of the internal NGINX load balancer inside the ingressInternal subnet. */
    ingressInternalIp: string;
    privateDnsZoneIds: Record<PrivateDnsZoneKey, pulumi.Output<string>>;
    /**
     * The hub's AKS private DNS zone id, resolving only once both peerings and this VNet's link to the zone exist:
     * a private cluster must not start before its nodes can resolve and reach through the hub (deploy-order
     * constraint cluster-after-network-and-identity).
     */
    aksPrivateDnsZoneId: pulumi.Output<string>;
}

export function createSpokeNetwork(name: string, args: SpokeNetworkArgs, parent: pulumi.Resource): SpokeNetworkResult {
    const { names, location, resourceGroupName, hub } = args;
    const net = args.network;
    const internalIp = ingressInternalIp(net.subnets.ingressInternal);
    const subnetName = (role: SpokeSubnetRole) => names.of("subnet", kebab(role));
    const firewallIp = pulumi.output(hub.firewallPrivateIp);

    const vnet = new network.VirtualNetwork(
        `${name}-vnet`,
        {
            virtualNetworkName: names.of("virtualNetwork"),
            resourceGroupName,
            location,
            addressSpace: { addressPrefixes: [net.addressSpace] },
            // The firewall's DNS proxy: FQDN rules and clients resolve the same answers; the hub-linked zones answer privatelink names.
            dhcpOptions: { dnsServers: [firewallIp] },
            // Subnets and peerings are standalone resources (never inline): one style per parent.
        },
        { parent },
    );

    const defaultRoute = { name: "default-to-firewall", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: firewallIp };
    const nodeRoutes = new network.RouteTable(
        `${name}-rt-nodes`,
        {
            routeTableName: names.of("routeTable", "nodes"),
            resourceGroupName,
            location,
            // Gateway-learned routes must never bypass the firewall.
            disableBgpRoutePropagation: true,
            routes: [defaultRoute],
        },
        { parent },
    );
    const ingressRoutes = new network.RouteTable(
        `${name}-rt-ingress-public`,
        {
            routeTableName: names.of("routeTable", "ingress-public"),
            resourceGroupName,
            location,
            disableBgpRoutePropagation: true,
            // Replies to Cloudflare leave through the public load balancer that received the request (see header).
            routes: [
                defaultRoute,
                ...cloudflareIpv4Ranges().map((prefix) => ({
                    name: `cloudflare-${prefix.replace(/[./]/g, "-")}`,
                    addressPrefix: prefix,
                    nextHopType: "Internet",
                })),
            ],
        },
        { parent },
    );
    const routeTables = { nodes: nodeRoutes, ingressPublic: ingressRoutes };

    const nsgContext = { vnetCidr: net.addressSpace, podCidr: net.podCidr, ingressInternalIp: internalIp };
    const subnets = {} as Record<SpokeSubnetRole, network.Subnet>;
    let previous: network.Subnet | undefined;
    for (const role of SPOKE_SUBNETS) {
        const nsg = new network.NetworkSecurityGroup(
            `${name}-nsg-${kebab(role)}`,
            {
                networkSecurityGroupName: names.of("networkSecurityGroup", kebab(role)),
                resourceGroupName,
                location,
                securityRules: spokeNsgRules(role, nsgContext),
            },
            { parent },
        );
        diagnosticSettings(`${name}-nsg-${kebab(role)}`, { resourceId: nsg.id, workspaceId: args.workspaceId, categoryGroups: ["allLogs"], metrics: false }, parent);
        const routes = SUBNET_ROUTES[role];
        // One subnet at a time: parallel subnet writes on one VNet fail with 409 AnotherOperationInProgress
        // (pulumi/pulumi-azure-native#699).
        previous = new network.Subnet(
            `${name}-snet-${kebab(role)}`,
            {
                subnetName: subnetName(role),
                resourceGroupName,
                virtualNetworkName: vnet.name,
                addressPrefix: net.subnets[role],
                networkSecurityGroup: { id: nsg.id },
                ...(routes ? { routeTable: { id: routeTables[routes].id } } : {}),
                // Private subnets: no implicit Internet SNAT; egress only through the firewall (or the ingress LB).
                defaultOutboundAccess: false,
                ...(role === "apiServer"
                    ? { delegations: [{ name: "aks-api-server", serviceName: "Microsoft.ContainerService/managedClusters" }] }
                    : {}),
                // NSG rules apply to private endpoints only with network policies enabled.
                ...(role === "privateEndpoints" ? { privateEndpointNetworkPolicies: "Enabled" } : {}),
            },
            { parent, dependsOn: previous ? [previous] : [] },
        );
        subnets[role] = previous;
    }

    // Peering, both directions, after the last subnet write (a peering write on a busy VNet also gets 409).
    const afterSubnets = { parent, dependsOn: [previous!] };
    const toHub = new network.VirtualNetworkPeering(
        `${name}-peer-to-hub`,
        {
            virtualNetworkPeeringName: names.of("peering", "to-hub"),
            resourceGroupName,
            virtualNetworkName: vnet.name,
            remoteVirtualNetwork: { id: hub.vnetId },
            allowVirtualNetworkAccess: true,
            // Traffic the firewall forwards into the spoke (replies from the Internet, hub/VPN clients via the firewall).
            allowForwardedTraffic: true,
            // No VPN/ExpressRoute gateway in the hub yet; turning this on requires one.
            useRemoteGateways: false,
        },
        afterSubnets,
    );
    const fromHub = new network.VirtualNetworkPeering(
        `${name}-peer-from-hub`,
        {
            virtualNetworkPeeringName: names.of("peering", "from-hub"),
            resourceGroupName: hub.resourceGroupName,
            virtualNetworkName: hub.vnetName,
            remoteVirtualNetwork: { id: vnet.id },
            allowVirtualNetworkAccess: true,
            // Nothing in the spoke forwards traffic into the hub.
            allowForwardedTraffic: false,
            allowGatewayTransit: false,
        },
        afterSubnets,
    );

    // Links from every hub zone to this VNet (the hub links its own VNet; spokes link themselves).
    const resourceGroupOfId = (id: string) => {
        const m = /\/resourceGroups\/([^/]+)\//i.exec(id);
        if (!m) throw new pulumi.ResourceError(`the hub's zone id ${id} names no resource group`, parent);
        return m[1];
    };
    const zoneIds = {} as Record<PrivateDnsZoneKey, pulumi.Output<string>>;
    const zoneLinks = {} as Record<PrivateDnsZoneKey, privatedns.VirtualNetworkLink>;
    for (const key of PRIVATE_DNS_ZONE_KEYS) {
        zoneIds[key] = pulumi.output(hub.privateDnsZoneIds).apply((z) => z[key]);
        zoneLinks[key] = new privatedns.VirtualNetworkLink(
            `${name}-zone-${key}-link`,
            {
                virtualNetworkLinkName: names.of("virtualNetwork"),
                privateZoneName: pulumi.output(hub.privateDnsZoneNames).apply((z) => z[key]),
                // The zone's own group: the shared privatelink zones of another region's hub live there (multi-region).
                resourceGroupName: zoneIds[key].apply(resourceGroupOfId),
                location: "global",
                virtualNetwork: { id: vnet.id },
                registrationEnabled: false,
                resolutionPolicy: isPrivateLinkZone(key) ? "NxDomainRedirect" : "Default",
            },
            { parent },
        );
    }

    const ingressPublicIpName = names.of("publicIp", "ingress");
    const ingressPip = new network.PublicIPAddress(
        `${name}-pip-ingress`,
        {
            publicIpAddressName: ingressPublicIpName,
            resourceGroupName,
            location,
            sku: { name: "Standard", tier: "Regional" },
            publicIPAllocationMethod: "Static",
            publicIPAddressVersion: "IPv4",
            zones: ["1", "2", "3"],
        },
        { parent },
    );

    return {
        vnetId: vnet.id,
        vnetName: vnet.name,
        subnetIds: Object.fromEntries(SPOKE_SUBNETS.map((r) => [r, subnets[r].id])) as Record<SpokeSubnetRole, pulumi.Output<string>>,
        subnetNames: Object.fromEntries(SPOKE_SUBNETS.map((r) => [r, subnetName(r)])) as Record<SpokeSubnetRole, string>,
        routeTableId: nodeRoutes.id,
        ingressRouteTableId: ingressRoutes.id,
        ingressPublicIpId: ingressPip.id,
        ingressPublicIpAddress: ingressPip.ipAddress.apply((ip) => {
            if (!ip) throw new pulumi.ResourceError("the public ingress IP has no address", ingressPip);
            return ip;
        }),
        ingressPublicIpName,
        ingressInternalIp: internalIp,
        privateDnsZoneIds: zoneIds,
        aksPrivateDnsZoneId: readyAfter(zoneIds.aks, [toHub, fromHub, zoneLinks.aks]),
    };
}

export class SpokeNetwork extends pulumi.ComponentResource {
    public readonly vnetId: pulumi.Output<string>;
    public readonly vnetName: pulumi.Output<string>;
    public readonly subnetIds: Record<SpokeSubnetRole, pulumi.Output<string>>;
    public readonly subnetNames: Record<SpokeSubnetRole, string>;
    public readonly routeTableId: pulumi.Output<string>;
    public readonly ingressRouteTableId: pulumi.Output<string>;
    public readonly ingressPublicIpId: pulumi.Output<string>;
    public readonly ingressPublicIpAddress: pulumi.Output<string>;
    public readonly ingressPublicIpName: string;
    public readonly ingressInternalIp: string;
    public readonly privateDnsZoneIds: Record<PrivateDnsZoneKey, pulumi.Output<string>>;
    public readonly aksPrivateDnsZoneId: pulumi.Output<string>;

    constructor(name: string, args: SpokeNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:network:SpokeNetwork", name, {}, opts);
        const out = createSpokeNetwork(name, args, this);
        this.vnetId = out.vnetId;
        this.vnetName = out.vnetName;
        this.subnetIds = out.subnetIds;
        this.subnetNames = out.subnetNames;
        this.routeTableId = out.routeTableId;
        this.ingressRouteTableId = out.ingressRouteTableId;
        this.ingressPublicIpId = out.ingressPublicIpId;
        this.ingressPublicIpAddress = out.ingressPublicIpAddress;
        this.ingressPublicIpName = out.ingressPublicIpName;
        this.ingressInternalIp = out.ingressInternalIp;
        this.privateDnsZoneIds = out.privateDnsZoneIds;
        this.aksPrivateDnsZoneId = out.aksPrivateDnsZoneId;
        this.registerOutputs({ ...out });
    }
}
