/**
 * What the spokes may reach on the Internet, by concern: one rule collection group per concern, in the order they
 * are deployed (chained: parallel updates of one firewall policy fail with 409 Conflict). Everything else is denied
 * by the firewall's implicit deny; no rule names a bare `*` destination.
 *
 * Sources (checked 2026-11):
 * - AKS: Microsoft Learn "Outbound network and FQDN rules for AKS clusters" (required, optional-recommended, GPU,
 *   Azure Monitor, Azure Policy, Defender — its table vendored in config/upstream/aks-egress-defender.md —, cluster
 *   extensions). Private clusters with API Server VNet Integration
 *   need neither UDP 1194 / TCP 9000 nor `*.hcp.<region>.azmk8s.io`: nodes reach the API server inside the VNet.
 * - NVIDIA: GPU Operator Helm chart (helm.ngc.nvidia.com), driver/toolkit downloads
 *   (download.nvidia.com and mirrors, nvidia.github.io), NVIDIA/gpu-operator#804 for ngc.download.nvidia.com.
 * - AMD: ROCm/amdgpu packages (repo.radeon.com) and the AMD GPU Operator Helm repository (rocm.github.io).
 * - Images: Docker Hub, registry.k8s.io, nvcr.io and every other upstream come through the spoke's ACR (artifact cache
 *   rules, components/registry) over its private endpoint; only ghcr.io and quay.io stay direct (Flux OCI charts).
 * - Workloads: Hugging Face Hub download hosts (hub-docs), alert receiver webhooks.
 * - Flux: the AKS `microsoft.flux` extension (cluster-extension endpoints), Git over HTTPS to GitHub, OCI and Helm
 *   sources the GitOps tree uses. Add a source here, next to the ones it resembles.
 * Key Vault, ACR and Storage are reached through private endpoints and need no rule.
 */

import { EGRESS_HOSTS } from "../../config/upstream/egress-hosts";

/**
 * Hosts of the alert receivers' webhook URLs (Microsoft Teams "Workflows" webhooks: Logic Apps or Power Platform environment hosts). The URLs are
 * Key Vault secrets a person stores; the AlertmanagerConfig names these hosts (aiplatform.io/egress-hosts) and the
 * GitOps egress model checks both against this rule.
 */
export const ALERT_RECEIVER_HOSTS = ["*.logic.azure.com", "*.environment.api.powerplatform.com"];

export type AppProtocol = "Http:80" | "Https:443";

export interface ApplicationRule {
    kind: "application";
    name: string;
    description: string;
    /** Destination FQDNs; wildcards only as a leftmost label (`*.example.com`). */
    fqdns?: string[];
    /** Azure Firewall FQDN tags, e.g. AzureKubernetesService. */
    fqdnTags?: string[];
    protocols: AppProtocol[];
}

export interface NetworkRule {
    kind: "network";
    name: string;
    description: string;
    protocols: ("TCP" | "UDP")[];
    /** FQDNs resolved by the firewall's DNS proxy. */
    fqdns: string[];
    ports: string[];
}

export type EgressRule = ApplicationRule | NetworkRule;

export interface EgressGroup {
    /** Rule collection group name and resource role. */
    key: string;
    priority: number;
    description: string;
    /** Whether the hub's shared-services subnet may use the group too (it egresses through the firewall). */
    includeHubSharedServices: boolean;
    rules: EgressRule[];
}

const HTTPS: AppProtocol[] = ["Https:443"];

export function egressGroups(location: string): EgressGroup[] {
    return [
        {
            key: "aks-required",
            priority: 200,
            description: "AKS required egress (FQDN tag + explicit required endpoints) and cluster extensions",
            includeHubSharedServices: false,
            rules: [
                { kind: "network", name: "ntp", description: "Node time sync (Ubuntu)", protocols: ["UDP"], fqdns: ["ntp.ubuntu.com"], ports: ["123"] },
                {
                    kind: "application",
                    name: "aks-fqdn-tag",
                    description: "Microsoft-maintained AKS dependency list",
                    fqdnTags: ["AzureKubernetesService"],
                    protocols: ["Http:80", "Https:443"],
                },
                {
                    kind: "application",
                    name: "aks-required-fqdns",
                    description: "AKS required FQDNs, listed so the policy reads without the tag's hidden contents",
                    fqdns: [
                        "mcr.microsoft.com",
                        "*.data.mcr.microsoft.com",
                        "mcr-0001.mcr-msedge.net",
                        "management.azure.com",
                        "login.microsoftonline.com",
                        "packages.microsoft.com",
                        "acs-mirror.azureedge.net",
                        "packages.aks.azure.com",
                    ],
                    protocols: HTTPS,
                },
                {
                    kind: "application",
                    name: "cluster-extensions",
                    description: "AKS cluster extensions (microsoft.flux): configuration plane, extension images, agent metrics",
                    fqdns: [
                        `${location}.dp.kubernetesconfiguration.azure.com`,
                        "arcmktplaceprod.azurecr.io",
                        "*.ingestion.msftcloudes.com",
                        "*.microsoftmetrics.com",
                        "marketplaceapi.microsoft.com",
                    ],
                    protocols: HTTPS,
                },
            ],
        },
        {
            key: "azure-monitor",
            priority: 300,
            description: "Container Insights, managed Prometheus, Azure Policy add-on, Defender for Containers",
            includeHubSharedServices: true,
            rules: [
                {
                    kind: "application",
                    name: "azure-monitor",
                    description: "Log Analytics ingestion/auth, metrics, data collection rules, Prometheus ingestion",
                    fqdns: [
                        "dc.services.visualstudio.com",
                        "*.ods.opinsights.azure.com",
                        "*.oms.opinsights.azure.com",
                        "*.monitoring.azure.com",
                        `${location}.ingest.monitor.azure.com`,
                        "*.metrics.ingest.monitor.azure.com",
                        `${location}.handler.control.monitor.azure.com`,
                        "global.handler.control.monitor.azure.com",
                    ],
                    protocols: HTTPS,
                },
                {
                    kind: "application",
                    name: "defender-for-containers",
                    // Learn table vendored in config/upstream/aks-egress-defender.md; the sensor uploads to
                    // *.cloud.defender.microsoft.com, which no other rule allows.
                    description: "Defender sensor (securityProfile.defender): Entra auth, Log Analytics, security events upload",
                    fqdns: ["login.microsoftonline.com", "*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com", "*.cloud.defender.microsoft.com"],
                    protocols: HTTPS,
                },
                {
                    kind: "application",
                    name: "azure-policy",
                    description: "Azure Policy add-on: policy definitions, Gatekeeper artifacts, compliance reports",
                    fqdns: ["data.policy.core.windows.net", "store.policy.core.windows.net"],
                    protocols: HTTPS,
                },
            ],
        },
        {
            key: "container-registries",
            priority: 400,
            description: "Public registries pulled directly: ghcr.io and quay.io, whose blob hosts are published (Docker Hub, registry.k8s.io, nvcr.io and the rest come through ACR artifact cache rules over its private endpoint)",
            includeHubSharedServices: false,
            rules: [
                {
                    kind: "application",
                    name: "github-container-registry",
                    description: "ghcr.io and its blob storage (KServe, Loki and Tempo OCI charts; ESO, KEDA, CloudNativePG, OpenCost images)",
                    fqdns: ["ghcr.io", "pkg-containers.githubusercontent.com"],
                    protocols: HTTPS,
                },
                {
                    kind: "application",
                    name: "quay",
                    description: "quay.io and its CDN hosts (cert-manager, Prometheus, Argo images; the x509-certificate-exporter OCI chart)",
                    fqdns: ["quay.io", "cdn.quay.io", "cdn01.quay.io", "cdn02.quay.io", "cdn03.quay.io"],
                    protocols: HTTPS,
                },
            ],
        },
        {
            key: "gpu-drivers",
            priority: 500,
            description: "GPU driver and operator sources: NVIDIA GPU Operator (driver None on AKS pools) and AMD GPU Operator",
            includeHubSharedServices: false,
            rules: [
                {
                    kind: "application",
                    name: "nvidia",
                    description: "NGC Helm repo, driver/toolkit downloads and repositories (nvcr.io images come through ACR)",
                    fqdns: [
                        "helm.ngc.nvidia.com",
                        "ngc.download.nvidia.com",
                        "nvidia.github.io",
                        "download.nvidia.com",
                        "us.download.nvidia.com",
                        "international.download.nvidia.com",
                        "developer.download.nvidia.com",
                        "download.docker.com",
                    ],
                    protocols: HTTPS,
                },
                {
                    kind: "application",
                    name: "amd",
                    description: "ROCm / amdgpu packages and the AMD GPU Operator Helm repository",
                    fqdns: ["repo.radeon.com", "rocm.github.io"],
                    protocols: HTTPS,
                },
            ],
        },
        {
            key: "gitops-sources",
            priority: 600,
            description: "Flux Git, Helm and OCI sources",
            includeHubSharedServices: false,
            rules: [
                {
                    kind: "application",
                    name: "github",
                    description: "Git over HTTPS, commit status API, raw files and release assets (Helm chart tarballs)",
                    fqdns: [
                        "github.com",
                        "api.github.com",
                        "codeload.github.com",
                        "raw.githubusercontent.com",
                        "objects.githubusercontent.com",
                        "release-assets.githubusercontent.com",
                    ],
                    protocols: HTTPS,
                },
                {
                    kind: "application",
                    name: "helm-repositories",
                    description: "Helm repositories of the platform charts",
                    fqdns: [
                        "kubernetes.github.io",
                        "charts.jetstack.io",
                        "charts.external-secrets.io",
                        "prometheus-community.github.io",
                        "grafana.github.io",
                        "kedacore.github.io",
                        "argoproj.github.io",
                        "community-charts.github.io",
                        "qdrant.github.io",
                        "helm.nginx.com",
                        "charts.deliveryhero.io",
                        "kyverno.github.io",
                        "opencost.github.io",
                        "flagger.app",
                        "cloudnative-pg.github.io",
                        "jupyterhub.github.io",
                    ],
                    protocols: HTTPS,
                },
            ],
        },
        {
            key: "workload-egress",
            priority: 650,
            description: "What workloads reach themselves: model weights from the Hugging Face Hub, alert receivers",
            includeHubSharedServices: false,
            rules: [
                {
                    kind: "application",
                    name: "huggingface-hub",
                    description: "Hugging Face Hub API and its Xet/CDN download hosts (config/upstream/egress-hosts.ts, from hub-docs)",
                    fqdns: [...EGRESS_HOSTS.huggingface.hosts],
                    protocols: HTTPS,
                },
                {
                    kind: "application",
                    name: "alert-receivers",
                    description: "Alertmanager webhook receivers (Microsoft Teams workflows; URLs are Key Vault secrets)",
                    fqdns: [...ALERT_RECEIVER_HOSTS],
                    protocols: HTTPS,
                },
            ],
        },
        {
            key: "os-updates",
            priority: 700,
            description: "Ubuntu security patches between node image upgrades (AKS optional-recommended)",
            includeHubSharedServices: true,
            rules: [
                {
                    kind: "application",
                    name: "ubuntu-archive",
                    // archive.ubuntu.com: GPU operator driver containers install kernel headers from the stock mirror.
                    description: "Ubuntu archive and security mirrors (apt over HTTP; packages are signed)",
                    fqdns: ["security.ubuntu.com", "azure.archive.ubuntu.com", "archive.ubuntu.com", "changelogs.ubuntu.com"],
                    protocols: ["Http:80"],
                },
                {
                    kind: "application",
                    name: "ubuntu-snapshot",
                    description: "Ubuntu snapshot service",
                    fqdns: ["snapshot.ubuntu.com"],
                    protocols: HTTPS,
                },
            ],
        },
    ];
}

/** azure-native rule collections of one group, allowing `sourceIpGroups` (ids) to its destinations. */
export function ruleCollections<Id>(group: EgressGroup, sourceIpGroups: Id[]) {
    const app = group.rules.filter((r): r is ApplicationRule => r.kind === "application");
    const net = group.rules.filter((r): r is NetworkRule => r.kind === "network");
    const collections = [];
    if (net.length) {
        collections.push({
            ruleCollectionType: "FirewallPolicyFilterRuleCollection" as const,
            name: `${group.key}-network`,
            priority: 100,
            action: { type: "Allow" },
            rules: net.map((r) => ({
                ruleType: "NetworkRule" as const,
                name: r.name,
                description: r.description,
                ipProtocols: r.protocols,
                sourceIpGroups,
                destinationFqdns: r.fqdns,
                destinationPorts: r.ports,
            })),
        });
    }
    if (app.length) {
        collections.push({
            ruleCollectionType: "FirewallPolicyFilterRuleCollection" as const,
            name: `${group.key}-application`,
            priority: 200,
            action: { type: "Allow" },
            rules: app.map((r) => ({
                ruleType: "ApplicationRule" as const,
                name: r.name,
                description: r.description,
                sourceIpGroups,
                ...(r.fqdns ? { targetFqdns: r.fqdns } : {}),
                ...(r.fqdnTags ? { fqdnTags: r.fqdnTags } : {}),
                protocols: r.protocols.map((p) => {
                    const [protocolType, port] = p.split(":");
                    return { protocolType, port: Number(port) };
                }),
            })),
        });
    }
    return collections;
}
