/**
 * Per spoke: the Flux configuration the plan declares (source, ref, Kustomizations and their paths) and the result
 * of rendering + validating that environment's GitOps tree (an invalid overlay fails the plan).
 */
import { validateGitops } from "../../gitops/validate";
import type { Reporter } from "../reports";

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
    const report = await validateGitops({ envs: [planned.stack.stack] });
    for (const o of report.overlays) {
        lines.push(`${o.path}: ${o.objects} object(s), ${o.errors.length ? `${o.errors.length} error(s)` : "valid"}`);
        lines.push(...o.errors.map((e) => `  error: ${e}`));
        lines.push(...o.warnings.map((w) => `  advisory: ${w}`));
    }
    return { title: "GitOps: Flux configuration and rendered overlays", lines, failures: report.errors, data: report };
};
export default gitops;
