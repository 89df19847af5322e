import { validateResourceOfType, type ReportViolation } from "@pulumi/policy";
import { StorageAccount } from "@pulumi/azure-native/storage";
import { inEnvironments } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

/* eslint-disable @typescript-eslint/no-explicit-any -- the encryption block is read field by field. */
export function checkStorageCmk(account: { encryption?: any }, report: ReportViolation): void {
    expect(report, () => typeof account.encryption?.keySource === "string" && account.encryption.keySource.toLowerCase() === "microsoft.keyvault",
        "set encryption.keySource: \"Microsoft.Keyvault\" (a customer-managed key; keyVault.customerManagedKeys)");
    expect(report, () => {
        const kv = account.encryption?.keySource?.toLowerCase?.() === "microsoft.keyvault" ? account.encryption?.keyVaultProperties : {};
        return account.encryption?.keySource?.toLowerCase?.() !== "microsoft.keyvault" || (typeof kv?.keyName === "string" && kv.keyName !== "" && typeof kv?.keyVaultUri === "string" && kv.keyVaultUri !== "");
    }, "set encryption.keyVaultProperties.keyName and keyVaultUri (no keyVersion: the account follows the key's rotation)");
}

export const s8StorageCmk: ResourceRule = {
    name: "s8-storage-cmk",
    description:
        "stg and prd storage accounts (the data lake) encrypt with a customer-managed key: encryption.keySource " +
        "Microsoft.Keyvault with keyVaultProperties.keyName and keyVaultUri. Matches Checkov CKV2_AZURE_1 (applied to stg " +
        "and prd; storage-cmk-dev reports dev).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(StorageAccount, (account, _args, report) => {
        inEnvironments(account, ["stg", "prd"], () => checkStorageCmk(account, report));
    }),
};
