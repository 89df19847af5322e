import { validateResourceOfType } from "@pulumi/policy";
import { AgentPool, ManagedCluster } from "@pulumi/azure-native/containerservice";
import type { ReportViolation } from "@pulumi/policy";
import { eachInlinePool, environmentOf, hasTaint, type PoolLike } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect, known, type Maybe } from "../../lib/values";

export const SYSTEM_TAINT = "CriticalAddonsOnly=true:NoSchedule";

function checkSystemPool(pool: PoolLike, environment: Maybe<string | undefined>, report: ReportViolation): void {
    if (known(() => pool.mode) !== "System") return;
    expect(report, () => hasTaint(pool.nodeTaints, (t) => t.key === "CriticalAddonsOnly" && t.value === "true" && t.effect === "NoSchedule"),
        `add "${SYSTEM_TAINT}" to nodeTaints of the System pool`);
    if (environment === "prd") {
        expect(report, () => (pool.availabilityZones ?? []).length >= 2, "spread the System pool over at least 2 availabilityZones (prd)");
    }
}

export const k13AksSystemPool: ResourceRule = {
    name: "k13-aks-system-pool",
    description:
        "The System-mode pool runs only critical add-ons (taint CriticalAddonsOnly=true:NoSchedule) and, in prd, spans at " +
        "least two availability zones. Matches Checkov CKV_AZURE_232 (only critical system pods on system nodes).",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
            const env = environmentOf(cluster);
            eachInlinePool(() => cluster.agentPoolProfiles, report, (pool, r) => checkSystemPool(pool, env, r));
        }),
        validateResourceOfType(AgentPool, (pool, _args, report) => checkSystemPool(pool, environmentOf(pool), report)),
    ],
};
