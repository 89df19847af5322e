import { validateResourceOfType } from "@pulumi/policy";
import { Registry } from "@pulumi/azure-native/containerregistry";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const r4AcrPremiumSku: ResourceRule = {
    name: "r4-acr-premium-sku",
    description:
        "ACR is Premium, the only SKU with private link (and geo-replication, zone redundancy): sku.name is Premium. " +
        "Matches Azure Policy bd560fc0-3c69-498a-ae9f-aa8eb7de0e13 (Container registries should have SKUs that support " +
        "Private Links).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(Registry, (registry, _args, report) => {
        expect(report, () => registry.sku?.name === "Premium", "set sku.name: \"Premium\" (private endpoints need it)");
    }),
};
