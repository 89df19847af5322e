import { validateResourceOfType } from "@pulumi/policy";
import { Key } from "@pulumi/azure-native/keyvault";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const kvKeyHsmBacked: ResourceRule = {
    name: "kv-key-hsm-backed",
    description:
        "Key Vault keys are HSM-protected: properties.kty RSA-HSM or EC-HSM (needs the Premium vault SKU). Matches Checkov " +
        "CKV_AZURE_112; advisory because the platform's vaults are Standard (software-protected keys, FIPS 140 level 1).",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(Key, (key, _args, report) => {
        expect(report, () => key.properties.kty === "RSA-HSM" || key.properties.kty === "EC-HSM", "set properties.kty: \"RSA-HSM\" (Premium vault)");
    }),
};
