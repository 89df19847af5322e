import { validateResourceOfType } from "@pulumi/policy";
import { AgentPool, ManagedCluster } from "@pulumi/azure-native/containerservice";
import { eachInlinePool, inPrd } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

const MESSAGE = "set scaleSetPriority: \"Regular\" (no Spot capacity in prd)";

export const k16AksNoSpotPrd: ResourceRule = {
    name: "k16-aks-no-spot-prd",
    description: "prd has no Spot pool (inline or standalone AgentPool): evictions would break production serving. Platform rule.",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(ManagedCluster, (cluster, _args, report) =>
            inPrd(cluster, () => eachInlinePool(() => cluster.agentPoolProfiles, report, (pool, r) => expect(r, () => pool.scaleSetPriority !== "Spot", MESSAGE)))),
        validateResourceOfType(AgentPool, (pool, _args, report) => inPrd(pool, () => expect(report, () => pool.scaleSetPriority !== "Spot", MESSAGE))),
    ],
};
