import { validateResourceOfType } from "@pulumi/policy";
import { StorageAccount } from "@pulumi/azure-native/storage";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const s3StorageNetworkLocked: ResourceRule = {
    name: "s3-storage-network-locked",
    description:
        "Storage is reachable only privately: publicNetworkAccess is Disabled and networkRuleSet.defaultAction is Deny. " +
        "Matches Checkov CKV_AZURE_59, CKV_AZURE_35 and CKV2_AZURE_50 (every account, ML data included), Azure Policy b2982f36-99f2-4db5-8eff-283140c09693 (Storage " +
        "accounts should disable public network access) and 34c877ad-507e-4c82-993e-3452a6e0ad3c (restrict network access).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(StorageAccount, (account, _args, report) => {
        expect(report, () => account.publicNetworkAccess === "Disabled", "set publicNetworkAccess: \"Disabled\"");
        expect(report, () => account.networkRuleSet?.defaultAction === "Deny", "set networkRuleSet.defaultAction: \"Deny\"");
    }),
};
