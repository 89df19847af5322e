import { validateResourceOfType } from "@pulumi/policy";
import { Vault } from "@pulumi/azure-native/keyvault";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const v3KvNetworkLocked: ResourceRule = {
    name: "v3-kv-network-locked",
    description:
        "Key Vault is reachable only privately: properties.publicNetworkAccess is Disabled and networkAcls.defaultAction is " +
        "Deny. Matches Checkov CKV_AZURE_189 and CKV_AZURE_109, Azure Policy 405c5871-3e91-4644-8a63-58e19d68ff5b " +
        "(Key Vault should disable public network access) and 55615ac9-af46-4a59-874e-391cc3dfb490 (firewall enabled).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(Vault, (vault, _args, report) => {
        expect(report, () => vault.properties?.publicNetworkAccess === "Disabled", "set properties.publicNetworkAccess: \"Disabled\"");
        expect(report, () => vault.properties?.networkAcls?.defaultAction === "Deny", "set properties.networkAcls.defaultAction: \"Deny\"");
    }),
};
