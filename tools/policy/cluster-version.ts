/**
 * The Pod Security version a stack's cluster enforces: its `aiplatform:aks.kubernetesVersion` as the PSA version
 * label ("1.33" → "v1.33"). The offline plan and GitOps validation run the pss-* rules at it.
 */
import { listStacks, namespaceValues, readStackConfig, REPO_ROOT } from "../../config/stack-files";
import { pssVersionOfCluster } from "../../policies/lib/pss-version";

/** The PSS version label of a spoke's cluster (`aks.kubernetesVersion` in its stack file); undefined if it has none. */
export function clusterPssVersion(stack: string, root = REPO_ROOT): string | undefined {
    const file = listStacks(root).find((s) => s.kind === "spoke" && s.stack === stack)?.file;
    const version = file ? (namespaceValues(readStackConfig(file, root)).aks as { kubernetesVersion?: unknown } | undefined)?.kubernetesVersion : undefined;
    return typeof version === "string" ? pssVersionOfCluster(version) : undefined;
}
