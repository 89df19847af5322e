import { validateResourceOfType, type ReportViolation } from "@pulumi/policy";
import { ManagedCluster } from "@pulumi/azure-native/containerservice";
import { inEnvironments } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

/** The cluster's node OS and data disks are encrypted with a customer-managed key: a disk encryption set. */
export function checkDiskEncryptionSet(cluster: { diskEncryptionSetID?: unknown }, report: ReportViolation): void {
    expect(report, () => typeof cluster.diskEncryptionSetID === "string" && cluster.diskEncryptionSetID !== "",
        "set diskEncryptionSetID to a compute:DiskEncryptionSet whose key lives in the stack's Key Vault (keyVault.customerManagedKeys; only at cluster creation)");
}

export const k18AksCmkDisks: ResourceRule = {
    name: "k18-aks-cmk-disks",
    description:
        "stg and prd clusters encrypt node OS and data disks with a customer-managed key: diskEncryptionSetID names a " +
        "disk encryption set (key in Key Vault with a rotation policy). Matches Checkov CKV_AZURE_117 (applied to stg and " +
        "prd; aks-cmk-disks-dev reports dev).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
        inEnvironments(cluster, ["stg", "prd"], () => checkDiskEncryptionSet(cluster, report));
    }),
};
