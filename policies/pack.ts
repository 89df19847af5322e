/**
 * The pack's rules as a plain list, and their default enforcement levels. Importing this has no side effects:
 * tests, `npm run policy` and the offline plan run exactly these rules; policies/index.ts hands them to CrossGuard.
 */
import type { Rule } from "./lib/rule";
import { t1RequiredTags } from "./rules/azure/t1-required-tags";
import { k1AksPrivateCluster } from "./rules/azure/k1-aks-private-cluster";
import { k2AksAzureRbac } from "./rules/azure/k2-aks-azure-rbac";
import { k3AksLocalAccountsDisabled } from "./rules/azure/k3-aks-local-accounts-disabled";
import { k4AksNetworkPolicy } from "./rules/azure/k4-aks-network-policy";
import { k5AksAzurePolicyAddon } from "./rules/azure/k5-aks-azure-policy-addon";
import { k6AksSecretsStoreRotation } from "./rules/azure/k6-aks-secrets-store-rotation";
import { k7AksWorkloadIdentity } from "./rules/azure/k7-aks-workload-identity";
import { k8AksDefender } from "./rules/azure/k8-aks-defender";
import { k9AksManagedIdentity } from "./rules/azure/k9-aks-managed-identity";
import { k10AksAutoUpgrade } from "./rules/azure/k10-aks-auto-upgrade";
import { k11AksPaidTierPrd } from "./rules/azure/k11-aks-paid-tier-prd";
import { k12AksPoolVmssNoPublicIp } from "./rules/azure/k12-aks-pool-vmss-no-public-ip";
import { k13AksSystemPool } from "./rules/azure/k13-aks-system-pool";
import { k14AksGpuPoolTaint } from "./rules/azure/k14-aks-gpu-pool-taint";
import { k15AksSpotPoolTaint } from "./rules/azure/k15-aks-spot-pool-taint";
import { k16AksNoSpotPrd } from "./rules/azure/k16-aks-no-spot-prd";
import { r1AcrAdminDisabled } from "./rules/azure/r1-acr-admin-disabled";
import { r2AcrAnonymousPullDisabled } from "./rules/azure/r2-acr-anonymous-pull-disabled";
import { r3AcrPublicNetworkDisabled } from "./rules/azure/r3-acr-public-network-disabled";
import { r4AcrPremiumSku } from "./rules/azure/r4-acr-premium-sku";
import { v1KvRbacAuthorization } from "./rules/azure/v1-kv-rbac-authorization";
import { v2KvPurgeProtection } from "./rules/azure/v2-kv-purge-protection";
import { v3KvNetworkLocked } from "./rules/azure/v3-kv-network-locked";
import { s1StorageHttpsTls12 } from "./rules/azure/s1-storage-https-tls12";
import { s2StorageNoPublicBlobNoSharedKey } from "./rules/azure/s2-storage-no-public-blob-no-shared-key";
import { s3StorageNetworkLocked } from "./rules/azure/s3-storage-network-locked";
import { s4BlobContainerPrivate } from "./rules/azure/s4-blob-container-private";
import { n1NsgNoInternetManagementPorts } from "./rules/azure/n1-nsg-no-internet-management-ports";
import { n2SubnetHasNsg } from "./rules/azure/n2-subnet-has-nsg";
import { n3FirewallPolicyThreatIntelIdps } from "./rules/azure/n3-firewall-policy-threat-intel-idps";
import { n4FirewallUsesPolicy } from "./rules/azure/n4-firewall-uses-policy";
import { w1PrivateEndpointRequired } from "./rules/azure/w1-private-endpoint-required";
import { w2PrdStatefulProtected } from "./rules/azure/w2-prd-stateful-protected";
import { w3NoSubscriptionOwnerAssignment } from "./rules/azure/w3-no-subscription-owner-assignment";
import { w4NoWildcardCustomRole } from "./rules/azure/w4-no-wildcard-custom-role";
import { n5NsgInternetInboundAllowlist } from "./rules/azure/n5-nsg-internet-inbound-allowlist";
import { d1DefenderPlans } from "./rules/azure/d1-defender-plans";
import { s5StorageRequestLogging } from "./rules/azure/s5-storage-request-logging";
import { s6StorageLocalUsersDisabled } from "./rules/azure/s6-storage-local-users-disabled";
import { s7StorageGeoRedundantPrd } from "./rules/azure/s7-storage-geo-redundant-prd";
import { k17AksContainerInsights } from "./rules/azure/k17-aks-container-insights";
import { r5AcrDedicatedDataEndpoints } from "./rules/azure/r5-acr-dedicated-data-endpoints";
import { k18AksCmkDisks } from "./rules/azure/k18-aks-cmk-disks";
import { s8StorageCmk } from "./rules/azure/s8-storage-cmk";
import { v4KvKeyRotation } from "./rules/azure/v4-kv-key-rotation";
import { aksCmkDisksDev } from "./rules/azure/aks-cmk-disks-dev";
import { storageCmkDev } from "./rules/azure/storage-cmk-dev";
import { kvKeyHsmBacked } from "./rules/azure/kv-key-hsm-backed";

import { aksMaxPods } from "./rules/azure/aks-max-pods";
import { aksEphemeralOsDisk } from "./rules/azure/aks-ephemeral-os-disk";
import { aksEncryptionAtHost } from "./rules/azure/aks-encryption-at-host";
import { aksPaidTierStg } from "./rules/azure/aks-paid-tier-stg";
import { acrTrustPolicy } from "./rules/azure/acr-trust-policy";
import { acrQuarantinePolicy } from "./rules/azure/acr-quarantine-policy";
import { acrRetentionPolicy } from "./rules/azure/acr-retention-policy";
import { acrZoneRedundancy } from "./rules/azure/acr-zone-redundancy";
import { kvSecretExpiry } from "./rules/azure/kv-secret-expiry";
import { kvSecretContentType } from "./rules/azure/kv-secret-content-type";
import { storageInfrastructureEncryption } from "./rules/azure/storage-infrastructure-encryption";
import { storageNoCrossTenantReplication } from "./rules/azure/storage-no-cross-tenant-replication";
import { storageBlobDataProtection } from "./rules/azure/storage-blob-data-protection";
import { logAnalyticsRetention } from "./rules/azure/log-analytics-retention";
import { diagnosticSettingsPresent } from "./rules/azure/diagnostic-settings-present";
import { pssDisallowCapabilities } from "./rules/kubernetes/pss-disallow-capabilities";
import { pssDisallowHostNamespaces } from "./rules/kubernetes/pss-disallow-host-namespaces";
import { pssDisallowHostPath } from "./rules/kubernetes/pss-disallow-host-path";
import { pssDisallowHostPorts } from "./rules/kubernetes/pss-disallow-host-ports";
import { pssDisallowHostProcess } from "./rules/kubernetes/pss-disallow-host-process";
import { pssDisallowPrivilegedContainers } from "./rules/kubernetes/pss-disallow-privileged-containers";
import { pssDisallowProcMount } from "./rules/kubernetes/pss-disallow-proc-mount";
import { pssDisallowProcMountStrict } from "./rules/kubernetes/pss-disallow-proc-mount-strict";
import { pssDisallowHostProbes } from "./rules/kubernetes/pss-disallow-host-probes";
import { pssDisallowSelinux } from "./rules/kubernetes/pss-disallow-selinux";
import { pssRestrictApparmorProfiles } from "./rules/kubernetes/pss-restrict-apparmor-profiles";
import { pssRestrictSeccomp } from "./rules/kubernetes/pss-restrict-seccomp";
import { pssRestrictSysctls } from "./rules/kubernetes/pss-restrict-sysctls";
import { pssDisallowCapabilitiesStrict } from "./rules/kubernetes/pss-disallow-capabilities-strict";
import { pssDisallowPrivilegeEscalation } from "./rules/kubernetes/pss-disallow-privilege-escalation";
import { pssRequireRunAsNonRootUser } from "./rules/kubernetes/pss-require-run-as-non-root-user";
import { pssRequireRunAsNonroot } from "./rules/kubernetes/pss-require-run-as-nonroot";
import { pssRestrictSeccompStrict } from "./rules/kubernetes/pss-restrict-seccomp-strict";
import { pssRestrictVolumeTypes } from "./rules/kubernetes/pss-restrict-volume-types";
import { k8sImagePinned } from "./rules/kubernetes/k8s-image-pinned";
import { k8sAllowedRegistries } from "./rules/kubernetes/k8s-allowed-registries";
import { k8sRequestsLimits } from "./rules/kubernetes/k8s-requests-limits";
import { k8sProbes } from "./rules/kubernetes/k8s-probes";
import { k8sGpuToleration } from "./rules/kubernetes/k8s-gpu-toleration";
import { esoNoNamespacedSecretStore } from "./rules/kubernetes/eso-no-namespaced-secret-store";
import { esoStoreExplicitIdentity } from "./rules/kubernetes/eso-store-explicit-identity";

export const PACK_NAME = "aiplatform-policies";

/** Mandatory Azure rules (issue 7's minimum and issue 16's Checkov parity), in the order the README lists them. */
export const azureMandatoryRules: readonly Rule[] = [
    t1RequiredTags,
    k1AksPrivateCluster, k2AksAzureRbac, k3AksLocalAccountsDisabled, k4AksNetworkPolicy, k5AksAzurePolicyAddon,
    k6AksSecretsStoreRotation, k7AksWorkloadIdentity, k8AksDefender, k9AksManagedIdentity, k10AksAutoUpgrade,
    k11AksPaidTierPrd, k12AksPoolVmssNoPublicIp, k13AksSystemPool, k14AksGpuPoolTaint, k15AksSpotPoolTaint, k16AksNoSpotPrd,
    k17AksContainerInsights, k18AksCmkDisks,
    r1AcrAdminDisabled, r2AcrAnonymousPullDisabled, r3AcrPublicNetworkDisabled, r4AcrPremiumSku, r5AcrDedicatedDataEndpoints,
    v1KvRbacAuthorization, v2KvPurgeProtection, v3KvNetworkLocked, v4KvKeyRotation,
    s1StorageHttpsTls12, s2StorageNoPublicBlobNoSharedKey, s3StorageNetworkLocked, s4BlobContainerPrivate,
    s5StorageRequestLogging, s6StorageLocalUsersDisabled, s7StorageGeoRedundantPrd, s8StorageCmk,
    n1NsgNoInternetManagementPorts, n2SubnetHasNsg, n3FirewallPolicyThreatIntelIdps, n4FirewallUsesPolicy, n5NsgInternetInboundAllowlist,
    w1PrivateEndpointRequired, w2PrdStatefulProtected, w3NoSubscriptionOwnerAssignment, w4NoWildcardCustomRole,
    d1DefenderPlans,
];

/** Advisory Azure rules: hardening beyond the gate (Checkov / Azure Policy checks the pack reports but doesn't block on). */
export const azureAdvisoryRules: readonly Rule[] = [
    aksMaxPods, aksEphemeralOsDisk, aksEncryptionAtHost, aksPaidTierStg, aksCmkDisksDev,
    acrTrustPolicy, acrQuarantinePolicy, acrRetentionPolicy, acrZoneRedundancy,
    kvSecretExpiry, kvSecretContentType, kvKeyHsmBacked,
    storageBlobDataProtection, storageCmkDev, storageInfrastructureEncryption, storageNoCrossTenantReplication,
    logAnalyticsRetention, diagnosticSettingsPresent,
];

/** Pod Security Standards baseline checks (upstream pod-security-admission's baseline level, at the configured version). */
export const pssBaselineRules: readonly Rule[] = [
    pssDisallowCapabilities, pssDisallowHostNamespaces, pssDisallowHostPath, pssDisallowHostPorts, pssDisallowHostProcess,
    pssDisallowHostProbes, pssDisallowPrivilegedContainers, pssDisallowProcMount, pssDisallowSelinux, pssRestrictApparmorProfiles,
    pssRestrictSeccomp, pssRestrictSysctls,
];

/** Pod Security Standards restricted checks (what upstream's restricted level adds to baseline, at the configured version). */
export const pssRestrictedRules: readonly Rule[] = [
    pssDisallowCapabilitiesStrict, pssDisallowPrivilegeEscalation, pssDisallowProcMountStrict, pssRequireRunAsNonRootUser,
    pssRequireRunAsNonroot, pssRestrictSeccompStrict, pssRestrictVolumeTypes,
];

/** Workload hygiene for every pod template: pinned images, allowed registries, resources, probes, GPU tolerations. */
export const workloadRules: readonly Rule[] = [k8sImagePinned, k8sAllowedRegistries, k8sRequestsLimits, k8sProbes, k8sGpuToleration];

/** Who may reach Key Vault from the cluster (issue 22 §2). */
export const secretAccessRules: readonly Rule[] = [esoNoNamespacedSecretStore, esoStoreExplicitIdentity];

/** Every rule of the pack. */
export const rules: readonly Rule[] = [...azureMandatoryRules, ...azureAdvisoryRules, ...pssBaselineRules, ...pssRestrictedRules, ...workloadRules, ...secretAccessRules];

/** Default enforcement level per rule name; pack config overrides it per stack. */
export const defaultLevels: Readonly<Record<string, Rule["enforcementLevel"]>> = Object.fromEntries(rules.map((r) => [r.name, r.enforcementLevel]));
