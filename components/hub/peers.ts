/**
 * Hubs of other regions (issue 18): every hub is peered with every other hub (global VNet peering), each spoke only
 * with its own region's hub, and traffic between regions goes hub to hub through both firewalls — Learn "Use Azure
 * Firewall to route a multi hub and spoke topology" (firewall/firewall-multi-hub-spoke.md): a route table on
 * AzureFirewallSubnet sends each other region's block to that region's firewall, `0.0.0.0/0` stays on Internet (Azure
 * requires it there), and each firewall admits the flow in its policy.
 *
 * The other hubs' facts come from their stack files (config `peerHubFacts`), never from their outputs, so no hub reads
 * another's state. Hubs deploy in one order — the hub owning the shared private DNS zones first, then by stack name —
 * and the later hub of each pair declares everything the pair shares, both directions (as a spoke declares both
 * halves of its hub peering): the two peerings and each VNet's link to the other region's internal zone. Any number
 * of regions needs no code change.
 */
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";
import { firewallPrivateIp } from "../../config/address-plan";
import type { PeerHubFacts } from "../../config";
import { Namer } from "../core/naming";

/** Deploy order of hubs: the DNS-owning hub (no privateDnsZonesHub) first, then by stack name. */
function rank(stack: string, dnsOwner: boolean): string {
    return `${dnsOwner ? 0 : 1}:${stack}`;
}

/** Whether hub `self` declares the pair it forms with `peer` (the later of the two in deploy order). */
export function ownsPair(self: { stack: string; privateDnsZonesHub?: string }, peer: PeerHubFacts): boolean {
    return rank(self.stack, !self.privateDnsZonesHub).localeCompare(rank(peer.stack, !peer.privateDnsZonesHub)) > 0;
}

/** A peer hub's ARM names, derived as its own stack derives them. */
export function peerNames(peer: Pick<PeerHubFacts, "namePrefix" | "location">): { resourceGroup: string; vnet: string } {
    const names = new Namer({ prefix: peer.namePrefix, environment: "hub", location: peer.location });
    return { resourceGroup: names.of("resourceGroup"), vnet: names.of("virtualNetwork") };
}

/** Routes of AzureFirewallSubnet: Internet as Azure requires, and each other region's block to its firewall. */
export function firewallSubnetRoutes(peers: PeerHubFacts[]) {
    return [
        { name: "default-internet", addressPrefix: "0.0.0.0/0", nextHopType: "Internet" },
        ...peers.map((p) => ({ name: `to-${p.location}`, addressPrefix: p.regionBlock, nextHopType: "VirtualAppliance", nextHopIpAddress: firewallPrivateIp(p.firewallSubnet) })),
    ];
}

const envOf = (stack: string) => stack.split("-")[0];

/**
 * Network rules between regions: a spoke reaches the same environment's spokes of another region on 443 (their
 * internal ingress) and nothing else. Both firewalls on the path hold the rule (each hub declares both directions),
 * and environments never meet across regions (dev reaches no prd anywhere).
 */
export function crossRegionRules(location: string, spokes: Record<string, string>, peers: PeerHubFacts[]) {
    const rules = [];
    for (const p of peers) {
        for (const env of [...new Set(Object.keys(spokes).map(envOf))].sort()) {
            const local = Object.entries(spokes).filter(([s]) => envOf(s) === env).map(([, c]) => c);
            const remote = Object.entries(p.spokes).filter(([s]) => envOf(s) === env).map(([, c]) => c);
            if (!remote.length) continue;
            const rule = (name: string, from: string[], to: string[], what: string) => ({
                ruleType: "NetworkRule" as const,
                name,
                description: `${what}: internal ingress only`,
                ipProtocols: ["TCP" as const],
                sourceAddresses: from,
                destinationAddresses: to,
                destinationPorts: ["443"],
            });
            rules.push(
                rule(`${env}-to-${p.location}`, local, remote, `${env} spokes of ${location} → ${env} spokes of ${p.location}`),
                rule(`${env}-from-${p.location}`, remote, local, `${env} spokes of ${p.location} → ${env} spokes of ${location}`),
            );
        }
    }
    return rules;
}

export interface HubPairArgs {
    names: Namer;
    resourceGroupName: pulumi.Input<string>;
    vnet: network.VirtualNetwork;
    /** The hub's own internal DNS zone (the peer's VNet is linked to it). */
    internalZoneName: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    /** Peerings wait for this hub's last subnet write (pulumi/pulumi-azure-native#699). */
    after: pulumi.Resource[];
}

/** The resources of one hub pair this hub owns: both peerings and both cross-region internal-zone links. */
export function declareHubPair(name: string, args: HubPairArgs, peer: PeerHubFacts, parent: pulumi.Resource): pulumi.CustomResource[] {
    const remote = peerNames(peer);
    const remoteVnetId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${remote.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${remote.vnet}`;
    // Forwarded traffic on: what crosses arrives from the other firewall with a spoke's source address.
    const common = { allowVirtualNetworkAccess: true, allowForwardedTraffic: true, allowGatewayTransit: false, useRemoteGateways: false };
    const out = new network.VirtualNetworkPeering(
        `${name}-peer-${peer.stack}`,
        { ...common, virtualNetworkPeeringName: args.names.of("peering", `to-${peer.location}`), resourceGroupName: args.resourceGroupName, virtualNetworkName: args.vnet.name, remoteVirtualNetwork: { id: remoteVnetId } },
        { parent, dependsOn: args.after },
    );
    const back = new network.VirtualNetworkPeering(
        `${name}-peer-${peer.stack}-back`,
        { ...common, virtualNetworkPeeringName: args.names.of("peering", `from-${peer.location}`), resourceGroupName: remote.resourceGroup, virtualNetworkName: remote.vnet, remoteVirtualNetwork: { id: args.vnet.id } },
        { parent, dependsOn: [out] },
    );
    // Internal ingress names of each region resolve in the other (its firewall's DNS proxy asks from its hub VNet).
    const link = (key: string, zoneName: pulumi.Input<string>, zoneResourceGroup: pulumi.Input<string>, vnetName: pulumi.Input<string>, vnetId: pulumi.Input<string>) =>
        new privatedns.VirtualNetworkLink(
            `${name}-peer-${peer.stack}-${key}`,
            { virtualNetworkLinkName: vnetName, privateZoneName: zoneName, resourceGroupName: zoneResourceGroup, location: "global", virtualNetwork: { id: vnetId }, registrationEnabled: false, resolutionPolicy: "Default" },
            { parent },
        );
    return [
        out,
        back,
        link("internal-link", peer.internalDnsZone, remote.resourceGroup, args.vnet.name, args.vnet.id),
        link("internal-link-back", args.internalZoneName, args.resourceGroupName, remote.vnet, remoteVnetId),
    ];
}
