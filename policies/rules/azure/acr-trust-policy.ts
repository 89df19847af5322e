import { validateResourceOfType } from "@pulumi/policy";
import { Registry } from "@pulumi/azure-native/containerregistry";
import { isEnabledStatus } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const acrTrustPolicy: ResourceRule = {
    name: "acr-trust-policy",
    description: "ACR accepts signed images: policies.trustPolicy.status enabled. Matches Checkov CKV_AZURE_164.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(Registry, (registry, _args, report) => {
        expect(report, () => isEnabledStatus(registry.policies?.trustPolicy?.status), "set policies.trustPolicy: { status: \"enabled\", type: \"Notary\" }");
    }),
};
