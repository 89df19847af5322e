import { validateResourceOfType } from "@pulumi/policy";
import { Registry } from "@pulumi/azure-native/containerregistry";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const r3AcrPublicNetworkDisabled: ResourceRule = {
    name: "r3-acr-public-network-disabled",
    description:
        "ACR is reachable only through its private endpoint: publicNetworkAccess is Disabled. Matches Checkov " +
        "CKV_AZURE_139, Azure Policy 0fdf0491-d080-4575-b627-ad0e843cba0f (Public network access should be disabled for " +
        "Container registries).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(Registry, (registry, _args, report) => {
        expect(report, () => registry.publicNetworkAccess === "Disabled", "set publicNetworkAccess: \"Disabled\"");
    }),
};
