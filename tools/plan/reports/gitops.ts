/**
 * Per spoke: the Flux configuration the plan declares (source, ref, Kustomizations and their paths) and the result
 * of rendering + validating that environment's GitOps tree (an invalid overlay fails the plan).
 */
import type { StackFile } from "../../../config/stack-files";
import { type GitopsReport, prefetchGitops, releaseCluster, staleGeneratedLines, validateGitops } from "../../gitops/validate";
import type { Prepare, Reporter } from "../reports";

/** The spokes this plan runs, in order, and the generated-file check they share (computed once, on first use). */
let batch: { envs: string[]; stale?: string[] } | undefined;

/**
 * Starts rendering the first planned spoke's overlays while the programs run; each spoke's report starts the next
 * one's. One spoke's rendered objects at a time: memory stays flat however many spokes the plan runs.
 */
export const prepare: Prepare = (stacks: readonly StackFile[]) => {
    const envs = stacks.filter((s) => s.kind === "spoke").map((s) => s.stack);
    batch = envs.length ? { envs } : undefined;
    if (batch) prefetchGitops(envs.slice(0, 1));
};

/** This spoke's validation (the same overlays and errors validateGitops({ envs: [stack] }) reports), then its renders are released. */
async function reportFor(stack: string): Promise<GitopsReport> {
    const i = batch?.envs.indexOf(stack) ?? -1;
    if (!batch || i < 0) return validateGitops({ envs: [stack] });
    const next = batch.envs[i + 1];
    if (next) prefetchGitops([next]);
    batch.stale ??= staleGeneratedLines();
    try {
        return await validateGitops({ envs: [stack], stale: batch.stale });
    } finally {
        releaseCluster(stack);
    }
}

const gitops: Reporter = async ({ planned, exported }) => {
    if (planned.stack.kind !== "spoke") return undefined;
    const lines: string[] = [];
    for (const fc of exported.deployment.resources.filter((r) => r.type === "azure-native:kubernetesconfiguration:FluxConfiguration")) {
        const git = (fc.inputs.gitRepository ?? {}) as { url?: string; repositoryRef?: Record<string, string> };
        const ref = Object.entries(git.repositoryRef ?? {}).map(([k, v]) => `${k} ${v}`).join(", ");
        lines.push(`flux configuration ${fc.inputs.name ?? fc.urn.split("::").pop()}: ${git.url} @ ${ref}`);
        for (const [name, k] of Object.entries((fc.inputs.kustomizations ?? {}) as Record<string, { path?: string; dependsOn?: string[] }>)) {
            lines.push(`  kustomization ${name}: ${k.path}${k.dependsOn?.length ? ` (after ${k.dependsOn.join(", ")})` : ""}`);
        }
    }
    const report = await reportFor(planned.stack.stack);
    for (const o of report.overlays) {
        lines.push(`${o.path}: ${o.objects} object(s), ${o.errors.length ? `${o.errors.length} error(s)` : "valid"}`);
        lines.push(...o.errors.map((e) => `  error: ${e}`));
        lines.push(...o.warnings.map((w) => `  advisory: ${w}`));
    }
    return { title: "GitOps: Flux configuration and rendered overlays", lines, failures: report.errors, data: report };
};
export default gitops;
