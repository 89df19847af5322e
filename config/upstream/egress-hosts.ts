/**
 * Which hosts a cluster really contacts when it pulls an image, downloads model weights or installs OS packages:
 * the facts the GitOps egress model (tools/gitops/egress.ts) checks the hub firewall and the NetworkPolicies against.
 * An image pull contacts the registry *and* the blob/CDN hosts it redirects to; a Hugging Face download follows
 * redirects from huggingface.co to Xet and CDN hosts. Copied from the upstream pages below (by hand: they are
 * documentation tables, not machine-readable), with the date they were compared. Refresh:
 * `npx tsx tools/gitops/refresh-egress-hosts.ts` (reads each source and reports hosts added or gone).
 */
export interface HostFact {
    /** Hosts contacted, all over HTTPS/443 unless `port` says otherwise. */
    hosts: string[];
    port?: number;
    /** Upstream page or file the hosts come from. */
    source: string;
    /** What the source says, in a few words (for the validator's message). */
    note: string;
    /** No stable host list exists: pulls must come through the platform registry (ACR artifact cache). */
    mirrorOnly?: boolean;
}

export const EGRESS_HOSTS = {
    /** Date the lists were compared with their sources (YYYY-MM-DD). */
    retrieved: "2026-12-07",
    /** The lists change without notice (Hugging Face says so): compare again within this many days. */
    horizonDays: 120,
    /** Image registries: every host a pull from `<registry>/<path>` contacts. */
    registries: {
        "docker.io": {
            hosts: ["registry-1.docker.io", "auth.docker.io", "production.cloudflare.docker.com", "docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com"],
            source: "https://github.com/docker/docs/blob/00ba4d322d759865bef479ee75c1ec98c8d65a86/content/manuals/desktop/setup/allow-list.md (docs.docker.com/desktop/setup/allow-list/)",
            note: "registry-1.docker.io + auth.docker.io; blobs from production.cloudflare.docker.com (paid plans) or the R2 bucket host (personal/anonymous pulls)",
        },
        "ghcr.io": {
            hosts: ["ghcr.io", "pkg-containers.githubusercontent.com"],
            source: "https://docs.github.com/en/packages/working-with-a-github-packages-registry/working-with-the-container-registry (blobs redirect to pkg-containers.githubusercontent.com)",
            note: "ghcr.io; blobs from pkg-containers.githubusercontent.com",
        },
        "quay.io": {
            hosts: ["quay.io", "cdn.quay.io", "cdn01.quay.io", "cdn02.quay.io", "cdn03.quay.io"],
            source: "https://access.redhat.com/articles/7001746 (Firewall changes for container image pulls: blobs from cdn.quay.io, cdn01-03.quay.io)",
            note: "quay.io; blobs from cdn.quay.io and cdn01-03.quay.io",
        },
        "registry.k8s.io": {
            hosts: ["registry.k8s.io"],
            mirrorOnly: true,
            source: "https://github.com/kubernetes/registry.k8s.io/blob/main/README.md (\"API endpoints, IP addresses, and backing services used are subject to change at anytime ... If you need to allow-list domains or IPs ... mirror images to a location you control\")",
            note: "blobs redirect to cloud buckets chosen per client IP, subject to change at any time; upstream asks allow-listed clusters to mirror",
        },
        "nvcr.io": {
            hosts: ["nvcr.io"],
            mirrorOnly: true,
            source: "none published: NGC documents no host list for nvcr.io layer downloads",
            note: "layer hosts are not published, so no firewall rule can be written for them",
        },
        "mcr.microsoft.com": {
            hosts: ["mcr.microsoft.com", "*.data.mcr.microsoft.com"],
            source: "https://learn.microsoft.com/azure/aks/outbound-rules-control-egress#azure-global-required-fqdn--application-rules",
            note: "mcr.microsoft.com; blobs from *.data.mcr.microsoft.com",
        },
    } as Record<string, HostFact>,
    /** Model weights from the Hugging Face Hub (any client: huggingface_hub, vLLM, KServe's storage initializer). */
    huggingface: {
        hosts: [
            "huggingface.co",
            "cas-server.xethub.hf.co",
            "cas-server.xethub-eu.hf.co",
            "transfer.xethub.hf.co",
            "transfer.xethub-eu.hf.co",
            "us.aws.cdn.hf.co",
            "us.gcp.cdn.hf.co",
            "cdn-lfs-us-1.hf.co",
            "cdn-lfs-eu-1.hf.co",
        ],
        source: "https://github.com/huggingface/hub-docs/blob/242f4a1eeb867daf4ac3f44026a5df4a68908a3d/docs/hub/models-downloading.md#downloading-behind-a-proxy-or-firewall (machine-readable: https://huggingface.co/.well-known/meta.json)",
        note: "downloads redirect from huggingface.co to the Xet transfer/CAS and CDN hosts",
    } as HostFact,
    /** The NVIDIA driver container installs the running kernel's headers from the Ubuntu archive with apt (HTTP). */
    ubuntuArchive: {
        hosts: ["archive.ubuntu.com", "security.ubuntu.com"],
        port: 80,
        source: "https://github.com/NVIDIA/gpu-driver-container/blob/main/ubuntu24.04/nvidia-driver (_install_prerequisites: apt-get install linux-headers-${KERNEL_VERSION}; sources.list on archive/security.ubuntu.com over http)",
        note: "driver container: apt-get install linux-headers-$(uname -r) from the stock Ubuntu mirrors over HTTP",
    } as HostFact,
};

/** Days between the facts' `retrieved` date and `now` (tests pass the plan's or a fixed date, never the calendar). */
export function egressHostsAgeDays(now: Date): number {
    return Math.floor((now.getTime() - Date.parse(`${EGRESS_HOSTS.retrieved}T00:00:00Z`)) / 86_400_000);
}
