import { ofType } from "../support/plan";

test("the hub turns on Defender for Containers, Key Vault, Storage and Resource Manager at subscription scope (the AKS Defender profile needs Containers; d1-defender-plans)", () => {
    const plans = ofType("hub-uaenorth", "azure-native:security:Pricing").map((r) => r.inputs);
    expect(plans.map((p) => [p.pricingName, p.pricingTier, p.subPlan ?? null]).sort()).toEqual([
        ["Arm", "Standard", "PerSubscription"],
        ["Containers", "Standard", null],
        ["KeyVaults", "Standard", "PerKeyVault"],
        ["StorageAccounts", "Standard", "DefenderForStorageV2"],
    ]);
    for (const p of plans) expect(p.scopeId).toMatch(/^\/subscriptions\/[0-9a-f-]{36}$/);
});

test.each(["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"])("%s declares no subscription plan of its own (one owner: the hub)", (stack) => {
    expect(ofType(stack, "azure-native:security:Pricing")).toHaveLength(0);
});
