/**
 * Per spoke: the Flux configuration the plan declares (source, ref, Kustomizations and their paths) and the result
 * of rendering + validating that environment's GitOps tree (an invalid overlay fails the plan).
 */
import type { StackFile } from "../../../config/stack-files";
import { type GitopsReport, prefetchGitops, validateGitops } from "../../gitops/validate";
import type { Prepare, Reporter } from "../reports";

/** The spokes this plan runs, and their one combined validation (the schemas and generated files are checked once). */
let batch: { envs: string[]; report?: Promise<GitopsReport> } | undefined;

/** Starts rendering every planned spoke's overlays while the programs run. */
export const prepare: Prepare = (stacks: readonly StackFile[]) => {
    const envs = stacks.filter((s) => s.kind === "spoke").map((s) => s.stack);
    batch = envs.length ? { envs } : undefined;
    if (batch) prefetchGitops(envs);
};

/** This spoke's part of the validation: the same overlays and errors validateGitops({ envs: [stack] }) reports. */
async function reportFor(stack: string): Promise<GitopsReport> {
    if (!batch?.envs.includes(stack)) return validateGitops({ envs: [stack] });
    const b = batch;
    b.report ??= validateGitops({ envs: b.envs });
    const overlays = (await b.report).overlays.filter((o) => o.env === stack);
    return { overlays, errors: overlays.reduce((n, o) => n + o.errors.length, 0) };
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
