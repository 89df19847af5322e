/**
 * Registry: the platform's private container registry. ACR Premium (private link needs it), no admin user, no
 * anonymous pull, no public network, zone redundant, untagged manifests purged after a retention period, export
 * off, reached only through a private endpoint. Only the AKS kubelet identity may pull. An optional geo-replica
 * (features.registryGeoReplication) serves the DR region.
 *
 * Supply chain (as mspnp aks-baseline: clusters pull only from their own registry): one artifact cache rule per
 * upstream registry the GitOps tree uses, `<upstream>/*` → `<acr>/<upstream>/*`, so charts and manifests name
 * `${acr_login_server}/<upstream>/<path>` and nodes never reach Docker Hub, registry.k8s.io or nvcr.io (whose blob
 * hosts are unpublished or rate-limited). The rules pull anonymously: a Docker Hub credential set would need Key Vault
 * Secrets User for ACR's identity, which the access model refuses vault-wide (and secret-scoped grants need the
 * secrets to exist before the deploy).
 */
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as pulumi from "@pulumi/pulumi";
import { diagnosticSettings } from "../core/diagnostics";
import type { Namer } from "../core/naming";
import { privateEndpoint } from "../network/private-endpoint";
import { grant, readyAfter, subscriptionIdOf } from "../rbac/roles";

/** Upstream registries cached in ACR (artifact cache rules). */
export const UPSTREAM_CACHES: { key: string; upstream: string }[] = [
    { key: "docker-hub", upstream: "docker.io" },
    { key: "registry-k8s", upstream: "registry.k8s.io" },
    { key: "nvcr", upstream: "nvcr.io" },
    { key: "ghcr", upstream: "ghcr.io" },
    { key: "quay", upstream: "quay.io" },
    { key: "ecr-public", upstream: "public.ecr.aws" },
];

/** Regions with availability zones among those the platform uses (UAE Central has none). */
export const ZONAL_REGIONS = new Set(["uaenorth", "westeurope", "northeurope", "swedencentral"]);

/** Where the spoke's private endpoints go and which privatelink zone each group id resolves in. */
export interface PrivateLinkArgs {
    /** The spoke's privateEndpoints subnet (SpokeNetwork.subnetIds.privateEndpoints). */
    subnetId: pulumi.Input<string>;
    /** The hub's privatelink zone per group id (SpokeNetwork.privateDnsZoneIds). */
    dnsZoneIds: {
        registry?: pulumi.Input<string>;
        vault?: pulumi.Input<string>;
        blob?: pulumi.Input<string>;
        dfs?: pulumi.Input<string>;
        file?: pulumi.Input<string>;
    };
}

export interface RegistryArgs {
    names: Namer;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    /** Log Analytics workspace for diagnostic settings. */
    workspaceId: pulumi.Input<string>;
    privateLink: PrivateLinkArgs;
    /** Object id of the AKS kubelet identity: the only principal granted AcrPull here. */
    kubeletIdentityObjectId: pulumi.Input<string>;
    /** Days before untagged manifests are purged (registry.untaggedRetentionDays). */
    untaggedRetentionDays: number;
    /** Region of the DR geo-replica; undefined = no replica (features.registryGeoReplication off). */
    geoReplicaLocation?: string;
    /** Declare the artifact cache rules of UPSTREAM_CACHES (the spoke registries do). */
    upstreamCache?: boolean;
}

export interface RegistryOutputs {
    registryId: pulumi.Output<string>;
    registryName: pulumi.Output<string>;
    /** e.g. craipprduaen.azurecr.io; resolves after the kubelet's AcrPull exists (safe to deploy images that pull). */
    loginServer: pulumi.Output<string>;
}

export function createRegistry(name: string, args: RegistryArgs, parent: pulumi.Resource): RegistryOutputs {
    if (!args.privateLink.dnsZoneIds.registry) throw new pulumi.ResourceError("Registry needs privateLink.dnsZoneIds.registry", parent);
    const zonal = ZONAL_REGIONS.has(args.location);
    const registry = new containerregistry.Registry(
        `${name}-acr`,
        {
            registryName: args.names.of("containerRegistry"),
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            sku: { name: "Premium" },
            adminUserEnabled: false,
            anonymousPullEnabled: false,
            publicNetworkAccess: "Disabled",
            networkRuleSet: { defaultAction: "Deny" },
            // Trusted Azure services (Defender for Containers image scanning, ACR Tasks) still reach a private registry.
            networkRuleBypassOptions: "AzureServices",
            zoneRedundancy: zonal ? "Enabled" : "Disabled",
            // Layers come from <registry>.<region>.data.azurecr.io through the private endpoint, not a shared blob host
            // (Checkov CKV_AZURE_237; r5-acr-dedicated-data-endpoints).
            dataEndpointEnabled: true,
            policies: {
                retentionPolicy: { status: "enabled", days: args.untaggedRetentionDays },
                // Export off: images leave only by pull through the private endpoint (needs public access disabled).
                exportPolicy: { status: "disabled" },
                // Docker Content Trust is deprecated by ACR (signing moves to Notation); quarantine needs a scanner
                // workflow the platform does not run. Both stay off deliberately (policy advisories CKV_AZURE_164/166).
                trustPolicy: { status: "disabled", type: "Notary" },
                quarantinePolicy: { status: "disabled" },
            },
        },
        { parent },
    );

    const replicas: containerregistry.Replication[] = [];
    if (args.geoReplicaLocation) {
        const replica = new containerregistry.Replication(
            `${name}-replica`,
            {
                registryName: registry.name,
                resourceGroupName: args.resourceGroupName,
                location: args.geoReplicaLocation,
                replicationName: args.geoReplicaLocation,
                regionEndpointEnabled: true,
                zoneRedundancy: ZONAL_REGIONS.has(args.geoReplicaLocation) ? "Enabled" : "Disabled",
            },
            { parent },
        );
        replicas.push(replica);
    }

    // After every replica: an endpoint created first gets no data-endpoint record for a later replica's region, and
    // that record must then be added by hand (Learn container-registry-private-link.md).
    privateEndpoint(
        `${name}-acr`,
        {
            names: args.names,
            role: "acr",
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            subnetId: args.privateLink.subnetId,
            targetId: registry.id,
            groupId: "registry",
            privateDnsZoneId: args.privateLink.dnsZoneIds.registry,
            after: replicas,
        },
        parent,
    );

    const pull = grant(
        `${name}-kubelet-acrpull`,
        {
            principalId: args.kubeletIdentityObjectId,
            principalType: "ServicePrincipal",
            role: "acrPull",
            scope: registry.id,
            subscriptionId: subscriptionIdOf(parent),
            description: "AKS kubelet identity pulls images (the only pull grant on this registry)",
        },
        parent,
    );

    if (args.upstreamCache) upstreamCaches(name, registry.name, args, parent);

    diagnosticSettings(`${name}-acr`, { resourceId: registry.id, workspaceId: args.workspaceId, categoryGroups: ["allLogs"] }, parent);

    return { registryId: registry.id, registryName: registry.name, loginServer: readyAfter(registry.loginServer, [pull]) };
}

/** Artifact cache rules, one per upstream: `<upstream>/*` served as `<acr>/<upstream>/*`. */
function upstreamCaches(name: string, registryName: pulumi.Output<string>, args: RegistryArgs, parent: pulumi.Resource): void {
    for (const u of UPSTREAM_CACHES) {
        new containerregistry.CacheRule(
            `${name}-cache-${u.key}`,
            { registryName, resourceGroupName: args.resourceGroupName, cacheRuleName: u.key, sourceRepository: `${u.upstream}/*`, targetRepository: `${u.upstream}/*` },
            { parent },
        );
    }
}

export class Registry extends pulumi.ComponentResource implements RegistryOutputs {
    public readonly registryId: pulumi.Output<string>;
    public readonly registryName: pulumi.Output<string>;
    public readonly loginServer: pulumi.Output<string>;

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:registry:Registry", name, {}, opts);
        const out = createRegistry(name, args, this);
        this.registryId = out.registryId;
        this.registryName = out.registryName;
        this.loginServer = out.loginServer;
        this.registerOutputs({ ...out });
    }
}
