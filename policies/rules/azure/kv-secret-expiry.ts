import { validateResourceOfType } from "@pulumi/policy";
import { Secret } from "@pulumi/azure-native/keyvault";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const kvSecretExpiry: ResourceRule = {
    name: "kv-secret-expiry",
    description: "Key Vault secrets expire: properties.attributes.expires is set. Matches Checkov CKV_AZURE_41, Azure Policy 98728c90-32c7-4049-8429-847dc0f4fe37.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(Secret, (secret, _args, report) => {
        expect(report, () => typeof secret.properties?.attributes?.expires === "number", "set properties.attributes.expires (seconds since the epoch)");
    }),
};
