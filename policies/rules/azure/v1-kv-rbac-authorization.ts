import { validateResourceOfType } from "@pulumi/policy";
import { Vault } from "@pulumi/azure-native/keyvault";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const v1KvRbacAuthorization: ResourceRule = {
    name: "v1-kv-rbac-authorization",
    description:
        "Key Vault authorizes with Azure RBAC, not access policies: properties.enableRbacAuthorization is true. Matches " +
        "Azure Policy 12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5 (Azure Key Vault should use RBAC permission model).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(Vault, (vault, _args, report) => {
        expect(report, () => vault.properties?.enableRbacAuthorization === true, "set properties.enableRbacAuthorization: true");
    }),
};
