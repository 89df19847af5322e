import { validateResourceOfType } from "@pulumi/policy";
import { StorageAccount } from "@pulumi/azure-native/storage";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const storageInfrastructureEncryption: ResourceRule = {
    name: "storage-infrastructure-encryption",
    description: "Storage double-encrypts at the infrastructure layer: encryption.requireInfrastructureEncryption is true (set at creation only). Matches Azure Policy 4733ea7b-a883-42fe-8cac-97454c2a9e4a.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(StorageAccount, (account, _args, report) => {
        expect(report, () => account.encryption?.requireInfrastructureEncryption === true, "set encryption.requireInfrastructureEncryption: true (only possible when the account is created)");
    }),
};
