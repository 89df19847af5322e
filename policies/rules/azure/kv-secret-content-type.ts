import { validateResourceOfType } from "@pulumi/policy";
import { Secret } from "@pulumi/azure-native/keyvault";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const kvSecretContentType: ResourceRule = {
    name: "kv-secret-content-type",
    description: "Key Vault secrets say what they hold: properties.contentType is set. Matches Checkov CKV_AZURE_114, Azure Policy 75262d3e-ba4a-4f43-85f8-9f72c090e5e3.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(Secret, (secret, _args, report) => {
        expect(report, () => typeof secret.properties?.contentType === "string" && secret.properties.contentType !== "", "set properties.contentType (e.g. \"text/plain\")");
    }),
};
