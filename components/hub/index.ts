/**
 * The hub: VNet with the Azure-reserved subnets and a shared-services subnet, Azure Firewall Premium with its
 * policy (threat intelligence and IDPS in Deny, DNS proxy on, egress rule collection groups per concern, chained),
 * one IP group per spoke, the platform's private DNS zones linked to the hub VNet, an optional Bastion, firewall
 * diagnostics into Log Analytics and a CanNotDelete lock on the hub resource group.
 *
 * Spokes are not declared here: each spoke stack declares both peering directions and its own zone links
 * (components/network). Adding a spoke redeploys the hub only for what is per spoke: its IP group, its environment's
 * AKS API-server zone, and its pipeline's grants on its own hub-side objects (spoke-access.ts).
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";
import type { HubConfig } from "../../config/schema";
import { diagnosticSettings } from "../core/diagnostics";
import type { Namer } from "../core/naming";
import { hubNsgRules } from "../network/nsg-rules";
import { createSpokeAccess, type SpokeAccessFacts } from "./spoke-access";
import { createHubDeployerAccess } from "./deployer-access";
import { aksZoneName, HUB_ZONE_KEYS, type HubZoneKey, isPrivateLinkZone, type PrivateDnsZoneKey, privateDnsZoneNames } from "./dns-zones";
import { egressGroups, ruleCollections } from "./egress-rules";
import { crossRegionRules, declareHubPair, firewallSubnetRoutes, ownsPair, peerNames } from "./peers";
import type { PeerHubFacts } from "../../config";
import { subscriptionIdOf } from "../rbac/roles";

/** Azure's fixed subnet names; these carry no NSG (Azure rejects or ignores one) except AzureBastionSubnet. */
export const RESERVED_SUBNET_NAMES = {
    firewall: "AzureFirewallSubnet",
    firewallManagement: "AzureFirewallManagementSubnet",
    gateway: "GatewaySubnet",
    bastion: "AzureBastionSubnet",
} as const;

/** Availability zones of the firewall and its public IPs (uaenorth has three). */
const ZONES = ["1", "2", "3"];

export interface HubArgs {
    names: Namer;
    location: string;
    /** The hub resource group (from the hub's Foundation). */
    resourceGroupName: pulumi.Input<string>;
    resourceGroupId: pulumi.Input<string>;
    /** Hub Log Analytics workspace for firewall, bastion and NSG logs. */
    workspaceId: pulumi.Input<string>;
    network: HubConfig["network"];
    /** Deploy Azure Bastion into network.subnets.bastion (validated to exist when true). */
    bastion: boolean;
    /** Address space per spoke stack name, one IP group each (read from the spokes' stack files). */
    spokeAddressSpaces: Record<string, string>;
    /** Environments of the spokes the hub serves: each gets its own AKS API-server zone. */
    environments: string[];
    /** The spokes whose pipelines get their hub-side objects (spoke-access.ts); the hub stack's name for role names. */
    spokeAccess: { stack: string; spokes: SpokeAccessFacts[] };
    /** The other regions' hubs, from their stack files (peers.ts): peering, routes, cross-region rules, DNS. */
    peers: PeerHubFacts[];
    /** The hub owning the privatelink zones every region shares; undefined: this hub owns them. */
    privateDnsZonesHub?: string;
    /** Object id of the hub's own deploying identity (aiplatform:rbac.automation): its rights are declared here (deployer-access.ts). */
    deployerPrincipalId?: string;
}

export interface HubResult {
    vnetId: pulumi.Output<string>;
    vnetName: pulumi.Output<string>;
    subnetIds: Record<string, pulumi.Output<string>>;
    firewallId: pulumi.Output<string>;
    firewallPolicyId: pulumi.Output<string>;
    firewallPrivateIp: pulumi.Output<string>;
    firewallPublicIp: pulumi.Output<string>;
    privateDnsZoneIds: Record<HubZoneKey, pulumi.Output<string>>;
    privateDnsZoneNames: Record<HubZoneKey, string>;
    /** Each environment's AKS API-server zone, by environment. */
    aksPrivateDnsZoneIds: Record<string, pulumi.Output<string>>;
    aksPrivateDnsZoneNames: Record<string, string>;
    ipGroupIds: Record<string, pulumi.Output<string>>;
}

export function createHub(name: string, args: HubArgs, parent: pulumi.Resource): HubResult {
    const { names, location, resourceGroupName } = args;
    const net = args.network;
    // Everything the lock protects: the lock depends on all of it, so `pulumi destroy` deletes the lock first.
    const locked: pulumi.Resource[] = [];
    const track = <T extends pulumi.Resource>(r: T): T => {
        locked.push(r);
        return r;
    };

    const vnet = track(new network.VirtualNetwork(
        `${name}-vnet`,
        {
            virtualNetworkName: names.of("virtualNetwork"),
            resourceGroupName,
            location,
            addressSpace: { addressPrefixes: [net.addressSpace] },
            // Subnets and peerings are standalone resources (never inline): one style per parent.
        },
        { parent },
    ));

    // NSGs (rules inline: one style for every NSG of the platform) for the subnets that can carry one.
    const sharedNsg = track(new network.NetworkSecurityGroup(
        `${name}-nsg-shared`,
        {
            networkSecurityGroupName: names.of("networkSecurityGroup", "shared"),
            resourceGroupName,
            location,
            securityRules: hubNsgRules("sharedServices", { bastionPrefix: net.subnets.bastion }),
        },
        { parent },
    ));
    track(diagnosticSettings(`${name}-nsg-shared`, { resourceId: sharedNsg.id, workspaceId: args.workspaceId, categoryGroups: ["allLogs"], metrics: false }, parent));
    const bastionNsg = args.bastion
        ? track(new network.NetworkSecurityGroup(
              `${name}-nsg-bastion`,
              {
                  networkSecurityGroupName: names.of("networkSecurityGroup", "bastion"),
                  resourceGroupName,
                  location,
                  securityRules: hubNsgRules("bastion", {}),
              },
              { parent },
          ))
        : undefined;
    if (bastionNsg) {
        track(diagnosticSettings(`${name}-nsg-bastion`, { resourceId: bastionNsg.id, workspaceId: args.workspaceId, categoryGroups: ["allLogs"], metrics: false }, parent));
    }

    // Subnets one after another: parallel subnet writes on one VNet fail with 409 AnotherOperationInProgress
    // (pulumi/pulumi-azure-native#699).
    const subnets: Record<string, network.Subnet> = {};
    let previous: network.Subnet | undefined;
    const subnet = (key: string, subnetName: string, prefix: string, extra: Partial<network.SubnetArgs> = {}) => {
        previous = track(new network.Subnet(
            `${name}-snet-${key}`,
            { subnetName, resourceGroupName, virtualNetworkName: vnet.name, addressPrefix: prefix, ...extra },
            { parent, dependsOn: previous ? [previous] : [] },
        ));
        subnets[key] = previous;
        return previous;
    };
    // With other regions: AzureFirewallSubnet routes each other region's block to that region's firewall (peers.ts).
    const firewallRoutes = args.peers.length
        ? track(new network.RouteTable(
              `${name}-rt-firewall`,
              { routeTableName: names.of("routeTable", "firewall"), resourceGroupName, location, disableBgpRoutePropagation: false, routes: firewallSubnetRoutes(args.peers) },
              { parent },
          ))
        : undefined;
    const firewallSubnet = subnet("firewall", RESERVED_SUBNET_NAMES.firewall, net.subnets.firewall, firewallRoutes ? { routeTable: { id: firewallRoutes.id } } : {});
    const managementSubnet = net.subnets.firewallManagement
        ? subnet("firewallManagement", RESERVED_SUBNET_NAMES.firewallManagement, net.subnets.firewallManagement)
        : undefined;
    subnet("gateway", RESERVED_SUBNET_NAMES.gateway, net.subnets.gateway);
    const bastionSubnet =
        bastionNsg && net.subnets.bastion
            ? subnet("bastion", RESERVED_SUBNET_NAMES.bastion, net.subnets.bastion, { networkSecurityGroup: { id: bastionNsg.id } })
            : undefined;

    // One IP group per spoke, plus the hub's shared-services subnet.
    // Chained as well: IP groups referenced by one firewall policy are updated through it, and parallel updates 409.
    const ipGroups: Record<string, network.IpGroup> = {};
    let previousIpGroup: network.IpGroup | undefined;
    const ipGroup = (key: string, addresses: string[]) =>
        (previousIpGroup = track(new network.IpGroup(
            `${name}-ipg-${key}`,
            { ipGroupsName: names.of("ipGroup", key), resourceGroupName, location, ipAddresses: addresses },
            { parent, dependsOn: previousIpGroup ? [previousIpGroup] : [] },
        )));
    for (const [stack, addressSpace] of Object.entries(args.spokeAddressSpaces)) ipGroups[stack] = ipGroup(stack, [addressSpace]);
    const sharedIpGroup = ipGroup("shared", [net.subnets.sharedServices]);

    const policy = track(new network.FirewallPolicy(
        `${name}-afwp`,
        {
            firewallPolicyName: names.of("firewallPolicy"),
            resourceGroupName,
            location,
            sku: { tier: "Premium" },
            threatIntelMode: "Deny",
            intrusionDetection: { mode: "Deny" },
            // Spokes use the firewall as their DNS server: FQDN network rules and the app rules then resolve alike.
            dnsSettings: { enableProxy: true },
            insights: { isEnabled: true, retentionDays: 30, logAnalyticsResources: { defaultWorkspaceId: { id: args.workspaceId } } },
        },
        { parent },
    ));

    // Rule collection groups, each waiting for the previous one: one policy accepts one write at a time (409 otherwise).
    const spokeSources = Object.values(ipGroups).map((g) => g.id);
    let previousGroup: pulumi.Resource | undefined;
    for (const group of egressGroups(location)) {
        const sources = group.includeHubSharedServices ? [...spokeSources, sharedIpGroup.id] : spokeSources;
        previousGroup = track(new network.FirewallPolicyRuleCollectionGroup(
            `${name}-rcg-${group.key}`,
            {
                ruleCollectionGroupName: group.key,
                firewallPolicyName: policy.name,
                resourceGroupName,
                priority: group.priority,
                ruleCollections: ruleCollections(group, sources),
            },
            { parent, dependsOn: previousGroup ? [previousGroup] : [] },
        ));
    }
    const crossRegion = crossRegionRules(location, args.spokeAddressSpaces, args.peers);
    if (crossRegion.length) {
        previousGroup = track(new network.FirewallPolicyRuleCollectionGroup(
            `${name}-rcg-cross-region`,
            {
                ruleCollectionGroupName: "cross-region",
                firewallPolicyName: policy.name,
                resourceGroupName,
                priority: 800,
                ruleCollections: [{ ruleCollectionType: "FirewallPolicyFilterRuleCollection", name: "cross-region-network", priority: 100, action: { type: "Allow" }, rules: crossRegion }],
            },
            { parent, dependsOn: previousGroup ? [previousGroup] : [] },
        ));
    }

    const publicIp = (role: string) =>
        track(new network.PublicIPAddress(
            `${name}-pip-${role}`,
            {
                publicIpAddressName: names.of("publicIp", role),
                resourceGroupName,
                location,
                sku: { name: "Standard", tier: "Regional" },
                publicIPAllocationMethod: "Static",
                publicIPAddressVersion: "IPv4",
                zones: ZONES,
            },
            { parent },
        ));
    const firewallPip = publicIp("afw");
    const managementPip = managementSubnet ? publicIp("afw-mgmt") : undefined;

    const firewall = track(new network.AzureFirewall(
        `${name}-afw`,
        {
            azureFirewallName: names.of("firewall"),
            resourceGroupName,
            location,
            zones: ZONES,
            sku: { name: "AZFW_VNet", tier: "Premium" },
            firewallPolicy: { id: policy.id },
            ipConfigurations: [{ name: "ipconfig", subnet: { id: firewallSubnet.id }, publicIPAddress: { id: firewallPip.id } }],
            ...(managementSubnet && managementPip
                ? { managementIpConfiguration: { name: "mgmt-ipconfig", subnet: { id: managementSubnet.id }, publicIPAddress: { id: managementPip.id } } }
                : {}),
        },
        // The firewall applies the policy's rules on attach; creating it before the rules exist would briefly deny all.
        { parent, dependsOn: previousGroup ? [previousGroup] : [] },
    ));
    track(diagnosticSettings(`${name}-afw`, { resourceId: firewall.id, workspaceId: args.workspaceId, categoryGroups: ["allLogs"] }, parent));

    const firewallPrivateIp = firewall.ipConfigurations.apply((configs) => {
        const ip = configs?.[0]?.privateIPAddress;
        if (!ip) throw new pulumi.ResourceError("Azure Firewall returned no private IP on its first ip configuration", firewall);
        return ip;
    });

    // Shared services egress through the firewall too.
    const sharedRoutes = track(new network.RouteTable(
        `${name}-rt-shared`,
        {
            routeTableName: names.of("routeTable", "shared"),
            resourceGroupName,
            location,
            disableBgpRoutePropagation: true,
            routes: [{ name: "default-to-firewall", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: firewallPrivateIp }],
        },
        { parent },
    ));
    subnet("sharedServices", names.of("subnet", "shared"), net.subnets.sharedServices, {
        networkSecurityGroup: { id: sharedNsg.id },
        routeTable: { id: sharedRoutes.id },
        defaultOutboundAccess: false,
    });

    let bastion: network.BastionHost | undefined;
    if (bastionSubnet) {
        const bastionPip = publicIp("bas");
        bastion = track(new network.BastionHost(
            `${name}-bas`,
            {
                bastionHostName: names.of("bastion"),
                resourceGroupName,
                location,
                sku: { name: "Standard" },
                // Native-client tunnels (az network bastion ssh/tunnel) for operators; no shareable links.
                enableTunneling: true,
                enableShareableLink: false,
                ipConfigurations: [{ name: "ipconfig", subnet: { id: bastionSubnet.id }, publicIPAddress: { id: bastionPip.id } }],
            },
            { parent },
        ));
        track(diagnosticSettings(`${name}-bas`, { resourceId: bastion.id, workspaceId: args.workspaceId, categoryGroups: ["allLogs"] }, parent));
    }

    // Private DNS zones, linked to the hub VNet (where the firewall's DNS proxy resolves); spokes link themselves.
    // One AKS API-server zone per environment: an environment's AKS identity writes records in its own zone only.
    // Multi-region (README "Multi-region", private DNS decision): the privatelink zones are global and shared — one
    // zone per name, owned by one hub, linked to every hub and spoke VNet of every region — so an endpoint's record
    // resolves from every region. A hub that names privateDnsZonesHub links its VNet to that hub's zones instead of
    // creating its own. The internal and AKS zones have region-specific names and stay in each region's hub.
    const zoneNames = privateDnsZoneNames(location, net.internalDnsZone);
    const subscriptionId = subscriptionIdOf(parent);
    const dnsOwner = args.privateDnsZonesHub ? args.peers.find((p) => p.stack === args.privateDnsZonesHub) : undefined;
    if (args.privateDnsZonesHub && !dnsOwner) throw new Error(`privateDnsZonesHub ${args.privateDnsZonesHub} is no hub stack of this repository`);
    const dnsOwnerGroup = dnsOwner ? peerNames(dnsOwner).resourceGroup : undefined;
    const linkVnet = (key: string, zoneName: pulumi.Input<string>, zoneGroup: pulumi.Input<string>, privateLink: boolean) =>
        track(new privatedns.VirtualNetworkLink(
            `${name}-zone-${key}-link`,
            {
                virtualNetworkLinkName: names.of("virtualNetwork"),
                privateZoneName: zoneName,
                resourceGroupName: zoneGroup,
                location: "global",
                virtualNetwork: { id: vnet.id },
                registrationEnabled: false,
                resolutionPolicy: privateLink ? "NxDomainRedirect" : "Default",
            },
            { parent },
        ));
    const zone = (key: string, zoneName: string, privateLink: boolean): pulumi.Output<string> => {
        const shared = dnsOwnerGroup !== undefined && privateLink && key !== "internal" && !key.startsWith("aks-");
        if (shared) {
            linkVnet(key, zoneName, dnsOwnerGroup, privateLink);
            return pulumi.interpolate`/subscriptions/${subscriptionId}/resourceGroups/${dnsOwnerGroup}/providers/Microsoft.Network/privateDnsZones/${zoneName}`;
        }
        const z = track(new privatedns.PrivateZone(`${name}-zone-${key}`, { privateZoneName: zoneName, resourceGroupName, location: "global" }, { parent }));
        linkVnet(key, z.name, resourceGroupName, privateLink);
        return z.id;
    };
    const zoneIds = Object.fromEntries(HUB_ZONE_KEYS.map((key) => [key, zone(key, zoneNames[key], isPrivateLinkZone(key))])) as Record<HubZoneKey, pulumi.Output<string>>;
    const aksZoneNames = Object.fromEntries(args.environments.map((env) => [env, aksZoneName(location, env)]));
    const aksZones = Object.fromEntries(args.environments.map((env) => [env, zone(`aks-${env}`, aksZoneNames[env], true)]));

    // The hub pairs this hub owns (peers.ts): both global peerings and both internal-zone links, after the last subnet.
    for (const peer of args.peers.filter((p) => ownsPair({ stack: args.spokeAccess.stack, privateDnsZonesHub: args.privateDnsZonesHub }, p))) {
        declareHubPair(`${name}`, { names, resourceGroupName, vnet, internalZoneName: zoneNames.internal, subscriptionId, after: previous ? [previous] : [] }, peer, parent).forEach(track);
    }

    // Each spoke pipeline's grants on its own hub-side objects, under the lock like everything else here.
    createSpokeAccess(
        `${name}-spoke-access`,
        {
            stack: args.spokeAccess.stack,
            spokes: args.spokeAccess.spokes,
            resourceGroupId: args.resourceGroupId,
            vnetId: vnet.id,
            zoneIds: (env) => ({ ...zoneIds, aks: aksZones[env] }) as Record<PrivateDnsZoneKey, pulumi.Output<string>>,
            // The shared zones live in the DNS-owning hub's group: this hub's spoke roles must be assignable there too.
            extraScopes: dnsOwnerGroup ? [pulumi.interpolate`/subscriptions/${subscriptionId}/resourceGroups/${dnsOwnerGroup}`] : [],
        },
        parent,
    ).forEach(track);

    if (args.deployerPrincipalId) {
        createHubDeployerAccess(
            `${name}-deployer`,
            {
                stack: args.spokeAccess.stack,
                principalId: args.deployerPrincipalId,
                resourceGroupId: args.resourceGroupId,
                spokePipelines: args.spokeAccess.spokes.flatMap((s) => (s.automation ? [s.automation] : [])),
            },
            parent,
        ).forEach(track);
    }

    // Last, depending on everything above (see `locked`).
    new authorization.ManagementLockByScope(
        `${name}-lock`,
        {
            scope: args.resourceGroupId,
            lockName: names.of("lock"),
            level: "CanNotDelete",
            notes: "Shared hub for every environment: firewall egress, private DNS. Spoke peerings, zone links and records live here too: removing a spoke needs this lock lifted (docs/runbooks/break-glass.md).",
        },
        { parent, dependsOn: locked },
    );

    return {
        vnetId: vnet.id,
        vnetName: vnet.name,
        subnetIds: Object.fromEntries(Object.entries(subnets).map(([k, s]) => [k, s.id])),
        firewallId: firewall.id,
        firewallPolicyId: policy.id,
        firewallPrivateIp,
        firewallPublicIp: firewallPip.ipAddress.apply((ip) => {
            if (!ip) throw new pulumi.ResourceError("the firewall public IP has no address", firewallPip);
            return ip;
        }),
        privateDnsZoneIds: zoneIds,
        privateDnsZoneNames: zoneNames,
        aksPrivateDnsZoneIds: aksZones,
        aksPrivateDnsZoneNames: aksZoneNames,
        ipGroupIds: Object.fromEntries(Object.entries(ipGroups).map(([k, g]) => [k, g.id])),
    };
}

export class Hub extends pulumi.ComponentResource {
    public readonly vnetId: pulumi.Output<string>;
    public readonly vnetName: pulumi.Output<string>;
    public readonly subnetIds: Record<string, pulumi.Output<string>>;
    public readonly firewallId: pulumi.Output<string>;
    public readonly firewallPolicyId: pulumi.Output<string>;
    public readonly firewallPrivateIp: pulumi.Output<string>;
    public readonly firewallPublicIp: pulumi.Output<string>;
    public readonly privateDnsZoneIds: Record<HubZoneKey, pulumi.Output<string>>;
    public readonly privateDnsZoneNames: Record<HubZoneKey, string>;
    public readonly aksPrivateDnsZoneIds: Record<string, pulumi.Output<string>>;
    public readonly aksPrivateDnsZoneNames: Record<string, string>;
    public readonly ipGroupIds: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: HubArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:network:Hub", name, {}, opts);
        const out = createHub(name, args, this);
        this.vnetId = out.vnetId;
        this.vnetName = out.vnetName;
        this.subnetIds = out.subnetIds;
        this.firewallId = out.firewallId;
        this.firewallPolicyId = out.firewallPolicyId;
        this.firewallPrivateIp = out.firewallPrivateIp;
        this.firewallPublicIp = out.firewallPublicIp;
        this.privateDnsZoneIds = out.privateDnsZoneIds;
        this.privateDnsZoneNames = out.privateDnsZoneNames;
        this.aksPrivateDnsZoneIds = out.aksPrivateDnsZoneIds;
        this.aksPrivateDnsZoneNames = out.aksPrivateDnsZoneNames;
        this.ipGroupIds = out.ipGroupIds;
        this.registerOutputs({ ...out });
    }
}
