/**
 * The Pod Security Standards version label (pod-security-admission api.ParseVersion: "latest" or "v1.N") and how a
 * cluster version maps to it. No imports, so tools that only need the label (GitOps validation) load nothing else.
 */

/** The PSA version label: "latest" or "v1.N" (pod-security-admission api.ParseVersion). */
export const PSS_VERSION_PATTERN = "^(latest|v1\\.(0|[1-9][0-9]*))$";

/** Minor version of a PSA version label; "latest" is newer than every version. */
export function pssMinor(label: string): number {
    if (label === "latest") return Number.POSITIVE_INFINITY;
    const m = /^v1\.(0|[1-9][0-9]*)$/.exec(label);
    if (!m) throw new Error(`PSS version must be "latest" or "v1.N", not "${label}"`);
    return Number(m[1]);
}

/** The PSA version label of a cluster version as AKS takes it ("1.33" or "1.33.2" → "v1.33"). */
export function pssVersionOfCluster(kubernetesVersion: string): string {
    const m = /^v?1\.(\d+)(?:\.\d+)?$/.exec(kubernetesVersion.trim());
    if (!m) throw new Error(`"${kubernetesVersion}" is not a Kubernetes version such as 1.33`);
    return `v1.${Number(m[1])}`;
}
