import { validateResourceOfType } from "@pulumi/policy";
import { StorageAccount } from "@pulumi/azure-native/storage";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const storageNoCrossTenantReplication: ResourceRule = {
    name: "storage-no-cross-tenant-replication",
    description: "Storage never replicates objects to another tenant: allowCrossTenantReplication is false. Matches Azure Policy 92a89a79-6c52-4a7e-a03f-61306fc49312.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(StorageAccount, (account, _args, report) => {
        expect(report, () => account.allowCrossTenantReplication === false, "set allowCrossTenantReplication: false");
    }),
};
