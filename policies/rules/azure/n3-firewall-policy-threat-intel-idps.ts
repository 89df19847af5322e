import { validateResourceOfType } from "@pulumi/policy";
import { FirewallPolicy } from "@pulumi/azure-native/network";
import { inPrd } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const n3FirewallPolicyThreatIntelIdps: ResourceRule = {
    name: "n3-firewall-policy-threat-intel-idps",
    description:
        "Firewall policy blocks known-malicious traffic: threatIntelMode is Deny; in prd the policy is Premium with " +
        "intrusionDetection.mode Deny. Matches Checkov CKV_AZURE_216 and CKV_AZURE_220, Azure Policy " +
        "da79a7e2-8aa1-45ed-af81-ba050c153564 (Azure Firewall Policy should enable Threat Intelligence).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(FirewallPolicy, (policy, _args, report) => {
        expect(report, () => policy.threatIntelMode === "Deny", "set threatIntelMode: \"Deny\"");
        inPrd(policy, () => {
            expect(report, () => policy.sku?.tier === "Premium", "set sku.tier: \"Premium\" (prd needs IDPS)");
            expect(report, () => policy.intrusionDetection?.mode === "Deny", "set intrusionDetection.mode: \"Deny\"");
        });
    }),
};
