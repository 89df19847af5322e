/**
 * Microsoft Defender for Cloud plans at subscription scope. Declared once, by the hub stack, because a plan is a
 * property of the subscription: two stacks declaring it would fight over one ARM resource. Spokes in another
 * subscription need their own hub-like owner for these.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as security from "@pulumi/azure-native/security";
import * as pulumi from "@pulumi/pulumi";

export interface DefenderPlansArgs {
    /** Containers: AKS runtime protection, registry image scanning, Kubernetes audit analysis. */
    containers: boolean;
    keyVaults: boolean;
    /** Defender for Storage (v2: malware scanning and sensitive-data threat detection on the data lake). */
    storage: boolean;
    /** Defender for Resource Manager: threat detection on ARM operations (Checkov CKV_AZURE_234). */
    resourceManager: boolean;
}

export function createDefenderPlans(name: string, args: DefenderPlansArgs, parent: pulumi.Resource): Record<string, pulumi.Output<string>> {
    const scopeId = authorization.getClientConfigOutput({ parent }).apply((c) => `/subscriptions/${c.subscriptionId}`);
    const plans: [key: keyof DefenderPlansArgs, pricingName: string, subPlan?: string][] = [
        ["containers", "Containers"],
        ["keyVaults", "KeyVaults", "PerKeyVault"],
        ["storage", "StorageAccounts", "DefenderForStorageV2"],
        // PerSubscription is the current plan (Azure Policy b7021b2b allows only it); PerApiCall is the legacy one.
        ["resourceManager", "Arm", "PerSubscription"],
    ];
    const ids: Record<string, pulumi.Output<string>> = {};
    for (const [, pricingName, subPlan] of plans.filter(([k]) => args[k])) {
        ids[pricingName] = new security.Pricing(
            `${name}-${pricingName.toLowerCase()}`,
            { scopeId, pricingName, pricingTier: "Standard", ...(subPlan ? { subPlan } : {}) },
            { parent },
        ).id;
    }
    return ids;
}

export class DefenderPlans extends pulumi.ComponentResource {
    public readonly planIds: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: DefenderPlansArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:security:DefenderPlans", name, {}, opts);
        this.planIds = createDefenderPlans(name, args, this);
        this.registerOutputs({ planIds: this.planIds });
    }
}
