import { validateResourceOfType } from "@pulumi/policy";
import { ManagedCluster } from "@pulumi/azure-native/containerservice";
import { inEnvironments } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { checkDiskEncryptionSet } from "./k18-aks-cmk-disks";

export const aksCmkDisksDev: ResourceRule = {
    name: "aks-cmk-disks-dev",
    description: "dev clusters: the customer-managed disk key of k18-aks-cmk-disks, reported but not required. Matches Checkov CKV_AZURE_117 (dev).",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
        inEnvironments(cluster, ["dev"], () => checkDiskEncryptionSet(cluster, report));
    }),
};
