import { validateResourceOfType } from "@pulumi/policy";
import { Registry } from "@pulumi/azure-native/containerregistry";
import { isEnabledStatus } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const acrRetentionPolicy: ResourceRule = {
    name: "acr-retention-policy",
    description: "ACR deletes untagged manifests after a retention period: policies.retentionPolicy.status enabled. Matches Checkov CKV_AZURE_167.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(Registry, (registry, _args, report) => {
        expect(report, () => isEnabledStatus(registry.policies?.retentionPolicy?.status), "set policies.retentionPolicy: { status: \"enabled\", days: 7 }");
    }),
};
