/**
 * A compliant stack for the policy tests: one resource of every type the pack checks, shaped as the offline plan
 * exports them (azure-native v3 input paths), passing every mandatory and advisory rule. Tests apply one mutation
 * at a time and expect exactly the rule that owns the field to fire (compliance-policies' method).
 */
import { evaluateResources, type EvaluateOptions, type PolicyInputResource, type PolicyReport } from "../../tools/policy/evaluate";

export type Env = "dev" | "stg" | "prd";

export const SUB = "/subscriptions/7d2f4e1a-5b3c-4d6e-8f90-a1b2c3d4e5f6";
export const RG = `${SUB}/resourceGroups/rg-aip-prd-uaen`;
const LOCATION = "uaenorth";

const TYPE_URN_PREFIX = "urn:pulumi:test::aiplatform::";

export function urnOf(type: string, name: string): string {
    return `${TYPE_URN_PREFIX}${type}::${name}`;
}

function tags(env: Env): Record<string, string> {
    return { environment: env, region: LOCATION, team: "ml-platform", owner: "platform-team@contoso.com", costCenter: "CC-4100", managedBy: "pulumi" };
}

function res(type: string, name: string, props: Record<string, unknown>, extra: Partial<PolicyInputResource> = {}): PolicyInputResource {
    return { type, urn: urnOf(type, name), name, props, ...extra };
}

const ids = {
    workspace: `${RG}/providers/Microsoft.OperationalInsights/workspaces/log-aip`,
    cluster: `${RG}/providers/Microsoft.ContainerService/managedClusters/aks-aip`,
    registry: `${RG}/providers/Microsoft.ContainerRegistry/registries/acraip`,
    vault: `${RG}/providers/Microsoft.KeyVault/vaults/kv-aip`,
    storage: `${RG}/providers/Microsoft.Storage/storageAccounts/staip`,
    nsg: `${RG}/providers/Microsoft.Network/networkSecurityGroups/nsg-aip-bastion`,
    firewall: `${RG}/providers/Microsoft.Network/azureFirewalls/afw-aip`,
    firewallPolicy: `${RG}/providers/Microsoft.Network/firewallPolicies/afwp-aip`,
    vnet: `${RG}/providers/Microsoft.Network/virtualNetworks/vnet-aip`,
    des: `${RG}/providers/Microsoft.Compute/diskEncryptionSets/des-aip`,
    lakeCmkIdentity: `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aip-lake-cmk`,
};
export { ids as FIXTURE_IDS };

function systemPool(env: Env): Record<string, unknown> {
    return {
        name: "system",
        mode: "System",
        type: "VirtualMachineScaleSets",
        vmSize: "Standard_D8ds_v5",
        count: 3,
        availabilityZones: env === "prd" ? ["1", "2", "3"] : ["1"],
        enableNodePublicIP: false,
        enableEncryptionAtHost: true,
        osDiskType: "Ephemeral",
        maxPods: 50,
        nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
    };
}

function agentPool(env: Env, name: string, extra: Record<string, unknown>): PolicyInputResource {
    return res("azure-native:containerservice:AgentPool", `pool-${name}`, {
        agentPoolName: name,
        resourceGroupName: "rg-aip",
        resourceName: "aks-aip",
        mode: "User",
        vmSize: "Standard_D16ds_v5",
        enableNodePublicIP: false,
        enableEncryptionAtHost: true,
        osDiskType: "Ephemeral",
        maxPods: 110,
        availabilityZones: ["1", "2"],
        tags: tags(env),
        ...extra,
    });
}

/** Every resource of a compliant stack in `env`. prd adds the prd-only shape (zones, Premium firewall, protect). */
export function compliantStack(env: Env = "prd"): PolicyInputResource[] {
    const protect = env === "prd";
    const diag = (name: string, target: string) =>
        res("azure-native:monitor:DiagnosticSetting", `${name}-diag`, {
            name: "to-log-analytics",
            resourceUri: target,
            workspaceId: ids.workspace,
            logs: [{ categoryGroup: "allLogs", enabled: true }],
        }, { id: `${target}/providers/Microsoft.Insights/diagnosticSettings/to-log-analytics` });
    const pe = (name: string, target: string, group: string) =>
        res("azure-native:network:PrivateEndpoint", `${name}-pe`, {
            location: LOCATION,
            resourceGroupName: "rg-aip",
            subnet: { id: `${ids.vnet}/subnets/private-endpoints` },
            privateLinkServiceConnections: [{ name: `${name}-plsc`, privateLinkServiceId: target, groupIds: [group] }],
            tags: tags(env),
        });
    const stack: PolicyInputResource[] = [
        res("azure-native:resources:ResourceGroup", "rg", { resourceGroupName: "rg-aip", location: LOCATION, tags: tags(env) }, { id: RG }),
        res("azure-native:operationalinsights:Workspace", "log", {
            workspaceName: "log-aip",
            resourceGroupName: "rg-aip",
            location: LOCATION,
            sku: { name: "PerGB2018" },
            retentionInDays: env === "prd" ? 90 : 30,
            tags: tags(env),
        }, { id: ids.workspace }),
        res("azure-native:containerservice:ManagedCluster", "aks", {
            resourceName: "aks-aip",
            resourceGroupName: "rg-aip",
            location: LOCATION,
            sku: { name: "Base", tier: env === "dev" ? "Free" : "Standard" },
            identity: { type: "UserAssigned", userAssignedIdentities: [`${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks`] },
            aadProfile: { managed: true, enableAzureRBAC: true },
            enableRBAC: true,
            disableLocalAccounts: true,
            apiServerAccessProfile: { enablePrivateCluster: true, enablePrivateClusterPublicFQDN: false },
            networkProfile: { networkPlugin: "azure", networkPluginMode: "overlay", networkPolicy: "cilium", networkDataplane: "cilium" },
            addonProfiles: {
                azurepolicy: { enabled: true },
                azureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: "true" } },
                omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: ids.workspace, useAADAuth: "true" } },
            },
            oidcIssuerProfile: { enabled: true },
            securityProfile: {
                workloadIdentity: { enabled: true },
                defender: { logAnalyticsWorkspaceResourceId: ids.workspace, securityMonitoring: { enabled: true } },
            },
            autoUpgradeProfile: { upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" },
            diskEncryptionSetID: ids.des,
            agentPoolProfiles: [systemPool(env)],
            tags: tags(env),
        }, { id: ids.cluster, protect }),
        agentPool(env, "cpu", {}),
        agentPool(env, "h100", { vmSize: "Standard_NC40ads_H100_v5", nodeTaints: ["nvidia.com/gpu=present:NoSchedule"] }),
        agentPool(env, "mi300x", { vmSize: "Standard_ND96isr_MI300X_v5", nodeTaints: ["amd.com/gpu=present:NoSchedule"] }),
        ...(env === "prd" ? [] : [agentPool(env, "spot", { scaleSetPriority: "Spot", scaleSetEvictionPolicy: "Delete", nodeTaints: ["kubernetes.azure.com/scalesetpriority=spot:NoSchedule"] })]),
        diag("aks", ids.cluster),
        res("azure-native:containerregistry:Registry", "acr", {
            registryName: "acraip",
            resourceGroupName: "rg-aip",
            location: LOCATION,
            sku: { name: "Premium" },
            adminUserEnabled: false,
            anonymousPullEnabled: false,
            publicNetworkAccess: "Disabled",
            dataEndpointEnabled: true,
            zoneRedundancy: "Enabled",
            policies: {
                trustPolicy: { status: "enabled", type: "Notary" },
                quarantinePolicy: { status: "enabled" },
                retentionPolicy: { status: "enabled", days: 7 },
            },
            tags: tags(env),
        }, { id: ids.registry, protect }),
        res("azure-native:containerregistry:Replication", "acr-replica", {
            registryName: "acraip",
            resourceGroupName: "rg-aip",
            location: "uaecentral",
            zoneRedundancy: "Enabled",
            tags: { ...tags(env), region: "uaecentral" },
        }),
        pe("acr", ids.registry, "registry"),
        diag("acr", ids.registry),
        res("azure-native:keyvault:Vault", "kv", {
            vaultName: "kv-aip",
            resourceGroupName: "rg-aip",
            location: LOCATION,
            properties: {
                tenantId: "1c9e8d7f-6a5b-4c3d-9e2f-0a1b2c3d4e5f",
                sku: { family: "A", name: "standard" },
                enableRbacAuthorization: true,
                enablePurgeProtection: true,
                enableSoftDelete: true,
                softDeleteRetentionInDays: 90,
                publicNetworkAccess: "Disabled",
                networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
            },
            tags: tags(env),
        }, { id: ids.vault, protect }),
        res("azure-native:keyvault:Secret", "kv-secret", {
            vaultName: "kv-aip",
            resourceGroupName: "rg-aip",
            secretName: "vllm-api-key",
            properties: { value: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "offline-plan:redacted" }, contentType: "text/plain", attributes: { expires: 1893456000 } },
            tags: tags(env),
        }),
        res("azure-native:keyvault:Key", "kv-key", {
            vaultName: "kv-aip",
            resourceGroupName: "rg-aip",
            keyName: "data-lake",
            properties: {
                kty: "RSA-HSM",
                keySize: 3072,
                rotationPolicy: {
                    attributes: { expiryTime: "P360D" },
                    lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P180D" } }, { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } }],
                },
            },
            tags: tags(env),
        }),
        pe("kv", ids.vault, "vault"),
        diag("kv", ids.vault),
        res("azure-native:storage:StorageAccount", "st", {
            accountName: "staip",
            resourceGroupName: "rg-aip",
            location: LOCATION,
            kind: "StorageV2",
            sku: { name: env === "prd" ? "Standard_GZRS" : "Standard_ZRS" },
            isHnsEnabled: true,
            isLocalUserEnabled: false,
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: "TLS1_2",
            allowBlobPublicAccess: false,
            allowSharedKeyAccess: false,
            allowCrossTenantReplication: false,
            publicNetworkAccess: "Disabled",
            networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" },
            identity: { type: "UserAssigned", userAssignedIdentities: [ids.lakeCmkIdentity] },
            encryption: {
                requireInfrastructureEncryption: true,
                keySource: "Microsoft.Keyvault",
                keyVaultProperties: { keyName: "data-lake", keyVaultUri: "https://kv-aip.vault.azure.net/" },
                identity: { userAssignedIdentity: ids.lakeCmkIdentity },
            },
            tags: tags(env),
        }, { id: ids.storage, protect }),
        res("azure-native:storage:BlobServiceProperties", "st-blob", {
            accountName: "staip",
            resourceGroupName: "rg-aip",
            deleteRetentionPolicy: { enabled: true, days: 30 },
            containerDeleteRetentionPolicy: { enabled: true, days: 30 },
        }),
        res("azure-native:monitor:DiagnosticSetting", "st-blob-diag", {
            name: "to-log-analytics",
            resourceUri: `${ids.storage}/blobServices/default`,
            workspaceId: ids.workspace,
            logs: ["StorageRead", "StorageWrite", "StorageDelete"].map((category) => ({ category, enabled: true })),
        }),
        res("azure-native:storage:BlobContainer", "st-models", { accountName: "staip", resourceGroupName: "rg-aip", containerName: "models", publicAccess: "None" }),
        pe("st", ids.storage, "blob"),
        res("azure-native:network:NetworkSecurityGroup", "nsg", {
            networkSecurityGroupName: "nsg-aip-bastion",
            resourceGroupName: "rg-aip",
            location: LOCATION,
            securityRules: [
                { name: "allow-https-from-internet", priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "Internet", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443" },
                { name: "allow-ssh-from-bastion", priority: 110, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "10.0.1.0/26", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRanges: ["22", "3389"] },
                { name: "deny-all-inbound", priority: 4096, direction: "Inbound", access: "Deny", protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" },
                { name: "allow-ssh-out", priority: 120, direction: "Outbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "VirtualNetwork", destinationPortRange: "22" },
            ],
            tags: tags(env),
        }, { id: ids.nsg }),
        res("azure-native:network:SecurityRule", "nsg-rule-lb", {
            networkSecurityGroupName: "nsg-aip-2",
            resourceGroupName: "rg-aip",
            name: "allow-lb-probes",
            priority: 200,
            direction: "Inbound",
            access: "Allow",
            protocol: "*",
            sourceAddressPrefix: "AzureLoadBalancer",
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "*",
        }),
        res("azure-native:network:VirtualNetwork", "vnet", {
            virtualNetworkName: "vnet-aip",
            resourceGroupName: "rg-aip",
            location: LOCATION,
            addressSpace: { addressPrefixes: ["10.30.0.0/16"] },
            subnets: [
                { name: "system", addressPrefix: "10.30.0.0/24", networkSecurityGroup: { id: ids.nsg } },
                { name: "AzureFirewallSubnet", addressPrefix: "10.30.255.0/26" },
                { name: "GatewaySubnet", addressPrefix: "10.30.255.64/27" },
            ],
            tags: tags(env),
        }, { id: ids.vnet }),
        res("azure-native:network:Subnet", "subnet-pe", {
            subnetName: "private-endpoints",
            virtualNetworkName: "vnet-aip-2",
            resourceGroupName: "rg-aip",
            addressPrefix: "10.30.2.0/24",
            networkSecurityGroup: { id: ids.nsg },
        }),
        res("azure-native:network:Subnet", "subnet-fw-mgmt", { subnetName: "AzureFirewallManagementSubnet", virtualNetworkName: "vnet-aip-2", resourceGroupName: "rg-aip", addressPrefix: "10.30.254.0/26" }),
        res("azure-native:network:FirewallPolicy", "afwp", {
            firewallPolicyName: "afwp-aip",
            resourceGroupName: "rg-aip",
            location: LOCATION,
            sku: { tier: "Premium" },
            threatIntelMode: "Deny",
            intrusionDetection: { mode: "Deny", profile: "Standard" },
            tags: tags(env),
        }, { id: ids.firewallPolicy }),
        res("azure-native:network:FirewallPolicyRuleCollectionGroup", "afwp-rcg", { firewallPolicyName: "afwp-aip", resourceGroupName: "rg-aip", priority: 100, ruleCollections: [] }),
        res("azure-native:network:AzureFirewall", "afw", {
            azureFirewallName: "afw-aip",
            resourceGroupName: "rg-aip",
            location: LOCATION,
            sku: { name: "AZFW_VNet", tier: "Premium" },
            firewallPolicy: { id: ids.firewallPolicy },
            zones: ["1", "2", "3"],
            tags: tags(env),
        }, { id: ids.firewall }),
        diag("afw", ids.firewall),
        res("azure-native:privatedns:PrivateZone", "zone-acr", { privateZoneName: "privatelink.azurecr.io", resourceGroupName: "rg-aip", location: "global", tags: tags(env) }),
        ...["Containers", "KeyVaults", "StorageAccounts", "Arm"].map((pricingName) =>
            res("azure-native:security:Pricing", `defender-${pricingName.toLowerCase()}`, { scopeId: SUB, pricingName, pricingTier: "Standard" })),
        res("azure-native:authorization:RoleDefinition", "role-pool-scaler", {
            roleName: "AKS pool scaler",
            scope: RG,
            assignableScopes: [RG],
            permissions: [{ actions: ["Microsoft.ContainerService/managedClusters/read", "Microsoft.ContainerService/managedClusters/agentPools/write"], notActions: [], dataActions: [], notDataActions: [] }],
        }),
        res("azure-native:authorization:RoleAssignment", "acr-pull", {
            principalId: "9c8d7e6f-5a4b-4c3d-9e2f-1a0b9c8d7e03",
            principalType: "ServicePrincipal",
            roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d`,
            scope: ids.registry,
        }),
        res("azure-native:authorization:RoleAssignment", "rg-owner", {
            principalId: "0b7e8c9d-1a2b-4c3d-8e4f-5a6b7c8d9e02",
            principalType: "Group",
            roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`,
            scope: RG,
        }),
    ];
    return stack;
}

/** A deep copy of `stack` with `mutate` applied to the props of the resource named `name`. */
export function mutated(stack: readonly PolicyInputResource[], name: string, mutate: (props: any, r: PolicyInputResource) => void): PolicyInputResource[] {
    const copy = structuredClone(stack) as PolicyInputResource[];
    const target = copy.find((r) => r.name === name);
    if (!target) throw new Error(`fixture has no resource named ${name}`);
    mutate(target.props, target);
    return copy;
}

export function evaluate(stack: readonly PolicyInputResource[], opts?: EvaluateOptions): PolicyReport {
    return evaluateResources(stack, opts);
}

/** The distinct rule names that fired, sorted. */
export function firedRules(report: PolicyReport): string[] {
    return [...new Set(report.violations.map((v) => v.policyName))].sort();
}

/** Replaces every leaf value of `v` with `leaf` (keys kept), for unknown/secret robustness tests. */
export function mapLeaves(v: unknown, leaf: (x: unknown) => unknown): unknown {
    if (Array.isArray(v)) return v.map((x) => mapLeaves(x, leaf));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapLeaves(x, leaf)]));
    return leaf(v);
}
