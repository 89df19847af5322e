/**
 * `cluster-vars`: the ONE definition of the per-cluster variables Flux substitutes into the GitOps tree
 * (`${key}` in any manifest under gitops-bootstrap/ or workloads/). It is the only bridge between Pulumi and Git:
 * the Pulumi side fills every key from config or real resource outputs (FluxBootstrap passes them as the
 * Kustomizations' `postBuild.substitute`), and the GitOps validator (tools/gitops) rejects any `${var}` in the tree
 * that is not listed here. Nothing in this map is secret: secrets reach the cluster only through External Secrets.
 *
 * Adding a key: add it to `ClusterVars` (with its one-line meaning), to `CLUSTER_VAR_KEYS`, and either to
 * `configClusterVars` (derived from stack config) or to the `OutputClusterVars` the stack program passes in.
 * Flux only substitutes names matching ^[_[:alpha:]][_[:alpha:][:digit:]]*$, hence snake_case.
 */
import type { SpokeConfig } from "../../config/schema";
import { type PoolFacts, poolFacts } from "../gpu-pools/facts";

export interface ClusterVars {
    /** dev | stg | prd. */
    environment: string;
    /** Azure region of the cluster, e.g. uaenorth. */
    region: string;
    /** AKS cluster name (labels, dashboards, alert routing). */
    cluster_name: string;
    /** Entra tenant id (workload identity, ESO's Key Vault provider). */
    tenant_id: string;
    /** Key Vault URI, e.g. https://kv-aip-dev-uaen.vault.azure.net/ (ClusterSecretStore). */
    key_vault_url: string;
    /** ACR login server, e.g. craipdevuaen.azurecr.io (images mirrored for the platform and the AI stack). */
    acr_login_server: string;
    /** Data Lake storage account name (Loki/Tempo blobs, model artifacts, MLflow, Argo artifacts). */
    storage_account: string;
    /** Blob container for Loki chunks and ruler data. */
    logs_container: string;
    /** Blob container for Tempo traces. */
    traces_container: string;
    /** Blob container for MLflow run artifacts (the one MLflow's identity may write). */
    mlflow_container: string;
    /** Blob container of Argo's artifact repository (the one Argo's identity may write). */
    argo_container: string;
    /** Workload-identity client id of External Secrets Operator (Key Vault Secrets User). */
    eso_client_id: string;
    /** Workload-identity client id of Loki (blob data writer on logs_container). */
    loki_client_id: string;
    /** Workload-identity client id of Tempo (blob data writer on traces_container). */
    tempo_client_id: string;
    /** Workload-identity client id of MLflow (artifacts in the data lake). */
    mlflow_client_id: string;
    /** Workload-identity client id of the model loader (reads model weights from the data lake). */
    model_loader_client_id: string;
    /** Workload-identity client id of Argo Workflows (artifact repository in the data lake). */
    argo_client_id: string;
    /** Workload-identity client id of the inference log collector (blob data writer on the inference-logs container). */
    drift_collector_client_id: string;
    /** Workload-identity client id of the notebook servers (ServiceAccount `notebook` in each team namespace). */
    notebook_client_id: string;
    /** Client id of JupyterHub's Entra app registration (aiplatform:notebooks.oauthClientId; "" without notebooks). */
    jupyterhub_app_id: string;
    /** Public DNS zone of the edge (Cloudflare), e.g. ai.contoso.com; public hosts are <name>.<environment>.<dns_zone>. Empty when the edge is off. */
    dns_zone: string;
    /** Private DNS zone for internal hostnames (resolves to the internal ingress), e.g. internal.dev.ai.contoso.com. */
    internal_dns_zone: string;
    /** Key Vault secret holding the Cloudflare origin certificate (PEM) for the public ingress' default TLS secret. */
    origin_cert_secret: string;
    /** Key Vault secret holding the origin certificate's private key (PEM). */
    origin_key_secret: string;
    /** Static public IP address of the public ingress load balancer. */
    ingress_public_ip: string;
    /** Istio add-on revision (aks.serviceMesh.revision, e.g. asm-1-30): the `istio.io/rev` label of mesh namespaces; empty without the mesh (dev). */
    istio_revision: string;
    /** Name of that public IP resource (service.beta.kubernetes.io/azure-pip-name). */
    ingress_public_ip_name: string;
    /** Resource group of the public IP (service.beta.kubernetes.io/azure-load-balancer-resource-group). */
    ingress_public_ip_resource_group: string;
    /** Private IP of the internal ingress load balancer, inside the ingress-internal subnet. */
    ingress_internal_ip: string;
    /** Subnet name of the internal ingress load balancer (service.beta.kubernetes.io/azure-load-balancer-internal-subnet). */
    ingress_internal_subnet: string;
    /** CIDR of the API server subnet (API server VNet integration): egress allow for controllers and webhooks. */
    api_server_cidr: string;
    /** CIDR of the private-endpoints subnet (Key Vault, ACR, storage): egress allow for ESO, Loki, Tempo. */
    private_endpoints_cidr: string;
    /** CIDR of the spoke VNet: ingress allow for the internal load balancer. */
    vnet_cidr: string;
    /** First NVIDIA GPU pool name ("" when the cluster has none). */
    gpu_nvidia_pool: string;
    /** Taint key NVIDIA GPU nodes carry (tolerate with operator Exists). */
    gpu_nvidia_taint_key: string;
    /** Extended resource a pod requests on that pool: nvidia.com/gpu or nvidia.com/mig-<slice>. */
    gpu_nvidia_resource: string;
    /** MIG profile of that pool (MIG3g, ...), "" without MIG. */
    gpu_nvidia_mig_profile: string;
    /** mig-parted config the MIG manager applies (all-3g.47gb), all-disabled without MIG. */
    gpu_nvidia_mig_config: string;
    /** First AMD GPU pool name ("" when the cluster has none). */
    gpu_amd_pool: string;
    /** Taint key AMD GPU nodes carry. */
    gpu_amd_taint_key: string;
    /** Extended resource on AMD pools: amd.com/gpu. */
    gpu_amd_resource: string;
}

export type ClusterVarKey = keyof ClusterVars;

/** Every key, in a stable order (docs, the validator, the plan). */
export const CLUSTER_VAR_KEYS = [
    "environment",
    "region",
    "cluster_name",
    "tenant_id",
    "key_vault_url",
    "acr_login_server",
    "storage_account",
    "logs_container",
    "traces_container",
    "mlflow_container",
    "argo_container",
    "eso_client_id",
    "loki_client_id",
    "tempo_client_id",
    "mlflow_client_id",
    "model_loader_client_id",
    "argo_client_id",
    "drift_collector_client_id",
    "notebook_client_id",
    "jupyterhub_app_id",
    "dns_zone",
    "internal_dns_zone",
    "origin_cert_secret",
    "origin_key_secret",
    "ingress_public_ip",
    "ingress_public_ip_name",
    "ingress_public_ip_resource_group",
    "ingress_internal_ip",
    "ingress_internal_subnet",
    "api_server_cidr",
    "private_endpoints_cidr",
    "vnet_cidr",
    "gpu_nvidia_pool",
    "gpu_nvidia_taint_key",
    "gpu_nvidia_resource",
    "gpu_nvidia_mig_profile",
    "gpu_nvidia_mig_config",
    "gpu_amd_pool",
    "gpu_amd_taint_key",
    "gpu_amd_resource",
    "istio_revision",
] as const satisfies readonly ClusterVarKey[];

// Compile-time proof that CLUSTER_VAR_KEYS lists every key of ClusterVars (and nothing else).
type Missing = Exclude<ClusterVarKey, (typeof CLUSTER_VAR_KEYS)[number]>;
const exhaustive: Missing extends never ? true : Missing = true;
void exhaustive;

/** Keys known from stack config alone (computed by `configClusterVars`). */
export const CONFIG_VAR_KEYS = [
    "environment",
    "region",
    "dns_zone",
    "jupyterhub_app_id",
    "api_server_cidr",
    "private_endpoints_cidr",
    "vnet_cidr",
    "gpu_nvidia_pool",
    "gpu_nvidia_taint_key",
    "gpu_nvidia_resource",
    "gpu_nvidia_mig_profile",
    "gpu_nvidia_mig_config",
    "gpu_amd_pool",
    "gpu_amd_taint_key",
    "gpu_amd_resource",
    "istio_revision",
] as const satisfies readonly ClusterVarKey[];
export type ConfigVarKey = (typeof CONFIG_VAR_KEYS)[number];
/** Keys that come from resource outputs (vault URL, identities, IPs...): the stack program passes these. */
export type OutputVarKey = Exclude<ClusterVarKey, ConfigVarKey>;

/** GPU facts per vendor from the pool facts: the first pool of each vendor (the tree schedules on it). */
export function gpuClusterVars(pools: PoolFacts[]): Pick<ClusterVars, Extract<ConfigVarKey, `gpu_${string}`>> {
    const nvidia = pools.find((p) => p.gpu?.vendor === "nvidia");
    const amd = pools.find((p) => p.gpu?.vendor === "amd");
    const taintKey = (p: PoolFacts | undefined, vendorKey: string) =>
        p ? (p.taints.map((t) => t.split(/[=:]/)[0]).find((k) => k === vendorKey) ?? "") : "";
    return {
        gpu_nvidia_pool: nvidia?.name ?? "",
        gpu_nvidia_taint_key: taintKey(nvidia, "nvidia.com/gpu"),
        gpu_nvidia_resource: nvidia?.gpu?.resourceName ?? "",
        gpu_nvidia_mig_profile: nvidia?.gpu?.migProfile ?? "",
        gpu_nvidia_mig_config: nvidia ? (nvidia.gpu?.migSlice ? `all-${nvidia.gpu.migSlice}` : "all-disabled") : "",
        gpu_amd_pool: amd?.name ?? "",
        gpu_amd_taint_key: taintKey(amd, "amd.com/gpu"),
        gpu_amd_resource: amd?.gpu?.resourceName ?? "",
    };
}

/** The config-derived half of cluster-vars. */
export function configClusterVars(cfg: Pick<SpokeConfig, "environment" | "location" | "network" | "aks" | "nodePools" | "edge" | "features" | "notebooks">): Pick<ClusterVars, ConfigVarKey> {
    return {
        environment: cfg.environment,
        region: cfg.location,
        dns_zone: cfg.features.edge && cfg.edge ? cfg.edge.domain : "",
        jupyterhub_app_id: cfg.notebooks?.oauthClientId ?? "",
        api_server_cidr: cfg.network.subnets.apiServer,
        private_endpoints_cidr: cfg.network.subnets.privateEndpoints,
        vnet_cidr: cfg.network.addressSpace,
        istio_revision: cfg.aks.serviceMesh?.revision ?? "",
        ...gpuClusterVars(poolFacts(cfg)),
    };
}

/** Output keys that may be empty when the Cloudflare edge is off (no public hostnames, no origin certificate). */
export const EDGE_VAR_KEYS = ["origin_cert_secret", "origin_key_secret", "ingress_public_ip", "ingress_public_ip_name", "ingress_public_ip_resource_group"] as const satisfies readonly OutputVarKey[];

/** Output-derived keys that are empty although the tree needs them (a missing wiring in the stack program). */
export function missingOutputVars(vars: Partial<Record<string, string>>, edge: boolean): string[] {
    const optional = new Set<string>(edge ? [] : EDGE_VAR_KEYS);
    return CLUSTER_VAR_KEYS.filter((k) => !(CONFIG_VAR_KEYS as readonly string[]).includes(k) && !optional.has(k) && !vars[k]);
}

/** Values Flux can substitute safely: no line breaks (they would break the YAML) and no `${` (no nested substitution). */
export function clusterVarProblems(vars: Partial<Record<string, string>>): string[] {
    const problems: string[] = [];
    for (const [k, v] of Object.entries(vars)) {
        if (!(CLUSTER_VAR_KEYS as readonly string[]).includes(k)) problems.push(`cluster-vars: unknown key '${k}' (known: ${CLUSTER_VAR_KEYS.join(", ")})`);
        if (typeof v !== "string") problems.push(`cluster-vars: ${k} must be a string`);
        else if (/[\r\n]/.test(v) || v.includes("${")) problems.push(`cluster-vars: ${k} = ${JSON.stringify(v)} must be a single line without '\${'`);
    }
    return problems;
}
