import { validateResourceOfType } from "@pulumi/policy";
import { AgentPool, ManagedCluster } from "@pulumi/azure-native/containerservice";
import type { ReportViolation } from "@pulumi/policy";
import { eachInlinePool, hasTaint, type PoolLike } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect, known } from "../../lib/values";

export const SPOT_TAINT = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule";

function checkSpotPool(pool: PoolLike, report: ReportViolation): void {
    if (known(() => pool.scaleSetPriority) !== "Spot") return;
    expect(report, () => hasTaint(pool.nodeTaints, (t) => t.key === "kubernetes.azure.com/scalesetpriority" && t.value === "spot" && t.effect === "NoSchedule"),
        `add "${SPOT_TAINT}" to nodeTaints of this Spot pool (AKS adds it anyway; declaring it avoids drift)`);
}

export const k15AksSpotPoolTaint: ResourceRule = {
    name: "k15-aks-spot-pool-taint",
    description:
        "A Spot pool (scaleSetPriority Spot) declares the kubernetes.azure.com/scalesetpriority=spot:NoSchedule taint so " +
        "only workloads that tolerate eviction land on it. No Checkov or Azure Policy equivalent (AKS Spot pool guidance).",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(ManagedCluster, (cluster, _args, report) => eachInlinePool(() => cluster.agentPoolProfiles, report, checkSpotPool)),
        validateResourceOfType(AgentPool, (pool, _args, report) => checkSpotPool(pool, report)),
    ],
};
