import { validateResourceOfType } from "@pulumi/policy";
import { ManagedCluster } from "@pulumi/azure-native/containerservice";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const k3AksLocalAccountsDisabled: ResourceRule = {
    name: "k3-aks-local-accounts-disabled",
    description:
        "AKS has no static local admin credential: disableLocalAccounts is true. Matches Checkov CKV_AZURE_141, Azure " +
        "Policy 993c2fcd-2b29-49d2-9eb0-df2c3a730c32 (AKS Clusters should have local authentication methods disabled).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
        expect(report, () => cluster.disableLocalAccounts === true, "set disableLocalAccounts: true");
    }),
};
