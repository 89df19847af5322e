/**
 * Pool facts: the one description of every node pool's scheduling surface (taints, labels, GPU resource names),
 * derived from stack config. The AKS component creates pools from it and the GitOps side generates tolerations,
 * affinities and GPU operator settings from it, so the two can never disagree.
 */
import type { NodePoolConfig, SpokeConfig } from "../../config/schema";
import { type GpuVendor, type MigProfile, VM_SKUS } from "../../config/skus";

export const SPOT_TAINT = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule";
export const SYSTEM_TAINT = "CriticalAddonsOnly=true:NoSchedule";
export const GPU_TAINT: Record<GpuVendor, string> = {
    nvidia: "nvidia.com/gpu=present:NoSchedule",
    amd: "amd.com/gpu=present:NoSchedule",
};

/** Node label naming a pool's MIG profile (MIG3g, ...): dashboards group by it, the quota report reads it. */
export const MIG_PROFILE_LABEL = "aiplatform.io/mig-profile";

/** MIG slice names per GPU memory size (NVIDIA MIG user guide, "Supported MIG profiles"): H100 NVL 94 GB, A100/H100 80 GB. */
const MIG_SLICES: Record<number, Record<MigProfile, string>> = {
    94: { MIG1g: "1g.12gb", MIG2g: "2g.24gb", MIG3g: "3g.47gb", MIG4g: "4g.47gb", MIG7g: "7g.94gb" },
    80: { MIG1g: "1g.10gb", MIG2g: "2g.20gb", MIG3g: "3g.40gb", MIG4g: "4g.40gb", MIG7g: "7g.80gb" },
};
/** GPU instances one GPU yields per profile. */
const MIG_INSTANCES: Record<MigProfile, number> = { MIG1g: 7, MIG2g: 3, MIG3g: 2, MIG4g: 1, MIG7g: 1 };

/**
 * Node OS per pool: GPU pools run Ubuntu (the NVIDIA and AMD GPU operators ship driver containers for Ubuntu);
 * CPU pools run Azure Linux (smaller image, fewer CVEs, Microsoft-patched).
 */
export type OsSku = "Ubuntu" | "AzureLinux";

export interface PoolFacts {
    name: string;
    mode: "System" | "User";
    vmSize: string;
    /** AKS `osSKU`; the GPU operators pick driver images by it. */
    osSku: OsSku;
    spot: boolean;
    zones: string[];
    minCount: number;
    maxCount: number;
    /** `key=value:Effect` strings, exactly as AKS receives them. */
    taints: string[];
    labels: Record<string, string>;
    gpu?: {
        vendor: GpuVendor;
        model: string;
        /** Physical GPUs per node. */
        count: number;
        migProfile?: MigProfile;
        /** e.g. 3g.47gb, the slice the GPU operator's MIG manager creates (label nvidia.com/mig.config=all-<slice>). */
        migSlice?: string;
        /** Extended resource a pod requests: nvidia.com/gpu, nvidia.com/mig-3g.47gb or amd.com/gpu. */
        resourceName: string;
        /** Allocatable units of resourceName per node. */
        resourcesPerNode: number;
        amdPartition?: { compute: string; memory: string };
    };
}

export function migSlice(vmSize: string, profile: MigProfile): string {
    const mem = VM_SKUS[vmSize]?.gpu?.memoryGiB;
    const slices = mem !== undefined ? MIG_SLICES[mem] : undefined;
    if (!slices) throw new Error(`no MIG slice table for ${vmSize}`);
    return slices[profile];
}

export function userPoolFacts(pool: NodePoolConfig): PoolFacts {
    const sku = VM_SKUS[pool.vmSize];
    const taints = [...pool.taints];
    const labels: Record<string, string> = { ...pool.labels, "aiplatform.io/pool": pool.name };
    let gpu: PoolFacts["gpu"];
    if (pool.gpu && sku.gpu) {
        taints.push(GPU_TAINT[pool.gpu.vendor]);
        labels["aiplatform.io/gpu-vendor"] = pool.gpu.vendor;
        labels["aiplatform.io/gpu-model"] = sku.gpu.model;
        const slice = pool.gpu.migProfile ? migSlice(pool.vmSize, pool.gpu.migProfile) : undefined;
        if (slice) {
            labels[MIG_PROFILE_LABEL] = pool.gpu.migProfile!;
            // Read by the NVIDIA GPU operator's MIG manager (mixed strategy) to partition every GPU on the node.
            labels["nvidia.com/mig.config"] = `all-${slice}`;
        }
        gpu = {
            vendor: pool.gpu.vendor,
            model: sku.gpu.model,
            count: sku.gpu.count,
            ...(pool.gpu.migProfile ? { migProfile: pool.gpu.migProfile, migSlice: slice } : {}),
            resourceName: pool.gpu.vendor === "amd" ? "amd.com/gpu" : slice ? `nvidia.com/mig-${slice}` : "nvidia.com/gpu",
            resourcesPerNode: sku.gpu.count * (pool.gpu.migProfile ? MIG_INSTANCES[pool.gpu.migProfile] : 1),
            ...(pool.gpu.amdPartition ? { amdPartition: pool.gpu.amdPartition } : {}),
        };
    }
    if (pool.spot) taints.push(SPOT_TAINT);
    return {
        name: pool.name,
        mode: "User",
        vmSize: pool.vmSize,
        osSku: gpu ? "Ubuntu" : "AzureLinux",
        spot: pool.spot,
        zones: pool.zones,
        minCount: pool.minCount,
        maxCount: pool.maxCount,
        taints,
        labels,
        ...(gpu ? { gpu } : {}),
    };
}

/** The system pool first, then the user pools in config order. */
export function poolFacts(cfg: Pick<SpokeConfig, "aks" | "nodePools">): PoolFacts[] {
    const sys = cfg.aks.systemPool;
    return [
        {
            name: "system",
            mode: "System",
            vmSize: sys.vmSize,
            osSku: "AzureLinux",
            spot: false,
            zones: sys.zones,
            minCount: sys.minCount,
            maxCount: sys.maxCount,
            taints: [SYSTEM_TAINT],
            labels: { "aiplatform.io/pool": "system" },
        },
        ...cfg.nodePools.map(userPoolFacts),
    ];
}
