import { validateResourceOfType } from "@pulumi/policy";
import { AgentPool, ManagedCluster } from "@pulumi/azure-native/containerservice";
import type { ReportViolation } from "@pulumi/policy";
import { eachInlinePool, gpuVendorOf, hasTaint, type PoolLike } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect, known } from "../../lib/values";

const GPU_TAINT_KEYS = ["nvidia.com/gpu", "amd.com/gpu"];

function checkGpuPool(pool: PoolLike, report: ReportViolation): void {
    const vmSize = known(() => pool.vmSize);
    if (typeof vmSize !== "string") return;
    const vendor = gpuVendorOf(vmSize);
    if (!vendor) return;
    expect(report, () => hasTaint(pool.nodeTaints, (t) => GPU_TAINT_KEYS.includes(t.key) && t.effect === "NoSchedule"),
        `add "${vendor}.com/gpu=present:NoSchedule" to nodeTaints of this ${vmSize} pool so only GPU workloads land on it`);
}

export const k14AksGpuPoolTaint: ResourceRule = {
    name: "k14-aks-gpu-pool-taint",
    description:
        "A GPU pool (vmSize Standard_N* or *_MI300X_*) carries a NoSchedule taint on nvidia.com/gpu or amd.com/gpu, so " +
        "CPU workloads never occupy GPU nodes. No Checkov or Azure Policy equivalent (platform rule; AKS GPU best practice).",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(ManagedCluster, (cluster, _args, report) => eachInlinePool(() => cluster.agentPoolProfiles, report, checkGpuPool)),
        validateResourceOfType(AgentPool, (pool, _args, report) => checkGpuPool(pool, report)),
    ],
};
