import { validateResourceOfType } from "@pulumi/policy";
import { StorageAccount } from "@pulumi/azure-native/storage";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const s2StorageNoPublicBlobNoSharedKey: ResourceRule = {
    name: "s2-storage-no-public-blob-no-shared-key",
    description:
        "Storage allows neither anonymous blob access nor account keys: allowBlobPublicAccess and allowSharedKeyAccess are " +
        "explicitly false. Matches Checkov CKV_AZURE_190, CKV2_AZURE_47 and CKV2_AZURE_40, Azure Policy " +
        "4fa4b6c0-31ca-4c0d-b10d-24b96f62a751 (Storage account public access should be disallowed) and " +
        "8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54 (Storage accounts should prevent shared key access).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(StorageAccount, (account, _args, report) => {
        expect(report, () => account.allowBlobPublicAccess === false, "set allowBlobPublicAccess: false (explicitly)");
        expect(report, () => account.allowSharedKeyAccess === false, "set allowSharedKeyAccess: false (Entra ID auth only)");
    }),
};
