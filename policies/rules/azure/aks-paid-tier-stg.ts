import { validateResourceOfType } from "@pulumi/policy";
import { ManagedCluster } from "@pulumi/azure-native/containerservice";
import { environmentOf, expectOneOf } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";

export const aksPaidTierStg: ResourceRule = {
    name: "aks-paid-tier-stg",
    description: "stg clusters use a paid tier too (sku.tier Standard or Premium), so staging behaves like production. Matches Checkov CKV_AZURE_170 (applied to stg; prd is K11).",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
        if (environmentOf(cluster) === "stg") expectOneOf(report, () => cluster.sku?.tier, ["Standard", "Premium"], "set sku.tier: \"Standard\"");
    }),
};
