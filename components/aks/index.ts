/**
 * The private AKS cluster of one spoke, at or above the mspnp aks-baseline / AKS landing zone accelerator / AVM
 * production defaults: private API server with VNet integration in the spoke's delegated /28 and the hub's private
 * DNS zone, user-assigned control-plane identity (its role assignments declared first), Entra ID + Azure RBAC with
 * local accounts off, OIDC issuer + workload identity, Azure CNI overlay with Cilium, egress through the hub
 * firewall (userDefinedRouting), Azure Policy, Key Vault CSI with rotation, Defender, Container Insights (and
 * managed Prometheus when configured, see ./monitoring.ts), image cleaner, planned maintenance in UAE time, audit and
 * autoscaler logs into Log Analytics.
 *
 * The system pool is inline (AKS needs one at create); every other pool is a standalone AgentPool from
 * components/gpu-pools, built from the same pool facts this component exports for the GitOps side.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import type * as inputs from "@pulumi/azure-native/types/input";
import { maxSurgeSetting } from "../../config/address-plan";
import type { SpokeConfig } from "../../config/schema";
import { diagnosticSettings } from "../core/diagnostics";
import type { Namer } from "../core/naming";
import { grant, readyAfter, stableGuid, subscriptionIdOf } from "../rbac/roles";
import { MIG_PROFILE_LABEL, NodePools, osDiskType, type PoolFacts, poolFacts } from "../gpu-pools";
import { containerInsights, managedPrometheus } from "./monitoring";

/** Log categories sent to Log Analytics: API-server audit without get/list noise, Entra auth, the autoscaler. */
export const CLUSTER_LOG_CATEGORIES = ["kube-audit-admin", "guard", "cluster-autoscaler"] as const;

/** AKS planned-maintenance configuration names (fixed by AKS). */
export const MAINTENANCE_CONFIGS = {
    autoUpgrade: "aksManagedAutoUpgradeSchedule",
    nodeOs: "aksManagedNodeOSUpgradeSchedule",
} as const;

/** Node labels kube-state-metrics exports, so dashboards can group by pool and GPU vendor/model. */
const KSM_NODE_LABELS = ["aiplatform.io/pool", "aiplatform.io/gpu-vendor", "aiplatform.io/gpu-model", MIG_PROFILE_LABEL];

/** The spoke subnets a cluster uses (SpokeNetwork.subnetIds has these and privateEndpoints). */
export type ClusterSubnet = "system" | "user" | "gpu" | "apiServer" | "ingressPublic" | "ingressInternal";

export interface AksNetworkArgs {
    /** The spoke VNet: AKS links the BYO private DNS zone to it, so the control-plane identity needs join rights there. */
    vnetId: pulumi.Input<string>;
    /** Spoke subnet ids; the control-plane identity gets Network Contributor on each. */
    subnetIds: Record<ClusterSubnet, pulumi.Input<string>>;
    /** The node subnets' route table (0.0.0.0/0 → firewall); AKS validates it for userDefinedRouting. */
    routeTableId: pulumi.Input<string>;
    /** The ingressPublic subnet's route table (firewall default + Cloudflare ranges direct), where the ingress pool runs. */
    ingressRouteTableId: pulumi.Input<string>;
    /** Public IP that the public ingress load balancer service uses; its resource group gets the network reader role. */
    ingressPublicIpId: pulumi.Input<string>;
    /**
     * The hub's privatelink.<region>.azmk8s.io zone, resolving once the peerings and the spoke's link to it exist
     * (SpokeNetwork.aksPrivateDnsZoneId): the cluster then waits for them.
     */
    privateDnsZoneId: pulumi.Input<string>;
}

/** The config blocks the cluster reads. */
export type AksClusterConfig = Pick<SpokeConfig, "environment" | "aks" | "nodePools" | "network" | "rbac">;

export interface AksClusterArgs {
    /** The stack's namer: cluster `aks-<prefix>-<env>-<region>`, identity `id-...-aks`, node group `rg-...-aks-nodes`. */
    names: Namer;
    location: string;
    /** The spoke resource group (Foundation.resourceGroupName). */
    resourceGroupName: pulumi.Input<string>;
    /** Log Analytics workspace for diagnostics, Container Insights and Defender (Foundation.workspaceId). */
    workspaceId: pulumi.Input<string>;
    /** Validated stack config (environment, aks, nodePools, network ranges, rbac.platform admin groups). */
    config: AksClusterConfig;
    /** What the cluster needs from the spoke network. */
    network: AksNetworkArgs;
    /** Disk encryption set for node OS and data disks (components/encryption; stg and prd). Only at cluster creation. */
    diskEncryptionSetId?: pulumi.Input<string>;
}

export interface AksClusterOutputs {
    clusterId: pulumi.Output<string>;
    clusterName: pulumi.Output<string>;
    /** OIDC issuer for workload identity federated credentials. */
    oidcIssuerUrl: pulumi.Output<string>;
    /** The kubelet identity AKS creates in the node resource group (AcrPull goes to it). */
    kubeletIdentityObjectId: pulumi.Output<string>;
    kubeletIdentityClientId: pulumi.Output<string>;
    kubeletIdentityResourceId: pulumi.Output<string>;
    nodeResourceGroup: pulumi.Output<string>;
    /** Private API server FQDN (resolvable from the hub/spoke VNets only). */
    privateFqdn: pulumi.Output<string>;
    /** The user-assigned control-plane identity. */
    controlPlaneIdentityId: pulumi.Output<string>;
    controlPlaneIdentityPrincipalId: pulumi.Output<string>;
    /** Every pool's scheduling surface, system pool first: the one source for tolerations, affinities, operators. */
    poolFacts: PoolFacts[];
    /** AgentPool ids of the user pools by name (for schedulers and alerts). */
    poolIds: Record<string, pulumi.Output<string>>;
    /** Azure Monitor workspace of managed Prometheus, when `aiplatform:aks.monitoring.managedPrometheus` is on. */
    prometheusWorkspaceId?: pulumi.Output<string>;
}

function required<T>(value: T | undefined | null, what: string, resource: pulumi.Resource): T {
    if (value === undefined || value === null || value === "") {
        throw new pulumi.ResourceError(`AKS returned no ${what}; check the cluster's provisioning state in the portal`, resource);
    }
    return value;
}

/** The inline system pool: CriticalAddonsOnly, zone-spread, ephemeral OS disk, autoscaled. */
export function systemPoolProfile(cfg: AksClusterConfig, facts: PoolFacts, subnetId: pulumi.Input<string>): inputs.containerservice.ManagedClusterAgentPoolProfileArgs {
    const sys = cfg.aks.systemPool;
    return {
        name: facts.name,
        mode: "System",
        type: "VirtualMachineScaleSets",
        vmSize: sys.vmSize,
        osType: "Linux",
        osSKU: facts.osSku,
        osDiskType: osDiskType(sys.vmSize, sys.osDiskSizeGB),
        osDiskSizeGB: sys.osDiskSizeGB,
        maxPods: sys.maxPods,
        ...(sys.zones.length ? { availabilityZones: sys.zones } : {}),
        vnetSubnetID: subnetId,
        enableAutoScaling: true,
        count: sys.minCount,
        minCount: sys.minCount,
        maxCount: sys.maxCount,
        nodeTaints: facts.taints,
        nodeLabels: facts.labels,
        enableEncryptionAtHost: cfg.aks.encryptionAtHost,
        enableNodePublicIP: false,
        securityProfile: { sshAccess: "Disabled" },
        upgradeSettings: { maxSurge: maxSurgeSetting({}) },
    };
}

/** GUID of the cluster's network reader custom role (stable: the pipeline's ABAC condition names it). */
export function networkReaderRoleGuid(clusterName: string): string {
    return stableGuid(`aiplatform:aks-network-reader:${clusterName}`);
}

/**
 * cloud-provider-azure lists public IPs in the IP's resource group (the spoke's) to find the LoadBalancer's static
 * IP; a grant on the IP alone leaves the Service pending (Learn aks/static-ip.md, Azure/AKS#921). A read-only custom
 * role at that group, not Network Contributor there: that would let the identity rewrite NSGs and route tables.
 * (The VNet join for the BYO zone link is the Private DNS Zone Contributor grant at VNet scope above.)
 */
function networkReader(name: string, args: AksClusterArgs, identity: managedidentity.UserAssignedIdentity, subscriptionId: pulumi.Output<string>, parent: pulumi.Resource) {
    const ipGroup = pulumi.output(args.network.ingressPublicIpId).apply((id) => id.split("/providers/")[0]);
    const clusterName = args.names.of("aksCluster");
    const guid = networkReaderRoleGuid(clusterName);
    const role = new authorization.RoleDefinition(
        `${name}-network-reader`,
        {
            roleDefinitionId: guid,
            roleName: `${clusterName} network reader`,
            description: "AKS control plane: find the public ingress IP in its resource group.",
            roleType: "CustomRole",
            scope: ipGroup,
            assignableScopes: [ipGroup],
            permissions: [{ actions: [...AKS_NETWORK_READER_ACTIONS], notActions: [], dataActions: [], notDataActions: [] }],
        },
        { parent },
    );
    return grant(
        `${name}-net-reader-ip-group`,
        {
            principalId: identity.principalId,
            principalType: "ServicePrincipal",
            role: { customRoleGuid: readyAfter(guid, [role]) },
            scope: ipGroup,
            subscriptionId,
            description: "AKS: list public IPs in the ingress IP's resource group",
        },
        parent,
    );
}

/** The custom role's actions (read: list; join: VNet link of the BYO private DNS zone). */
export const AKS_NETWORK_READER_ACTIONS = ["Microsoft.Network/publicIPAddresses/read"] as const;

export function createAksCluster(name: string, args: AksClusterArgs, parent: pulumi.Resource): AksClusterOutputs {
    const { names, config: cfg, network: net } = args;
    const aks = cfg.aks;
    const facts = poolFacts(cfg);
    const client = authorization.getClientConfigOutput({ parent });
    const subscriptionId = subscriptionIdOf(parent);

    // --- control-plane identity and the rights AKS needs before it can create anything -------------------------
    const identity = new managedidentity.UserAssignedIdentity(
        `${name}-identity`,
        { resourceName: names.of("managedIdentity", "aks"), resourceGroupName: args.resourceGroupName, location: args.location },
        { parent },
    );
    const assign = (role: string, builtIn: "networkContributor" | "privateDnsZoneContributor" | "reader", scope: pulumi.Input<string>, why: string) =>
        grant(`${name}-${role}`, { principalId: identity.principalId, principalType: "ServicePrincipal", role: builtIn, scope, subscriptionId, description: why }, parent);
    const subnetRoles: Record<ClusterSubnet, string> = {
        system: "join the system pool's nodes to the subnet",
        user: "join user pool nodes to the subnet",
        gpu: "join GPU pool nodes to the subnet",
        apiServer: "place the API server's internal load balancer in the delegated subnet (VNet integration)",
        ingressPublic: "join the ingress pool's nodes and create the public load balancer frontend",
        ingressInternal: "create the internal ingress load balancer frontend",
    };
    const assignments = [
        assign("dns-zone-contributor", "privateDnsZoneContributor", net.privateDnsZoneId, "AKS writes the private API server's A record"),
        // With a BYO zone AKS links it to the cluster's VNet itself (Learn private-clusters, "Hub and spoke with custom
        // DNS"); the link needs virtualNetworks/join/action on the VNet. Private DNS Zone Contributor at VNet scope,
        // as mspnp/aks-baseline grants it, carries that and no VNet write (Network Contributor would).
        assign("vnet-dns-link", "privateDnsZoneContributor", net.vnetId, "AKS links the private API server's DNS zone to the cluster VNet"),
        ...(Object.keys(subnetRoles) as ClusterSubnet[]).map((s) =>
            assign(`net-${s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, "networkContributor", net.subnetIds[s], `AKS: ${subnetRoles[s]}`),
        ),
        assign("net-route-table", "networkContributor", net.routeTableId, "AKS: validate the egress route table (userDefinedRouting)"),
        assign("net-ingress-route-table", "networkContributor", net.ingressRouteTableId, "AKS: validate the ingress subnet's route table (userDefinedRouting)"),
        assign("net-ingress-ip", "networkContributor", net.ingressPublicIpId, "AKS: attach the public ingress IP to its load balancer"),
        ...(args.diskEncryptionSetId ? [assign("des-reader", "reader", args.diskEncryptionSetId, "AKS: read the disk encryption set its node disks use")] : []),
        networkReader(name, args, identity, subscriptionId, parent),
    ];

    // --- the cluster -------------------------------------------------------------------------------------------
    const prd = cfg.environment === "prd";
    const cluster = new containerservice.ManagedCluster(
        `${name}-cluster`,
        {
            resourceName: names.of("aksCluster"),
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            dnsPrefix: names.of("dnsPrefix"),
            kubernetesVersion: aks.kubernetesVersion,
            sku: { name: "Base", tier: aks.tier },
            supportPlan: aks.supportPlan,
            identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
            nodeResourceGroup: names.of("resourceGroup", "aks-nodes"),
            // Customer-managed key for node OS and data disks (stg/prd; Checkov CKV_AZURE_117).
            ...(args.diskEncryptionSetId ? { diskEncryptionSetID: args.diskEncryptionSetId } : {}),
            // Nobody but AKS changes the node resource group (no hand-edited VMSS, NICs or disks).
            nodeResourceGroupProfile: { restrictionLevel: "ReadOnly" },

            aadProfile: {
                managed: true,
                enableAzureRBAC: true,
                adminGroupObjectIDs: cfg.rbac.platform,
                tenantID: client.tenantId,
            },
            enableRBAC: true,
            disableLocalAccounts: true,
            oidcIssuerProfile: { enabled: true },

            apiServerAccessProfile: {
                enablePrivateCluster: true,
                enablePrivateClusterPublicFQDN: false,
                enableVnetIntegration: true,
                subnetId: net.subnetIds.apiServer,
                privateDNSZone: net.privateDnsZoneId,
                // prd: no `az aks command invoke` back door around the private API server and Azure RBAC.
                disableRunCommand: prd,
            },
            networkProfile: {
                networkPlugin: "azure",
                networkPluginMode: "overlay",
                networkDataplane: "cilium",
                networkPolicy: "cilium",
                podCidr: cfg.network.podCidr,
                serviceCidr: cfg.network.serviceCidr,
                dnsServiceIP: cfg.network.dnsServiceIp,
                // Egress leaves through the spoke route table (0.0.0.0/0 → hub firewall); AKS creates no outbound IP.
                outboundType: "userDefinedRouting",
                loadBalancerSku: "standard",
            },

            addonProfiles: {
                azurepolicy: { enabled: true },
                azureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: "true", rotationPollInterval: "2m" } },
                omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: args.workspaceId, useAADAuth: "true" } },
                // kubeDashboard and httpApplicationRouting are retired add-ons: left out, i.e. off.
            },
            // The AKS-managed Istio add-on (stg/prd): one revision, sidecar mode; asm-1-30+ installs redirect traffic
            // with Istio CNI, so injected pods need no NET_ADMIN (Azure/AKS CHANGELOG v20260619). Mesh policy is Flux's.
            ...(aks.serviceMesh ? { serviceMeshProfile: { mode: "Istio", istio: { revisions: [aks.serviceMesh.revision] } } } : {}),
            securityProfile: {
                defender: { logAnalyticsWorkspaceResourceId: args.workspaceId, securityMonitoring: { enabled: true } },
                imageCleaner: { enabled: true, intervalHours: 24 },
                workloadIdentity: { enabled: true },
            },
            ...(aks.monitoring.managedPrometheus
                ? { azureMonitorProfile: { metrics: { enabled: true, kubeStateMetrics: { metricLabelsAllowlist: `nodes=[${KSM_NODE_LABELS.join(",")}]` } } } }
                : {}),
            // Cost analysis needs the Standard or Premium tier.
            metricsProfile: { costAnalysis: { enabled: aks.tier !== "Free" } },

            autoUpgradeProfile: { upgradeChannel: aks.upgradeChannel, nodeOSUpgradeChannel: "NodeImage" },
            autoScalerProfile: {
                scanInterval: aks.autoscaler.scanInterval,
                scaleDownDelayAfterAdd: aks.autoscaler.scaleDownDelayAfterAdd,
                scaleDownUnneededTime: aks.autoscaler.scaleDownUnneededTime,
                expander: aks.autoscaler.expander,
            },

            agentPoolProfiles: [systemPoolProfile(cfg, facts[0], net.subnetIds.system)],
        },
        {
            parent,
            // The control-plane identity must hold its network and DNS rights before AKS starts creating.
            dependsOn: assignments,
            // The inline pool list is create-only: editing it re-PUTs every pool and puts them all into Scaling
            // (pulumi-azure-native#4264), and standalone pools show up in it as drift (#2719). System pool
            // changes go through a new system pool; the autoscaler owns its count.
            ignoreChanges: ["agentPoolProfiles"],
        },
    );

    const pools = new NodePools(
        `${name}-pools`,
        {
            clusterName: cluster.name,
            resourceGroupName: args.resourceGroupName,
            pools: cfg.nodePools,
            subnetIds: { user: net.subnetIds.user, gpu: net.subnetIds.gpu, ingressPublic: net.subnetIds.ingressPublic },
            encryptionAtHost: aks.encryptionAtHost,
        },
        { parent },
    );

    // --- planned maintenance, UAE time ----------------------------------------------------------------------------
    for (const [key, configName] of Object.entries(MAINTENANCE_CONFIGS) as [keyof typeof MAINTENANCE_CONFIGS, string][]) {
        const w = aks.maintenance[key];
        new containerservice.MaintenanceConfiguration(
            `${name}-maintenance-${key === "autoUpgrade" ? "upgrade" : "node-os"}`,
            {
                configName,
                resourceGroupName: args.resourceGroupName,
                resourceName: cluster.name,
                maintenanceWindow: {
                    schedule: { weekly: { dayOfWeek: w.dayOfWeek, intervalWeeks: w.intervalWeeks } },
                    durationHours: w.durationHours,
                    startTime: w.startTime,
                    utcOffset: aks.maintenance.utcOffset,
                },
            },
            { parent },
        );
    }

    // --- logs ----------------------------------------------------------------------------------------------------
    diagnosticSettings(`${name}-cluster`, { resourceId: cluster.id, workspaceId: args.workspaceId, categories: [...CLUSTER_LOG_CATEGORIES] }, parent);
    const monitoringArgs = {
        names,
        location: args.location,
        resourceGroupName: args.resourceGroupName,
        clusterName: names.of("aksCluster"),
        clusterId: cluster.id,
        workspaceId: args.workspaceId,
    };
    containerInsights(name, monitoringArgs, parent);
    const prometheus = aks.monitoring.managedPrometheus ? managedPrometheus(name, monitoringArgs, parent) : undefined;

    const kubelet = cluster.identityProfile.apply((p) => required(p?.kubeletidentity, "kubelet identity", cluster));
    return {
        clusterId: cluster.id,
        clusterName: cluster.name,
        oidcIssuerUrl: cluster.oidcIssuerProfile.apply((p) => required(p?.issuerURL, "OIDC issuer URL", cluster)),
        kubeletIdentityObjectId: kubelet.apply((k) => required(k.objectId, "kubelet identity object id", cluster)),
        kubeletIdentityClientId: kubelet.apply((k) => required(k.clientId, "kubelet identity client id", cluster)),
        kubeletIdentityResourceId: kubelet.apply((k) => required(k.resourceId, "kubelet identity resource id", cluster)),
        nodeResourceGroup: cluster.nodeResourceGroup.apply((g) => required(g, "node resource group", cluster)),
        privateFqdn: cluster.privateFQDN,
        controlPlaneIdentityId: identity.id,
        controlPlaneIdentityPrincipalId: identity.principalId,
        poolFacts: [facts[0], ...pools.facts],
        poolIds: pools.poolIds,
        ...(prometheus ? { prometheusWorkspaceId: prometheus.workspace.id } : {}),
    };
}

/** A spoke's private AKS cluster and its pools; type token `aiplatform:aks:AksCluster`. */
export class AksCluster extends pulumi.ComponentResource implements AksClusterOutputs {
    public readonly clusterId: pulumi.Output<string>;
    public readonly clusterName: pulumi.Output<string>;
    public readonly oidcIssuerUrl: pulumi.Output<string>;
    public readonly kubeletIdentityObjectId: pulumi.Output<string>;
    public readonly kubeletIdentityClientId: pulumi.Output<string>;
    public readonly kubeletIdentityResourceId: pulumi.Output<string>;
    public readonly nodeResourceGroup: pulumi.Output<string>;
    public readonly privateFqdn: pulumi.Output<string>;
    public readonly controlPlaneIdentityId: pulumi.Output<string>;
    public readonly controlPlaneIdentityPrincipalId: pulumi.Output<string>;
    public readonly poolFacts: PoolFacts[];
    public readonly poolIds: Record<string, pulumi.Output<string>>;
    public readonly prometheusWorkspaceId?: pulumi.Output<string>;

    constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:aks:AksCluster", name, {}, opts);
        const out = createAksCluster(name, args, this);
        this.clusterId = out.clusterId;
        this.clusterName = out.clusterName;
        this.oidcIssuerUrl = out.oidcIssuerUrl;
        this.kubeletIdentityObjectId = out.kubeletIdentityObjectId;
        this.kubeletIdentityClientId = out.kubeletIdentityClientId;
        this.kubeletIdentityResourceId = out.kubeletIdentityResourceId;
        this.nodeResourceGroup = out.nodeResourceGroup;
        this.privateFqdn = out.privateFqdn;
        this.controlPlaneIdentityId = out.controlPlaneIdentityId;
        this.controlPlaneIdentityPrincipalId = out.controlPlaneIdentityPrincipalId;
        this.poolFacts = out.poolFacts;
        this.poolIds = out.poolIds;
        this.prometheusWorkspaceId = out.prometheusWorkspaceId;
        this.registerOutputs({ ...out });
    }
}
