/**
 * Scheduling derived from the pool facts (components/gpu-pools/facts.ts): the tolerations, node affinity and GPU
 * resource names a workload needs to land on the right pool. Nothing here is typed by hand; the generator writes
 * these into the overlays and tests/workloads checks the rendered manifests against the same facts.
 */
import type { PoolFacts } from "../../components/gpu-pools/facts";
import { poolFacts } from "../../components/gpu-pools/facts";
import { type SpokeConfig, validateSpokeConfig } from "../../config";
import { listStacks, namespaceValues, readStackConfig } from "../../config/stack-files";

export const POOL_LABEL = "aiplatform.io/pool";

export interface Toleration {
    key: string;
    operator: "Equal" | "Exists";
    value?: string;
    effect: string;
}

export interface Placement {
    /** Pools the workload may run on (node affinity `aiplatform.io/pool In [...]`). */
    pools: string[];
    /** One toleration per distinct taint of those pools. */
    tolerations: Toleration[];
    /** GPU extended resource and how many units per node those pools offer (GPU placements only). */
    gpu?: { resourceName: string; perNode: number };
}

/** `key=value:Effect` (or `key:Effect`) → an Equal (Exists) toleration. */
export function tolerationFor(taint: string): Toleration {
    const m = /^([^=:]+)(?:=([^:]*))?:(\w+)$/.exec(taint);
    if (!m) throw new Error(`pool taint '${taint}' is not key=value:Effect`);
    return m[2] !== undefined ? { key: m[1], operator: "Equal", value: m[2], effect: m[3] } : { key: m[1], operator: "Exists", effect: m[3] };
}

function placementOf(pools: PoolFacts[]): Placement {
    const seen = new Map<string, Toleration>();
    for (const p of pools) for (const t of p.taints) seen.set(t, tolerationFor(t));
    return { pools: pools.map((p) => p.name), tolerations: [...seen.values()] };
}

/**
 * Where a GPU workload of `vendor` runs: every pool of that vendor sharing the first such pool's resource name (one
 * pod spec can only request one resource name). Undefined when the environment has no pool of that vendor.
 */
export function gpuPlacement(pools: PoolFacts[], vendor: "nvidia" | "amd"): Placement | undefined {
    const candidates = pools.filter((p) => p.gpu?.vendor === vendor);
    if (!candidates.length) return undefined;
    const resourceName = candidates[0].gpu!.resourceName;
    const same = candidates.filter((p) => p.gpu!.resourceName === resourceName);
    return { ...placementOf(same), gpu: { resourceName, perNode: Math.min(...same.map((p) => p.gpu!.resourcesPerNode)) } };
}

/**
 * Where batch (CPU) pipeline steps run: user pools labelled aiplatform.io/workload=batch (the spot pool in dev/stg),
 * else the general CPU pools. GPU and system pools never.
 */
export function batchPlacement(pools: PoolFacts[]): Placement {
    const cpu = pools.filter((p) => p.mode === "User" && !p.gpu);
    const batch = cpu.filter((p) => p.labels["aiplatform.io/workload"] === "batch");
    const chosen = batch.length ? batch : cpu.filter((p) => p.labels["aiplatform.io/workload"] === "general");
    if (!chosen.length) throw new Error("no CPU user pool (aiplatform.io/workload=batch or general) for pipeline steps");
    return placementOf(chosen);
}

/** Total units of each GPU resource the environment's pools can offer at max scale (ResourceQuota hard limits). */
export function gpuCapacity(pools: PoolFacts[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of pools) if (p.gpu) out[p.gpu.resourceName] = (out[p.gpu.resourceName] ?? 0) + p.gpu.resourcesPerNode * p.maxCount;
    return out;
}

export interface StackFacts {
    stack: string;
    file: string;
    config: SpokeConfig;
    pools: PoolFacts[];
}

/** The spoke stacks whose clusters run the AI stack: every spoke stack file (a new region or environment is its file). */
export const SPOKE_STACKS: readonly string[] = listStacks()
    .filter((s) => s.kind === "spoke")
    .map((s) => s.stack);

export function stackFacts(stack: string): StackFacts {
    const file = `Pulumi.${stack}.yaml`;
    const config = validateSpokeConfig(stack, file, namespaceValues(readStackConfig(file)));
    return { stack, file, config, pools: poolFacts(config) };
}

/** Node affinity term for a placement. */
export function nodeAffinity(p: Placement): Record<string, unknown> {
    return {
        nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: POOL_LABEL, operator: "In", values: p.pools }] }],
            },
        },
    };
}
