/**
 * NSG rules per subnet role, as plain data (inline `securityRules`: the one style used for every NSG here).
 * Inbound is deny-by-default: explicit allows, then `deny-all-inbound` at 4096 so Azure's default
 * AllowVnetInBound (65000) never applies. No rule admits Internet or `*` sources to management ports.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CLOUDFLARE_IPS_SOURCE, cloudflareIpv4Ranges } from "../edge/cloudflare-ips";

export interface NsgRule {
    name: string;
    description: string;
    priority: number;
    direction: "Inbound" | "Outbound";
    access: "Allow" | "Deny";
    protocol: "Tcp" | "Udp" | "*";
    sourceAddressPrefix?: pulumi.Input<string>;
    sourceAddressPrefixes?: pulumi.Input<string>[];
    sourcePortRange: string;
    destinationAddressPrefix?: pulumi.Input<string>;
    destinationAddressPrefixes?: pulumi.Input<string>[];
    destinationPortRange?: string;
    destinationPortRanges?: string[];
}

const denyAllInbound: NsgRule = {
    name: "deny-all-inbound",
    description: "Deny by default: everything not allowed above",
    priority: 4096,
    direction: "Inbound",
    access: "Deny",
    protocol: "*",
    sourceAddressPrefix: "*",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "*",
};

const allowAzureLoadBalancer: NsgRule = {
    name: "allow-azure-load-balancer",
    description: "Azure Load Balancer health probes",
    priority: 120,
    direction: "Inbound",
    access: "Allow",
    protocol: "*",
    sourceAddressPrefix: "AzureLoadBalancer",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "*",
};

export type SpokeSubnetRole = "system" | "user" | "gpu" | "apiServer" | "ingressPublic" | "ingressInternal" | "privateEndpoints";

export interface SpokeNsgContext {
    /** The spoke VNet's address space. */
    vnetCidr: string;
    /** CNI overlay pod range (pod-to-node traffic inside the cluster). */
    podCidr: string;
    /** The internal NGINX load balancer's fixed address. */
    ingressInternalIp: string;
}

function allowIntraCluster(ctx: SpokeNsgContext): NsgRule {
    return {
        name: "allow-spoke-and-pods",
        description: "Node, pod and API server traffic inside the spoke (AKS does not support blocking it)",
        priority: 100,
        direction: "Inbound",
        access: "Allow",
        protocol: "*",
        sourceAddressPrefixes: [ctx.vnetCidr, ctx.podCidr],
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "*",
    };
}

function allowInternalIngress(ctx: SpokeNsgContext): NsgRule {
    return {
        name: "allow-internal-ingress",
        description: "HTTP(S) from the hub and connected networks to the internal NGINX load balancer",
        priority: 110,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourceAddressPrefix: "VirtualNetwork",
        sourcePortRange: "*",
        destinationAddressPrefix: `${ctx.ingressInternalIp}/32`,
        destinationPortRanges: ["80", "443"],
    };
}

/** Rules of the NSG on one spoke subnet. */
export function spokeNsgRules(role: SpokeSubnetRole, ctx: SpokeNsgContext): NsgRule[] {
    switch (role) {
        case "system":
        case "user":
        case "gpu":
        case "ingressInternal":
            return [allowIntraCluster(ctx), allowInternalIngress(ctx), allowAzureLoadBalancer, denyAllInbound];
        case "ingressPublic":
            return [
                allowIntraCluster(ctx),
                {
                    name: "allow-cloudflare-https",
                    description: `HTTPS only from Cloudflare's edge (${CLOUDFLARE_IPS_SOURCE.source}, ${CLOUDFLARE_IPS_SOURCE.retrieved})`,
                    priority: 110,
                    direction: "Inbound",
                    access: "Allow",
                    protocol: "Tcp",
                    sourceAddressPrefixes: cloudflareIpv4Ranges(),
                    sourcePortRange: "*",
                    destinationAddressPrefix: "*",
                    destinationPortRange: "443",
                },
                allowAzureLoadBalancer,
                denyAllInbound,
                {
                    // The ingress route table sends Cloudflare ranges straight to the Internet so replies stay
                    // symmetric; NSGs are stateful, so this deny blocks only NEW connections from these nodes to
                    // Cloudflare and the routes cannot become an unfiltered egress path around the firewall.
                    name: "deny-new-to-cloudflare",
                    description: "No new outbound connections over the Cloudflare bypass routes (replies are allowed statefully)",
                    priority: 100,
                    direction: "Outbound",
                    access: "Deny",
                    protocol: "*",
                    sourceAddressPrefix: "*",
                    sourcePortRange: "*",
                    destinationAddressPrefixes: cloudflareIpv4Ranges(),
                    destinationPortRange: "*",
                },
            ];
        case "apiServer":
            return [
                {
                    name: "allow-apiserver",
                    description: "Nodes and connected networks to the API server (443) and konnectivity (4443)",
                    priority: 100,
                    direction: "Inbound",
                    access: "Allow",
                    protocol: "Tcp",
                    sourceAddressPrefix: "VirtualNetwork",
                    sourcePortRange: "*",
                    destinationAddressPrefix: "*",
                    destinationPortRanges: ["443", "4443"],
                },
                { ...allowAzureLoadBalancer, description: "Azure Load Balancer to the API server (UDP 9988 and probes)" },
                denyAllInbound,
            ];
        case "privateEndpoints":
            return [
                {
                    name: "allow-private-endpoints",
                    description: "HTTPS (registry, vault, blob, dfs) and SMB (file) to the private endpoints",
                    priority: 100,
                    direction: "Inbound",
                    access: "Allow",
                    protocol: "Tcp",
                    sourceAddressPrefix: "VirtualNetwork",
                    sourcePortRange: "*",
                    destinationAddressPrefix: "*",
                    destinationPortRanges: ["443", "445"],
                },
                {
                    // Service tags cannot share a prefix list with CIDRs, hence a second rule for the overlay range.
                    name: "allow-pods-to-private-endpoints",
                    description: "The same from the CNI overlay pod range",
                    priority: 110,
                    direction: "Inbound",
                    access: "Allow",
                    protocol: "Tcp",
                    sourceAddressPrefix: ctx.podCidr,
                    sourcePortRange: "*",
                    destinationAddressPrefix: "*",
                    destinationPortRanges: ["443", "445"],
                },
                denyAllInbound,
            ];
    }
}

/** Rules of the hub's NSGs: shared services (reached from Bastion only) and AzureBastionSubnet (Microsoft's required set). */
export function hubNsgRules(role: "sharedServices" | "bastion", ctx: { bastionPrefix?: string }): NsgRule[] {
    if (role === "sharedServices") {
        const rules: NsgRule[] = [];
        if (ctx.bastionPrefix) {
            rules.push({
                name: "allow-bastion-ssh-rdp",
                description: "SSH/RDP only from the Bastion subnet",
                priority: 100,
                direction: "Inbound",
                access: "Allow",
                protocol: "Tcp",
                sourceAddressPrefix: ctx.bastionPrefix,
                sourcePortRange: "*",
                destinationAddressPrefix: "*",
                destinationPortRanges: ["22", "3389"],
            });
        }
        return [...rules, allowAzureLoadBalancer, denyAllInbound];
    }
    // Microsoft Learn "Working with NSG access and Azure Bastion": the rules AzureBastionSubnet must carry.
    const rule = (r: Omit<NsgRule, "sourcePortRange">): NsgRule => ({ sourcePortRange: "*", ...r });
    return [
        rule({ name: "allow-https-inbound", description: "Operators' browsers / native clients to Bastion", priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "Internet", destinationAddressPrefix: "*", destinationPortRange: "443" }),
        rule({ name: "allow-gateway-manager", description: "Azure control plane", priority: 110, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "GatewayManager", destinationAddressPrefix: "*", destinationPortRange: "443" }),
        rule({ name: "allow-azure-load-balancer", description: "Health probes", priority: 120, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "AzureLoadBalancer", destinationAddressPrefix: "*", destinationPortRange: "443" }),
        rule({ name: "allow-bastion-host-communication", description: "Bastion data plane", priority: 130, direction: "Inbound", access: "Allow", protocol: "*", sourceAddressPrefix: "VirtualNetwork", destinationAddressPrefix: "VirtualNetwork", destinationPortRanges: ["8080", "5701"] }),
        { ...denyAllInbound },
        rule({ name: "allow-ssh-rdp-outbound", description: "Sessions to target VMs", priority: 100, direction: "Outbound", access: "Allow", protocol: "*", sourceAddressPrefix: "*", destinationAddressPrefix: "VirtualNetwork", destinationPortRanges: ["22", "3389"] }),
        rule({ name: "allow-azure-cloud-outbound", description: "Diagnostics and metering", priority: 110, direction: "Outbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "*", destinationAddressPrefix: "AzureCloud", destinationPortRange: "443" }),
        rule({ name: "allow-bastion-communication", description: "Bastion data plane", priority: 120, direction: "Outbound", access: "Allow", protocol: "*", sourceAddressPrefix: "VirtualNetwork", destinationAddressPrefix: "VirtualNetwork", destinationPortRanges: ["8080", "5701"] }),
        rule({ name: "allow-get-session-information", description: "Session and certificate validation", priority: 130, direction: "Outbound", access: "Allow", protocol: "*", sourceAddressPrefix: "*", destinationAddressPrefix: "Internet", destinationPortRange: "80" }),
        rule({ name: "deny-all-outbound", description: "Nothing else leaves the Bastion subnet", priority: 4096, direction: "Outbound", access: "Deny", protocol: "*", sourceAddressPrefix: "*", destinationAddressPrefix: "*", destinationPortRange: "*" }),
    ];
}
