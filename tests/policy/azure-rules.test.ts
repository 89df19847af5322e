/**
 * Azure rules: the compliant fixture passes every rule; each single-field mutation is caught by exactly the rule
 * that owns the field (and only by it).
 */
import { compliantStack, evaluate, firedRules, mutated, RG, SUB, type Env } from "./fixtures";
import { UNKNOWN_STRING } from "../../policies/lib/values";

/** [title, env, resource to mutate, mutation, rules expected to fire, resource reported on (default: the mutated one)] */
type Mutation = [string, Env, string, (p: any) => void, string[], string?];

const U = UNKNOWN_STRING;

const MUTATIONS: Mutation[] = [
    // T1
    ["T1 missing owner tag", "prd", "kv", (p) => delete p.tags.owner, ["t1-required-tags"]],
    ["T1 empty team tag", "dev", "acr", (p) => (p.tags.team = " "), ["t1-required-tags"]],
    ["T1 environment outside dev/stg/prd", "stg", "log", (p) => (p.tags.environment = "qa"), ["t1-required-tags"]],
    ["T1 region differs from location", "prd", "vnet", (p) => (p.tags.region = "westeurope"), ["t1-required-tags"]],
    ["T1 no tags at all", "prd", "afwp", (p) => delete p.tags, ["t1-required-tags"]],
    // K1-K16
    ["K1 public API server", "prd", "aks", (p) => (p.apiServerAccessProfile.enablePrivateCluster = false), ["k1-aks-private-cluster"]],
    ["K1 authorized range 0.0.0.0/0", "prd", "aks", (p) => (p.apiServerAccessProfile.authorizedIPRanges = ["10.0.0.0/8", "0.0.0.0/0"]), ["k1-aks-private-cluster"]],
    ["K1 authorized range ::/0", "dev", "aks", (p) => (p.apiServerAccessProfile.authorizedIPRanges = ["::/0"]), ["k1-aks-private-cluster"]],
    ["K2 no Azure RBAC", "prd", "aks", (p) => (p.aadProfile.enableAzureRBAC = false), ["k2-aks-azure-rbac"]],
    ["K2 Kubernetes RBAC off", "prd", "aks", (p) => (p.enableRBAC = false), ["k2-aks-azure-rbac"]],
    ["K3 local accounts", "prd", "aks", (p) => delete p.disableLocalAccounts, ["k3-aks-local-accounts-disabled"]],
    ["K4 kubenet", "prd", "aks", (p) => (p.networkProfile.networkPlugin = "kubenet"), ["k4-aks-network-policy"]],
    ["K4 no network policy", "prd", "aks", (p) => (p.networkProfile.networkPolicy = "none"), ["k4-aks-network-policy"]],
    ["K5 Azure Policy addon off", "prd", "aks", (p) => (p.addonProfiles.azurepolicy.enabled = false), ["k5-aks-azure-policy-addon"]],
    ["K5 dashboard on (key casing KubeDashboard)", "prd", "aks", (p) => (p.addonProfiles.KubeDashboard = { enabled: true }), ["k5-aks-azure-policy-addon"]],
    ["K5 HTTP application routing on", "prd", "aks", (p) => (p.addonProfiles.httpApplicationRouting = { enabled: true }), ["k5-aks-azure-policy-addon"]],
    ["K6 no secret rotation", "prd", "aks", (p) => (p.addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation = "false"), ["k6-aks-secrets-store-rotation"]],
    ["K6 no CSI driver addon", "prd", "aks", (p) => delete p.addonProfiles.azureKeyvaultSecretsProvider, ["k6-aks-secrets-store-rotation"]],
    ["K7 no OIDC issuer", "prd", "aks", (p) => (p.oidcIssuerProfile.enabled = false), ["k7-aks-workload-identity"]],
    ["K7 no workload identity", "prd", "aks", (p) => delete p.securityProfile.workloadIdentity, ["k7-aks-workload-identity"]],
    ["K8 Defender off", "prd", "aks", (p) => (p.securityProfile.defender.securityMonitoring.enabled = false), ["k8-aks-defender"]],
    ["K8 Defender without workspace", "prd", "aks", (p) => delete p.securityProfile.defender.logAnalyticsWorkspaceResourceId, ["k8-aks-defender"]],
    ["K9 no managed identity", "prd", "aks", (p) => (p.identity = { type: "None" }), ["k9-aks-managed-identity"]],
    ["K9 service principal secret", "prd", "aks", (p) => (p.servicePrincipalProfile = { clientId: "x", secret: "hunter2" }), ["k9-aks-managed-identity"]],
    ["K10 upgrade channel none", "prd", "aks", (p) => (p.autoUpgradeProfile.upgradeChannel = "none"), ["k10-aks-auto-upgrade"]],
    ["K10 no upgrade channel", "prd", "aks", (p) => delete p.autoUpgradeProfile.upgradeChannel, ["k10-aks-auto-upgrade"]],
    ["K10 node OS unmanaged", "prd", "aks", (p) => (p.autoUpgradeProfile.nodeOSUpgradeChannel = "Unmanaged"), ["k10-aks-auto-upgrade"]],
    ["K11 Free tier in prd", "prd", "aks", (p) => (p.sku.tier = "Free"), ["k11-aks-paid-tier-prd"]],
    ["K12 inline pool availability set", "prd", "aks", (p) => (p.agentPoolProfiles[0].type = "AvailabilitySet"), ["k12-aks-pool-vmss-no-public-ip"]],
    ["K12 inline pool public IPs", "prd", "aks", (p) => (p.agentPoolProfiles[0].enableNodePublicIP = true), ["k12-aks-pool-vmss-no-public-ip"]],
    ["K12 standalone pool public IPs", "prd", "pool-cpu", (p) => (p.enableNodePublicIP = true), ["k12-aks-pool-vmss-no-public-ip"]],
    ["K12 standalone pool availability set", "dev", "pool-cpu", (p) => (p.type = "AvailabilitySet"), ["k12-aks-pool-vmss-no-public-ip"]],
    ["K13 system pool without CriticalAddonsOnly", "prd", "aks", (p) => (p.agentPoolProfiles[0].nodeTaints = []), ["k13-aks-system-pool"]],
    ["K13 prd system pool in one zone", "prd", "aks", (p) => (p.agentPoolProfiles[0].availabilityZones = ["1"]), ["k13-aks-system-pool"]],
    ["K13 standalone System pool without taint", "stg", "pool-cpu", (p) => (p.mode = "System"), ["k13-aks-system-pool"]],
    ["K14 H100 pool without GPU taint", "prd", "pool-h100", (p) => (p.nodeTaints = []), ["k14-aks-gpu-pool-taint"]],
    ["K14 MI300X pool with PreferNoSchedule", "prd", "pool-mi300x", (p) => (p.nodeTaints = ["amd.com/gpu=present:PreferNoSchedule"]), ["k14-aks-gpu-pool-taint"]],
    ["K14 inline GPU pool without taint", "dev", "aks", (p) => p.agentPoolProfiles.push({ name: "gpu", mode: "User", type: "VirtualMachineScaleSets", vmSize: "Standard_NC24ads_A100_v4", maxPods: 50, enableEncryptionAtHost: true, osDiskType: "Ephemeral" }), ["k14-aks-gpu-pool-taint"]],
    ["K15 spot pool without spot taint", "dev", "pool-spot", (p) => (p.nodeTaints = []), ["k15-aks-spot-pool-taint"]],
    ["K16 spot pool in prd", "prd", "pool-cpu", (p) => { p.scaleSetPriority = "Spot"; p.nodeTaints = ["kubernetes.azure.com/scalesetpriority=spot:NoSchedule"]; }, ["k16-aks-no-spot-prd"]],
    ["K16 inline spot pool in prd", "prd", "aks", (p) => p.agentPoolProfiles.push({ name: "spot", mode: "User", type: "VirtualMachineScaleSets", vmSize: "Standard_D8ds_v5", scaleSetPriority: "Spot", nodeTaints: ["kubernetes.azure.com/scalesetpriority=spot:NoSchedule"], maxPods: 50, enableEncryptionAtHost: true, osDiskType: "Ephemeral" }), ["k16-aks-no-spot-prd"]],
    ["K18 prd cluster without a disk encryption set", "prd", "aks", (p) => delete p.diskEncryptionSetID, ["k18-aks-cmk-disks"]],
    ["K18 stg cluster with an empty disk encryption set id", "stg", "aks", (p) => (p.diskEncryptionSetID = ""), ["k18-aks-cmk-disks"]],
    ["K17 Container Insights off", "dev", "aks", (p) => (p.addonProfiles.omsagent.enabled = false), ["k17-aks-container-insights"]],
    ["K17 Container Insights without a workspace", "prd", "aks", (p) => delete p.addonProfiles.omsagent.config, ["k17-aks-container-insights"]],
    ["K17 no omsagent addon", "stg", "aks", (p) => delete p.addonProfiles.omsagent, ["k17-aks-container-insights"]],
    // R1-R4
    ["R1 admin user", "prd", "acr", (p) => (p.adminUserEnabled = true), ["r1-acr-admin-disabled"]],
    ["R2 anonymous pull", "prd", "acr", (p) => (p.anonymousPullEnabled = true), ["r2-acr-anonymous-pull-disabled"]],
    ["R3 public network", "prd", "acr", (p) => (p.publicNetworkAccess = "Enabled"), ["r3-acr-public-network-disabled"]],
    ["R5 no dedicated data endpoints", "dev", "acr", (p) => delete p.dataEndpointEnabled, ["r5-acr-dedicated-data-endpoints"]],
    ["R3 public network by default", "prd", "acr", (p) => delete p.publicNetworkAccess, ["r3-acr-public-network-disabled"]],
    ["R4 Standard SKU", "prd", "acr", (p) => (p.sku.name = "Standard"), ["r4-acr-premium-sku"]],
    // V1-V3
    ["V1 access policies", "prd", "kv", (p) => (p.properties.enableRbacAuthorization = false), ["v1-kv-rbac-authorization"]],
    ["V2 no purge protection", "prd", "kv", (p) => delete p.properties.enablePurgeProtection, ["v2-kv-purge-protection"]],
    ["V2 soft delete off", "prd", "kv", (p) => (p.properties.enableSoftDelete = false), ["v2-kv-purge-protection"]],
    ["V3 public network", "prd", "kv", (p) => (p.properties.publicNetworkAccess = "Enabled"), ["v3-kv-network-locked"]],
    ["V3 firewall allows", "prd", "kv", (p) => (p.properties.networkAcls.defaultAction = "Allow"), ["v3-kv-network-locked"]],
    // S1-S4
    ["S1 HTTP allowed", "prd", "st", (p) => (p.enableHttpsTrafficOnly = false), ["s1-storage-https-tls12"]],
    ["S1 TLS 1.0", "prd", "st", (p) => (p.minimumTlsVersion = "TLS1_0"), ["s1-storage-https-tls12"]],
    ["S2 blob public access not explicit", "prd", "st", (p) => delete p.allowBlobPublicAccess, ["s2-storage-no-public-blob-no-shared-key"]],
    ["S2 shared keys", "prd", "st", (p) => (p.allowSharedKeyAccess = true), ["s2-storage-no-public-blob-no-shared-key"]],
    ["S3 public network", "prd", "st", (p) => (p.publicNetworkAccess = "Enabled"), ["s3-storage-network-locked"]],
    ["S3 network rules allow", "prd", "st", (p) => (p.networkRuleSet.defaultAction = "Allow"), ["s3-storage-network-locked"]],
    ["S4 public container", "prd", "st-models", (p) => (p.publicAccess = "Blob"), ["s4-blob-container-private"]],
    ["S5 no read logging on the blob service", "prd", "st-blob-diag", (p) => (p.logs = p.logs.filter((l: any) => l.category !== "StorageRead")), ["s5-storage-request-logging"], "st"],
    ["S5 logging on the account, not its blob service", "dev", "st-blob-diag", (p) => (p.resourceUri = p.resourceUri.replace("/blobServices/default", "")), ["s5-storage-request-logging"], "st"],
    ["S5 allLogs disabled", "stg", "st-blob-diag", (p) => (p.logs = [{ categoryGroup: "allLogs", enabled: false }]), ["s5-storage-request-logging"], "st"],
    ["S8 prd lake on Microsoft-managed keys", "prd", "st", (p) => (p.encryption = { requireInfrastructureEncryption: true, keySource: "Microsoft.Storage" }), ["s8-storage-cmk"]],
    ["S8 stg lake key without a vault URI", "stg", "st", (p) => delete p.encryption.keyVaultProperties.keyVaultUri, ["s8-storage-cmk"]],
    ["V4 key without a rotate action", "prd", "kv-key", (p) => (p.properties.rotationPolicy.lifetimeActions = p.properties.rotationPolicy.lifetimeActions.filter((a: any) => a.action.type !== "rotate")), ["v4-kv-key-rotation"]],
    ["V4 key without an expiry", "dev", "kv-key", (p) => delete p.properties.rotationPolicy.attributes, ["v4-kv-key-rotation"]],
    ["V4 key without a rotation policy", "stg", "kv-key", (p) => delete p.properties.rotationPolicy, ["v4-kv-key-rotation"]],
    ["S6 local users left at Azure's default", "dev", "st", (p) => delete p.isLocalUserEnabled, ["s6-storage-local-users-disabled"]],
    ["S7 zone-redundant only in prd", "prd", "st", (p) => (p.sku.name = "Standard_ZRS"), ["s7-storage-geo-redundant-prd"]],
    ["W4 custom role with * actions", "dev", "role-pool-scaler", (p) => p.permissions[0].actions.push("*"), ["w4-no-wildcard-custom-role"]],
    ["D1 Defender plan on the Free tier", "prd", "defender-containers", (p) => (p.pricingTier = "Free"), ["d1-defender-plans"]],
    ["D1 Resource Manager plan missing", "prd", "defender-arm", (p) => (p.pricingName = "Dns"), ["d1-defender-plans"], "defender-containers"],
    // N1-N4
    ["N1 SSH from Internet service tag", "prd", "nsg", (p) => (p.securityRules[0].destinationPortRange = "22"), ["n1-nsg-no-internet-management-ports", "n5-nsg-internet-inbound-allowlist"]],
    ["N1 port range 20-25 from *", "prd", "nsg", (p) => Object.assign(p.securityRules[0], { sourceAddressPrefix: "*", destinationPortRange: "20-25" }), ["n1-nsg-no-internet-management-ports", "n5-nsg-internet-inbound-allowlist"]],
    ["N1 port array with RDP from 0.0.0.0/0", "prd", "nsg", (p) => Object.assign(p.securityRules[0], { sourceAddressPrefix: "0.0.0.0/0", destinationPortRange: undefined, destinationPortRanges: ["443", "3389"] }), ["n1-nsg-no-internet-management-ports", "n5-nsg-internet-inbound-allowlist"]],
    ["N1 sourceAddressPrefixes with ::/0 to WinRM", "prd", "nsg", (p) => Object.assign(p.securityRules[1], { sourceAddressPrefix: undefined, sourceAddressPrefixes: ["10.0.0.0/8", "::/0"], destinationPortRanges: ["5986"] }), ["n1-nsg-no-internet-management-ports", "n5-nsg-internet-inbound-allowlist"]],
    ["N1 every port from any", "prd", "nsg", (p) => Object.assign(p.securityRules[0], { sourceAddressPrefix: "any", destinationPortRange: "*" }), ["n1-nsg-no-internet-management-ports", "n5-nsg-internet-inbound-allowlist"]],
    ["N1 standalone rule from Internet to 5985", "prd", "nsg-rule-lb", (p) => Object.assign(p, { sourceAddressPrefix: "Internet", destinationPortRange: "5985" }), ["n1-nsg-no-internet-management-ports", "n5-nsg-internet-inbound-allowlist"]],
    ["N5 (not N1): Internet to range 23-3388, which reaches no management port", "prd", "nsg", (p) => (p.securityRules[0].destinationPortRange = "23-3388"), ["n5-nsg-internet-inbound-allowlist"]],
    ["N5 Internet to 80 on an NSG off the allowlist", "prd", "nsg", (p) => { p.networkSecurityGroupName = "nsg-aip-system"; p.securityRules[0].destinationPortRange = "80"; }, ["n5-nsg-internet-inbound-allowlist"]],
    ["N5 allowlisted NSG, port not on its entry (UDP 3478)", "prd", "nsg", (p) => Object.assign(p.securityRules[0], { protocol: "Udp", destinationPortRange: "3478" }), ["n5-nsg-internet-inbound-allowlist"]],
    ["N5 a public prefix that is not Cloudflare's", "prd", "nsg", (p) => (p.securityRules[1].sourceAddressPrefix = "20.50.0.0/16"), ["n5-nsg-internet-inbound-allowlist"]],
    ["N5 standalone rule from * to 8080", "dev", "nsg-rule-lb", (p) => Object.assign(p, { sourceAddressPrefix: "*", destinationPortRange: "8080" }), ["n5-nsg-internet-inbound-allowlist"]],
    ["N2 inline subnet without NSG", "prd", "vnet", (p) => delete p.subnets[0].networkSecurityGroup, ["n2-subnet-has-nsg"]],
    ["N2 standalone subnet without NSG", "prd", "subnet-pe", (p) => delete p.networkSecurityGroup, ["n2-subnet-has-nsg"]],
    ["N3 threat intel alert only", "dev", "afwp", (p) => (p.threatIntelMode = "Alert"), ["n3-firewall-policy-threat-intel-idps"]],
    ["N3 Standard policy in prd", "prd", "afwp", (p) => { p.sku.tier = "Standard"; delete p.intrusionDetection; }, ["n3-firewall-policy-threat-intel-idps"]],
    ["N3 IDPS alert in prd", "prd", "afwp", (p) => (p.intrusionDetection.mode = "Alert"), ["n3-firewall-policy-threat-intel-idps"]],
    ["N4 firewall without policy", "prd", "afw", (p) => delete p.firewallPolicy, ["n4-firewall-uses-policy"]],
    // Advisory
    ["aks-max-pods below 50", "prd", "pool-cpu", (p) => (p.maxPods = 30), ["aks-max-pods"]],
    ["aks-ephemeral-os-disk managed", "prd", "aks", (p) => (p.agentPoolProfiles[0].osDiskType = "Managed"), ["aks-ephemeral-os-disk"]],
    ["aks-encryption-at-host off", "prd", "pool-h100", (p) => (p.enableEncryptionAtHost = false), ["aks-encryption-at-host"]],
    ["aks-paid-tier-stg Free", "stg", "aks", (p) => (p.sku.tier = "Free"), ["aks-paid-tier-stg"]],
    ["acr-trust-policy off", "prd", "acr", (p) => delete p.policies.trustPolicy, ["acr-trust-policy"]],
    ["acr-quarantine-policy off", "prd", "acr", (p) => (p.policies.quarantinePolicy.status = "disabled"), ["acr-quarantine-policy"]],
    ["acr-retention-policy off", "prd", "acr", (p) => delete p.policies.retentionPolicy, ["acr-retention-policy"]],
    ["acr-zone-redundancy off", "prd", "acr", (p) => (p.zoneRedundancy = "Disabled"), ["acr-zone-redundancy"]],
    ["acr-zone-redundancy replica", "prd", "acr-replica", (p) => delete p.zoneRedundancy, ["acr-zone-redundancy"]],
    ["kv-secret-expiry", "prd", "kv-secret", (p) => delete p.properties.attributes, ["kv-secret-expiry"]],
    ["kv-secret-content-type", "prd", "kv-secret", (p) => delete p.properties.contentType, ["kv-secret-content-type"]],
    ["storage-infrastructure-encryption", "prd", "st", (p) => delete p.encryption.requireInfrastructureEncryption, ["storage-infrastructure-encryption"]],
    ["storage-no-cross-tenant-replication", "prd", "st", (p) => (p.allowCrossTenantReplication = true), ["storage-no-cross-tenant-replication"]],
    ["storage-blob-data-protection soft delete off", "prd", "st-blob", (p) => (p.deleteRetentionPolicy.enabled = false), ["storage-blob-data-protection"], "st"],
    ["storage-blob-data-protection versioning off without HNS", "prd", "st", (p) => (p.isHnsEnabled = false), ["storage-blob-data-protection"]],
    ["aks-cmk-disks-dev", "dev", "aks", (p) => delete p.diskEncryptionSetID, ["aks-cmk-disks-dev"]],
    ["storage-cmk-dev", "dev", "st", (p) => (p.encryption.keySource = "Microsoft.Storage"), ["storage-cmk-dev"]],
    ["kv-key-hsm-backed software key", "prd", "kv-key", (p) => (p.properties.kty = "RSA"), ["kv-key-hsm-backed"]],
    ["log-analytics-retention 30 days in prd", "prd", "log", (p) => (p.retentionInDays = 30), ["log-analytics-retention"]],
    ["log-analytics-retention unset in prd", "prd", "log", (p) => delete p.retentionInDays, ["log-analytics-retention"]],
    ["log-analytics-retention 7 days in dev", "dev", "log", (p) => (p.retentionInDays = 7), ["log-analytics-retention"]],
];

describe("compliant fixture", () => {
    for (const env of ["dev", "stg", "prd"] as const) {
        test(`${env}: no violation of any rule`, () => {
            const report = evaluate(compliantStack(env));
            expect(report.violations).toEqual([]);
            expect(report.resources).toBe(compliantStack(env).length);
        });
    }
});

describe("single-field mutations are caught by the rule that owns the field", () => {
    // Every row gets all six columns: jest passes a `done` callback in place of a missing last one.
    const rows = MUTATIONS.map(([t, env, name, mutate, expected, on]) => [t, env, name, mutate, expected, on ?? name] as const);
    test.each(rows)("%s", (_title, env, name, mutate, expected, reportedOn) => {
        const report = evaluate(mutated(compliantStack(env), name, mutate));
        expect(firedRules(report)).toEqual(expected);
        for (const v of report.violations) {
            expect(v.name).toBe(reportedOn);
            expect(v.message).toMatch(/^(.*: )?(set|remove|add|spread|replace|inbound|assign|pull|pin)\b/);
        }
    });
});

describe("shapes that must not fire", () => {
    const quiet: [string, Env, string, (p: any) => void][] = [
        ["addon keys in other casings (azurePolicy, AzureKeyvaultSecretsProvider)", "prd", "aks", (p) => {
            p.addonProfiles = {
                azurePolicy: { enabled: true },
                AzureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: "true" } },
                kubeDashboard: { enabled: false },
                omsAgent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: p.addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID } },
            };
        }],
        ["NSG rule from VirtualNetwork to 22", "prd", "nsg", (p) => (p.securityRules[0] = { ...p.securityRules[0], sourceAddressPrefix: "VirtualNetwork", destinationPortRange: "22" })],
        ["outbound rule to 22 from *", "prd", "nsg", (p) => (p.securityRules[3].sourceAddressPrefix = "*")],
        ["Deny rule from Internet to 22", "prd", "nsg", (p) => Object.assign(p.securityRules[2], { sourceAddressPrefix: "Internet", destinationPortRange: "22" })],
        ["Free tier outside prd and stg", "dev", "aks", (p) => (p.sku.tier = "Free")],
        ["one-zone system pool outside prd", "dev", "aks", (p) => (p.agentPoolProfiles[0].availabilityZones = ["1"])],
        ["standalone AgentPool without type", "prd", "pool-cpu", (p) => delete p.type],
        ["nodeOSUpgradeChannel unset", "prd", "aks", (p) => delete p.autoUpgradeProfile.nodeOSUpgradeChannel],
        ["location global with any region tag", "prd", "zone-acr", (p) => (p.tags.region = "uaenorth")],
        ["region spelled as display name", "prd", "vnet", (p) => (p.location = "UAE North")],
        ["BlobContainer without publicAccess", "prd", "st-models", (p) => delete p.publicAccess],
        ["Cloudflare range to the public ingress's 443", "prd", "nsg", (p) => { p.networkSecurityGroupName = "nsg-aip-prd-uaen-ingress-public"; p.securityRules[0].sourceAddressPrefix = "173.245.48.0/20"; }],
        ["locally-redundant storage outside prd", "dev", "st", (p) => (p.sku.name = "Standard_LRS")],
        ["allLogs on the blob service", "prd", "st-blob-diag", (p) => (p.logs = [{ categoryGroup: "allLogs", enabled: true }])],
        ["RouteServerSubnet without NSG", "prd", "vnet", (p) => p.subnets.push({ name: "RouteServerSubnet", addressPrefix: "10.30.253.0/27" })],
    ];
    test.each(quiet)("%s", (_title, env, name, mutate) => {
        expect(evaluate(mutated(compliantStack(env), name, mutate)).violations).toEqual([]);
    });

    test("types without a tags input are never flagged by T1, even with no tags", () => {
        const report = evaluate(compliantStack("prd").filter((r) => ["azure-native:network:Subnet", "azure-native:network:SecurityRule", "azure-native:authorization:RoleAssignment", "azure-native:storage:BlobContainer", "azure-native:network:FirewallPolicyRuleCollectionGroup", "azure-native:monitor:DiagnosticSetting"].includes(r.type)));
        expect(report.resources).toBeGreaterThan(5);
        expect(report.violations).toEqual([]);
    });
});

describe("computed values and secrets", () => {
    test("a computed field silences only its own check", () => {
        const report = evaluate(mutated(compliantStack("prd"), "aks", (p) => {
            p.apiServerAccessProfile = { enablePrivateCluster: U, authorizedIPRanges: [U, "0.0.0.0/0"] };
            p.disableLocalAccounts = U;
            p.networkProfile = U;
        }));
        expect(report.violations.map((v) => v.message)).toEqual(['remove "0.0.0.0/0" from apiServerAccessProfile.authorizedIPRanges (it admits every address)']);
    });

    test("a computed environment tag keeps prd-only checks silent", () => {
        const report = evaluate(mutated(compliantStack("prd"), "aks", (p) => {
            p.tags.environment = U;
            p.sku.tier = "Free";
        }));
        expect(firedRules(report)).toEqual([]);
    });

    test("a computed NSG rule doesn't hide an open one next to it", () => {
        const report = evaluate(mutated(compliantStack("prd"), "nsg", (p) => {
            p.securityRules.unshift(U);
            p.securityRules[1].destinationPortRange = U;
            p.securityRules.push({ name: "open-rdp", direction: "Inbound", access: "Allow", sourceAddressPrefix: "Internet", destinationPortRange: "3389" });
        }));
        expect(report.violations.map((v) => v.policyName).sort()).toEqual(["n1-nsg-no-internet-management-ports", "n5-nsg-internet-inbound-allowlist"]);
        expect(report.violations.every((v) => v.message.includes("securityRules[5] (open-rdp)"))).toBe(true);
    });

    test("secret envelopes (ciphertext) count as unknown and never fire", () => {
        const envelope = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "AAAA" };
        const report = evaluate(mutated(compliantStack("prd"), "aks", (p) => {
            p.disableLocalAccounts = envelope;
            p.servicePrincipalProfile = envelope;
            p.apiServerAccessProfile.authorizedIPRanges = envelope;
        }));
        expect(report.violations).toEqual([]);
    });

    test("secret envelopes with plaintext are read like the analyzer reads decrypted secrets", () => {
        const report = evaluate(mutated(compliantStack("prd"), "acr", (p) => {
            p.adminUserEnabled = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext: "true" };
        }));
        expect(firedRules(report)).toEqual(["r1-acr-admin-disabled"]);
    });

    test.each([
        ["every leaf computed", (x: unknown) => (x === undefined ? x : U)],
        ["every leaf a secret", (x: unknown) => (x === undefined ? x : { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "c" })],
        ["every leaf masked as [secret]", (x: unknown) => (x === undefined ? x : "[secret]")],
    ])("%s: no crash, no violation", (_t, leaf) => {
        const { mapLeaves } = jest.requireActual("./fixtures");
        const stack = compliantStack("prd").map((r) => ({ ...r, props: mapLeaves(r.props, leaf) }));
        expect(evaluate(stack).violations).toEqual([]);
    });

    test("whole props objects computed: no crash, no violation", () => {
        const stack = compliantStack("prd").map((r) => ({ ...r, props: Object.fromEntries(Object.keys(r.props).map((k) => [k, U])) }));
        expect(evaluate(stack).violations).toEqual([]);
    });
});

describe("W3 role assignment scope", () => {
    const ownerAt = (scope: string, role = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635") =>
        mutated(compliantStack("prd"), "rg-owner", (p) => { p.scope = scope; p.roleDefinitionId = role; });
    test.each([
        ["Owner by full definition id", SUB, `${SUB}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`],
        ["Owner by bare GUID, trailing slash on scope", `${SUB}/`, "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"],
        ["User Access Administrator", SUB, "/providers/Microsoft.Authorization/roleDefinitions/18D7D88D-D35E-4FB5-A5C3-7773C20A72D9"],
    ])("%s at subscription scope fires", (_t, scope, role) => {
        const report = evaluate(ownerAt(scope, role));
        expect(firedRules(report)).toEqual(["w3-no-subscription-owner-assignment"]);
        expect(report.violations[0].name).toBe("rg-owner");
    });
    test("Owner at resource-group scope is fine", () => {
        expect(evaluate(ownerAt(RG)).violations).toEqual([]);
    });
    test("Contributor at subscription scope is fine", () => {
        expect(evaluate(ownerAt(SUB, "b24988ac-6180-42a0-ab88-20f7382dd24c")).violations).toEqual([]);
    });
});
