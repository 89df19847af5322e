import { validateResourceOfType } from "@pulumi/policy";
import { Registry } from "@pulumi/azure-native/containerregistry";
import { isEnabledStatus } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const acrQuarantinePolicy: ResourceRule = {
    name: "acr-quarantine-policy",
    description: "ACR quarantines pushed images until scanned: policies.quarantinePolicy.status enabled. Matches Checkov CKV_AZURE_166.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(Registry, (registry, _args, report) => {
        expect(report, () => isEnabledStatus(registry.policies?.quarantinePolicy?.status), "set policies.quarantinePolicy.status: \"enabled\"");
    }),
};
