import { validateResourceOfType } from "@pulumi/policy";
import { AzureFirewall } from "@pulumi/azure-native/network";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const n4FirewallUsesPolicy: ResourceRule = {
    name: "n4-firewall-uses-policy",
    description:
        "Azure Firewall is driven by a Firewall Policy, not classic rules: firewallPolicy.id is set. Matches Checkov " +
        "CKV_AZURE_219, Azure Policy 794d77cc-fe65-4801-8514-230c0be387a8 (Classic Rules should be migrated to Firewall Policy).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(AzureFirewall, (firewall, _args, report) => {
        expect(report, () => {
            const id = firewall.firewallPolicy?.id;
            return typeof id === "string" && id !== "";
        }, "set firewallPolicy: { id: <FirewallPolicy id> }");
    }),
};
