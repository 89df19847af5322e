import { validateResourceOfType } from "@pulumi/policy";
import { Registry } from "@pulumi/azure-native/containerregistry";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const r1AcrAdminDisabled: ResourceRule = {
    name: "r1-acr-admin-disabled",
    description:
        "ACR has no shared admin user: adminUserEnabled is not true. Matches Checkov CKV_AZURE_137, Azure Policy " +
        "dc921057-6b28-4fbe-9b83-f7bec05db6c2 (Container registries should have local admin account disabled).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(Registry, (registry, _args, report) => {
        expect(report, () => registry.adminUserEnabled !== true, "set adminUserEnabled: false (pull with managed identities)");
    }),
};
