import { validateResourceOfType } from "@pulumi/policy";
import { Vault } from "@pulumi/azure-native/keyvault";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const v2KvPurgeProtection: ResourceRule = {
    name: "v2-kv-purge-protection",
    description:
        "Deleted Key Vault contents are recoverable: properties.enablePurgeProtection is true and enableSoftDelete is not " +
        "false. Matches Checkov CKV_AZURE_110, CKV_AZURE_111 and CKV_AZURE_42, Azure Policy " +
        "0b60c0b2-2dc2-4e1c-b5c9-abbed971de53 (Key vaults should have deletion protection enabled) and " +
        "1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d (soft delete).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(Vault, (vault, _args, report) => {
        expect(report, () => vault.properties?.enablePurgeProtection === true, "set properties.enablePurgeProtection: true");
        expect(report, () => vault.properties?.enableSoftDelete !== false, "remove properties.enableSoftDelete: false (soft delete must stay on)");
    }),
};
