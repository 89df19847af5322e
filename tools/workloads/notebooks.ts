/**
 * JupyterHub per stack, generated from the stack file: the profiles (one per team namespace and compute kind, the GPU
 * ones from the pool facts), who may log in and who gets which profile (the RBAC personas' Entra groups), the home
 * volume size and the idle timeout (aiplatform:notebooks). Written as a patch of the jupyterhub HelmRelease
 * (workloads/base/notebooks) into workloads/overlays/<stack>/generated/notebooks/.
 */
import { VM_SKUS } from "../../config/skus";
import type { Environment } from "../../config/schema";
import type { PoolFacts } from "../../components/gpu-pools/facts";
import { POOL_LABEL, type StackFacts, tolerationFor } from "./scheduling";

/** Notebook images (jupyter/docker-stacks on quay.io, the multi-arch date tags; the CUDA 12 build for NVIDIA GPUs). */
export const NOTEBOOK_IMAGES = {
    cpu: { repository: "quay.io/jupyter/scipy-notebook", tag: "2026-08-24" },
    nvidia: { repository: "quay.io/jupyter/pytorch-notebook", tag: "cuda12-2026-08-24" },
} as const;

/** The ServiceAccount notebook servers run as in each team namespace (WORKLOAD_IDENTITIES.notebook.tenantServiceAccount). */
export const NOTEBOOK_SERVICE_ACCOUNT = "notebook";

export type ProfileKind = "cpu" | "mig" | "gpu";
type Persona = "developers" | "platform";

/**
 * Which persona may start which kind of server. prd's developers hold read-only cluster roles; they still get CPU
 * and MIG slices for analysis, while whole GPUs in prd stay with the platform team (serving capacity).
 */
export const NOTEBOOK_ACCESS: Record<Environment, Record<Persona, readonly ProfileKind[]>> = {
    dev: { developers: ["cpu", "mig", "gpu"], platform: ["cpu", "mig", "gpu"] },
    stg: { developers: ["cpu", "mig", "gpu"], platform: ["cpu", "mig", "gpu"] },
    prd: { developers: ["cpu", "mig"], platform: ["cpu", "mig", "gpu"] },
};

/** CPU servers: on the general pool, a small guarantee and room to burst. */
const CPU_SIZE = { cpu_guarantee: 0.5, cpu_limit: 4, mem_guarantee: "2G", mem_limit: "16G" };

export interface NotebookProfile {
    display_name: string;
    slug: string;
    description: string;
    kubespawner_override: Record<string, unknown>;
}

/** A GPU pool's share of the node per GPU unit: half its vCPUs per unit guaranteed, 4 GB each, twice that as limit. */
function gpuSize(pool: PoolFacts): Record<string, unknown> {
    const perUnit = VM_SKUS[pool.vmSize].vcpus / pool.gpu!.resourcesPerNode;
    const cpu = Math.max(1, Math.floor(perUnit / 2));
    return { cpu_guarantee: cpu, cpu_limit: Math.floor(perUnit), mem_guarantee: `${4 * cpu}G`, mem_limit: `${8 * cpu}G` };
}

/** The kind of server a GPU pool offers: a MIG slice or a whole GPU. */
export function kindOf(pool: PoolFacts): ProfileKind {
    return pool.gpu ? (pool.gpu.migSlice ? "mig" : "gpu") : "cpu";
}

/**
 * Profiles of one stack with the personas that may use each: per team namespace a CPU profile and one per NVIDIA GPU
 * pool (resource name, node selector and tolerations from its pool facts). AMD pools get none: jupyter/docker-stacks
 * publishes no ROCm notebook image.
 */
export function notebookProfiles(facts: StackFacts, acr: string): { profile: NotebookProfile; kind: ProfileKind }[] {
    const teams = facts.config.rbac.developerNamespaces;
    const gpuPools = facts.pools.filter((p) => p.gpu?.vendor === "nvidia");
    const out: { profile: NotebookProfile; kind: ProfileKind }[] = [];
    for (const team of teams) {
        const base = { namespace: team, service_account: NOTEBOOK_SERVICE_ACCOUNT };
        out.push({
            kind: "cpu",
            profile: {
                display_name: `${team} · CPU`,
                slug: `${team}-cpu`,
                description: `Python data science stack (scipy-notebook), ${CPU_SIZE.cpu_limit} vCPU / ${CPU_SIZE.mem_limit} at most, in ${team}'s quota`,
                kubespawner_override: {
                    ...base,
                    image: `${acr}/${NOTEBOOK_IMAGES.cpu.repository}:${NOTEBOOK_IMAGES.cpu.tag}`,
                    node_selector: { "aiplatform.io/workload": "general" },
                    ...CPU_SIZE,
                },
            },
        });
        for (const pool of gpuPools) {
            const gpu = pool.gpu!;
            const kind = kindOf(pool);
            const what = kind === "mig" ? `MIG slice ${gpu.migSlice} of an ${gpu.model}` : `one ${gpu.model}`;
            out.push({
                kind,
                profile: {
                    display_name: `${team} · ${kind === "mig" ? `MIG ${gpu.migSlice}` : `GPU ${gpu.model}`} (${pool.name})`,
                    slug: `${team}-${pool.name}`,
                    description: `PyTorch with CUDA 12 (pytorch-notebook) on ${what}, pool ${pool.name}${pool.spot ? " (spot: may be evicted)" : ""}, in ${team}'s quota`,
                    kubespawner_override: {
                        ...base,
                        image: `${acr}/${NOTEBOOK_IMAGES.nvidia.repository}:${NOTEBOOK_IMAGES.nvidia.tag}`,
                        node_selector: { [POOL_LABEL]: pool.name },
                        tolerations: pool.taints.map(tolerationFor),
                        extra_resource_guarantees: { [gpu.resourceName]: "1" },
                        extra_resource_limits: { [gpu.resourceName]: "1" },
                        ...gpuSize(pool),
                    },
                },
            });
        }
    }
    return out;
}

/** The HelmRelease patch for one stack; throws (naming the stack file) when an allowed group would see no profile. */
export function notebooksPatch(facts: StackFacts, acr: string): Record<string, unknown> {
    const nb = facts.config.notebooks;
    if (!nb) throw new Error(`${facts.file}: aiplatform:notebooks is not set`);
    const env = facts.config.environment as Environment;
    const personas: Record<Persona, string[]> = { developers: facts.config.rbac.developers, platform: facts.config.rbac.platform };
    const profiles = notebookProfiles(facts, acr);
    const profileGroups: Record<string, string[]> = {};
    for (const { profile, kind } of profiles) {
        profileGroups[profile.slug] = (Object.keys(personas) as Persona[]).filter((p) => NOTEBOOK_ACCESS[env][p].includes(kind)).flatMap((p) => personas[p]);
    }
    const allowed = [...new Set([...personas.developers, ...personas.platform])];
    const without = allowed.filter((g) => !Object.values(profileGroups).some((gs) => gs.includes(g)));
    if (without.length) throw new Error(`${facts.file}: Entra group(s) ${without.join(", ")} may log in to JupyterHub but get no profile (aiplatform:rbac.developerNamespaces is empty?)`);
    return {
        apiVersion: "helm.toolkit.fluxcd.io/v2",
        kind: "HelmRelease",
        metadata: { name: "jupyterhub", namespace: "flux-system" },
        spec: {
            values: {
                hub: { config: { AzureAdOAuthenticator: { allowed_groups: allowed, admin_groups: personas.platform } } },
                singleuser: { storage: { capacity: `${nb.homeGi}Gi` }, profileList: profiles.map((p) => p.profile) },
                cull: { timeout: nb.idleCullMinutes * 60 },
                custom: { profileGroups },
            },
        },
    };
}
