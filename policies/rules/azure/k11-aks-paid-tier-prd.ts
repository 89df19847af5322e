import { validateResourceOfType } from "@pulumi/policy";
import { ManagedCluster } from "@pulumi/azure-native/containerservice";
import { expectOneOf, inPrd } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";

export const k11AksPaidTierPrd: ResourceRule = {
    name: "k11-aks-paid-tier-prd",
    description:
        "prd clusters have the uptime SLA: sku.tier is Standard or Premium. Matches Checkov CKV_AZURE_170 (applied to prd).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
        inPrd(cluster, () => expectOneOf(report, () => cluster.sku?.tier, ["Standard", "Premium"], "set sku.tier: \"Standard\" (prd needs the uptime SLA)"));
    }),
};
