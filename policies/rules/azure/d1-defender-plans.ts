import type { StackRule } from "../../lib/rule";
import { ofType } from "../../lib/stack";
import { known, UNKNOWN } from "../../lib/values";

/** The plans the platform's resources need: AKS and images, Key Vault, the data lake, the control plane. */
export const REQUIRED_DEFENDER_PLANS = ["Containers", "KeyVaults", "StorageAccounts", "Arm"];

export const d1DefenderPlans: StackRule = {
    name: "d1-defender-plans",
    description:
        "The stack that declares Microsoft Defender for Cloud plans (security:Pricing; the hub, which owns the " +
        "subscription) declares every plan Standard and at least Containers, KeyVaults, StorageAccounts and Arm " +
        "(config requiredPlans). Matches Checkov CKV_AZURE_19 (Standard tier), CKV_AZURE_85 (Kubernetes), CKV_AZURE_87 " +
        "(Key Vault), CKV_AZURE_84 (Storage), CKV_AZURE_234 (Resource Manager), CKV_AZURE_163 (registry image scanning, " +
        "part of the Containers plan); Azure Policy b7021b2b-08fd-4dc0-9de7-" +
        "3c6ece09faf9 (Defender for Resource Manager).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            requiredPlans: { type: "array", items: { type: "string" }, default: REQUIRED_DEFENDER_PLANS, description: "pricingName values the plan-declaring stack must declare." },
        },
    },
    validateStack: (args, report) => {
        const plans = ofType(args.resources, "azure-native:security:Pricing");
        if (plans.length === 0) return;
        const declared = new Set<string>();
        let undecided = false;
        for (const plan of plans) {
            const name = known(() => plan.props.pricingName as unknown);
            const tier = known(() => plan.props.pricingTier as unknown);
            if (name === UNKNOWN) undecided = true;
            else if (typeof name === "string") declared.add(name.toLowerCase());
            if (tier !== UNKNOWN && tier !== "Standard") report(`set pricingTier: "Standard" (the Free tier has no threat protection)`, plan.urn);
        }
        if (undecided) return;
        const required: string[] = args.getConfig<{ requiredPlans?: string[] }>().requiredPlans ?? REQUIRED_DEFENDER_PLANS;
        const missing = required.filter((p) => !declared.has(p.toLowerCase()));
        if (missing.length > 0) report(`add the Defender plan${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (security:Pricing, pricingTier Standard) next to the others`, plans[0].urn);
    },
};
