/**
 * The metrics the exporters of this platform emit, per exporter, with the source each list was taken from. Rules,
 * dashboards and Flagger/KEDA queries may use only these names (plus recording rules we define); tests/workloads
 * fails on anything else, so a typo or a metric renamed upstream is caught before Prometheus silently returns
 * nothing. Histograms list their base name; `_bucket`, `_sum` and `_count` are derived. Counters list the name as
 * exposed (with `_total` where the exporter adds it).
 *
 * Sources read 2026-11 (upstream default branches): see `source` of each exporter.
 */

export interface Exporter {
    /** Who emits the series and how it reaches Prometheus here. */
    description: string;
    /** Where the names were taken from. */
    source: string[];
    gauges?: string[];
    counters?: string[];
    histograms?: string[];
    /** Names still emitted by older releases but deprecated or removed upstream: using them is an error. */
    deprecated?: Record<string, string>;
}

export const EXPORTERS: Record<string, Exporter> = {
    vllm: {
        description: "vLLM OpenAI server /metrics (v1 engine), scraped by PodMonitor ai-serving/model-servers; label model_name",
        source: [
            "https://github.com/vllm-project/vllm/blob/main/vllm/v1/metrics/loggers.py (PrometheusStatLogger)",
            "https://github.com/vllm-project/vllm/blob/main/docs/design/metrics.md",
            "https://docs.vllm.ai/en/latest/usage/metrics.html",
        ],
        gauges: ["vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc", "vllm:cache_config_info", "vllm:lora_requests_info"],
        counters: [
            "vllm:prompt_tokens_total",
            "vllm:generation_tokens_total",
            "vllm:request_success_total",
            "vllm:num_preemptions_total",
            "vllm:prefix_cache_queries_total",
            "vllm:prefix_cache_hits_total",
            // prometheus_fastapi_instrumentator, mounted by vLLM's API server (labels handler, method, status=2xx/4xx/5xx).
            "http_requests_total",
        ],
        histograms: [
            "vllm:time_to_first_token_seconds",
            "vllm:inter_token_latency_seconds",
            "vllm:e2e_request_latency_seconds",
            "vllm:request_queue_time_seconds",
            "vllm:request_inference_time_seconds",
            "vllm:request_prefill_time_seconds",
            "vllm:request_decode_time_seconds",
            "vllm:request_prompt_tokens",
            "vllm:request_generation_tokens",
            "vllm:iteration_tokens_total",
            "vllm:request_max_num_generation_tokens",
            "vllm:request_params_n",
            "vllm:request_params_max_tokens",
            "http_request_duration_seconds",
        ],
        deprecated: {
            "vllm:gpu_cache_usage_perc": "renamed vllm:kv_cache_usage_perc in vLLM 0.9, hidden then removed",
            "vllm:gpu_prefix_cache_queries_total": "renamed vllm:prefix_cache_queries_total",
            "vllm:gpu_prefix_cache_hits_total": "renamed vllm:prefix_cache_hits_total",
            "vllm:time_per_output_token_seconds": "renamed vllm:inter_token_latency_seconds",
            "vllm:num_requests_swapped": "V0 only, removed with the V1 engine",
            "vllm:cpu_cache_usage_perc": "V0 only, removed with the V1 engine",
        },
    },
    dcgm: {
        description: "NVIDIA DCGM exporter (GPU operator, collectors /etc/dcgm-exporter/dcp-metrics-included.csv); labels gpu, UUID, modelName, Hostname, GPU_I_PROFILE/GPU_I_ID on MIG, namespace/pod/container",
        source: [
            "https://github.com/NVIDIA/dcgm-exporter/blob/main/etc/dcp-metrics-included.csv",
            "https://github.com/NVIDIA/gpu-operator/blob/main/internal/state/dcgm_exporter.go (default collectors file)",
        ],
        gauges: [
            "DCGM_FI_DEV_SM_CLOCK",
            "DCGM_FI_DEV_MEM_CLOCK",
            "DCGM_FI_DEV_MEMORY_TEMP",
            "DCGM_FI_DEV_GPU_TEMP",
            "DCGM_FI_DEV_POWER_USAGE",
            "DCGM_FI_DEV_GPU_UTIL",
            "DCGM_FI_DEV_MEM_COPY_UTIL",
            "DCGM_FI_DEV_ENC_UTIL",
            "DCGM_FI_DEV_DEC_UTIL",
            "DCGM_FI_DEV_XID_ERRORS",
            "DCGM_FI_DEV_FB_FREE",
            "DCGM_FI_DEV_FB_USED",
            "DCGM_FI_DEV_FB_RESERVED",
            "DCGM_FI_DEV_VGPU_LICENSE_STATUS",
            "DCGM_FI_DEV_ROW_REMAP_FAILURE",
            "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
            "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE",
            "DCGM_FI_PROF_DRAM_ACTIVE",
            "DCGM_FI_PROF_PCIE_TX_BYTES",
            "DCGM_FI_PROF_PCIE_RX_BYTES",
        ],
        counters: [
            "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION",
            "DCGM_FI_DEV_PCIE_REPLAY_COUNTER",
            "DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL",
            "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS",
            "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS",
        ],
    },
    amd: {
        description: "AMD Device Metrics Exporter (AMD GPU operator); labels gpu_id, gpu_uuid, hostname, gpu_partition_id, pod, namespace",
        source: [
            "https://github.com/ROCm/device-metrics-exporter/blob/main/docs/configuration/metricslist.md",
            "https://github.com/ROCm/device-metrics-exporter/blob/main/grafana/dashboard_gpu.json (lower-case Prometheus names)",
        ],
        gauges: [
            "gpu_nodes_total",
            "gpu_health",
            "gpu_edge_temperature",
            "gpu_junction_temperature",
            "gpu_memory_temperature",
            "gpu_package_power",
            "gpu_average_package_power",
            "gpu_power_usage",
            "gpu_gfx_activity",
            "gpu_umc_activity",
            "gpu_gfx_busy_instantaneous",
            "gpu_used_vram",
            "gpu_total_vram",
            "gpu_free_vram",
            "gpu_clock",
            "pcie_bandwidth",
            "pcie_speed",
            "pcie_max_speed",
        ],
        counters: [
            "gpu_energy_consumed",
            "gpu_ecc_correct_total",
            "gpu_ecc_uncorrect_total",
            "pcie_replay_count",
            "pcie_recovery_count",
            "pcie_nack_sent_count",
            "pcie_nack_received_count",
        ],
    },
    litellm: {
        description:
            "LiteLLM proxy (the LLM gateway, namespace llm-gateway) /metrics of the chart's metrics sidecar, ServiceMonitor of the chart; labels team, team_alias, requested_model, model, status_code, api_key_alias (prometheus_client adds _total to counters)",
        source: [
            "https://github.com/BerriAI/litellm/blob/002de3dd1f256b09f77c7fb3f829d4942d4bf2f0/litellm/integrations/prometheus.py (PrometheusLogger.__init__)",
            "https://github.com/BerriAI/litellm/blob/main/litellm/types/integrations/prometheus.py (label names per metric)",
            "https://docs.litellm.ai/docs/proxy/prometheus",
        ],
        gauges: ["litellm_deployment_state", "litellm_remaining_team_budget_metric", "litellm_team_max_budget_metric", "litellm_team_budget_remaining_hours_metric"],
        counters: [
            "litellm_proxy_total_requests_metric_total",
            "litellm_proxy_failed_requests_metric_total",
            "litellm_total_tokens_metric_total",
            "litellm_input_tokens_metric_total",
            "litellm_output_tokens_metric_total",
            "litellm_spend_metric_total",
            "litellm_deployment_cooled_down_total",
        ],
        histograms: ["litellm_request_total_latency_metric", "litellm_llm_api_latency_metric", "litellm_llm_api_time_to_first_token_metric", "litellm_overhead_latency_metric"],
    },
    opencost: {
        description: "OpenCost cost model /metrics (infra-controllers); labels node, instance_type, namespace, pod, container",
        source: ["https://opencost.io/docs/integrations/metrics", "https://opencost.io/docs/integrations/prometheus/"],
        gauges: [
            "node_total_hourly_cost",
            "node_cpu_hourly_cost",
            "node_ram_hourly_cost",
            "node_gpu_hourly_cost",
            "node_gpu_count",
            "pv_hourly_cost",
            "container_cpu_allocation",
            "container_memory_allocation_bytes",
            "container_gpu_allocation",
            "pod_pvc_allocation",
            "kubecost_load_balancer_cost",
            "kubecost_cluster_management_cost",
            "kubecost_node_is_spot",
        ],
    },
    "kube-state-metrics": {
        description: "kube-state-metrics (kube-prometheus-stack); extended resources appear as resource=\"nvidia_com_gpu\", \"nvidia_com_mig_3g_47gb\", \"amd_com_gpu\"",
        source: ["https://github.com/kubernetes/kube-state-metrics/tree/main/docs/metrics (workload/, cluster/ pages)"],
        gauges: [
            "kube_node_status_condition",
            "kube_node_status_allocatable",
            "kube_node_status_capacity",
            "kube_node_labels",
            "kube_node_spec_unschedulable",
            "kube_pod_info",
            "kube_pod_status_phase",
            "kube_pod_status_ready",
            "kube_pod_status_unschedulable",
            "kube_pod_container_resource_requests",
            "kube_pod_container_resource_limits",
            "kube_pod_container_status_waiting_reason",
            "kube_pod_container_status_restarts_total",
            "kube_deployment_status_replicas_available",
            "kube_deployment_spec_replicas",
            "kube_statefulset_status_replicas_ready",
            "kube_statefulset_replicas",
            "kube_job_status_failed",
            "kube_resourcequota",
            "kube_persistentvolumeclaim_status_phase",
        ],
    },
    flux: {
        description: "Flux controllers /metrics, and gotk_resource_info from kube-state-metrics' custom-resource-state config (Flux monitoring guide)",
        source: [
            "https://fluxcd.io/flux/monitoring/metrics/",
            "https://fluxcd.io/flux/monitoring/custom-metrics/",
            "https://github.com/fluxcd/flux2-monitoring-example/blob/main/monitoring/controllers/kube-prometheus-stack/kube-state-metrics-config.yaml",
        ],
        gauges: ["gotk_resource_info"],
        counters: ["gotk_cache_events_total", "controller_runtime_reconcile_errors_total", "controller_runtime_reconcile_total"],
        histograms: ["gotk_reconcile_duration_seconds"],
    },
    "cert-manager": {
        description: "cert-manager controller /metrics",
        source: ["https://github.com/cert-manager/cert-manager/blob/master/pkg/metrics/certificates.go", "https://cert-manager.io/docs/devops-tips/prometheus-metrics/"],
        gauges: [
            "certmanager_certificate_expiration_timestamp_seconds",
            "certmanager_certificate_not_after_timestamp_seconds",
            "certmanager_certificate_renewal_timestamp_seconds",
            "certmanager_certificate_ready_status",
        ],
    },
    eso: {
        description: "External Secrets Operator controller /metrics",
        source: ["https://github.com/external-secrets/external-secrets/blob/main/pkg/controllers/externalsecret/esmetrics/esmetrics.go"],
        gauges: ["externalsecret_status_condition", "externalsecret_reconcile_duration"],
        counters: ["externalsecret_sync_calls_total", "externalsecret_sync_calls_error"],
    },
    x509: {
        description:
            "x509-certificate-exporter 4.2.0 (HelmRelease x509-exporter/x509-certificate-exporter, ServiceMonitor job x509-certificate-exporter); per-certificate labels secret_namespace, secret_name, secret_key, subject_CN, issuer_CN, serial_number, secret_label_<label>; per-source labels source_kind, source_name, reason",
        source: [
            "https://github.com/enix/x509-certificate-exporter/blob/v4.2.0/docs/metrics.md",
            "https://github.com/enix/x509-certificate-exporter/blob/v4.2.0/docs/migration-v3-to-v4.md (metrics section)",
        ],
        gauges: [
            "x509_cert_not_after",
            "x509_cert_not_before",
            "x509_cert_expired",
            "x509_cert_expires_in_seconds",
            "x509_cert_valid_since_seconds",
            "x509_cert_error",
            "x509_crl_next_update",
            "x509_crl_stale",
            "x509_source_up",
            "x509_source_bundles",
            "x509_exporter_build_info",
        ],
        counters: [
            "x509_source_errors_total",
            "x509_kube_watch_resyncs_total",
            "x509_kube_transport_errors_total",
            "x509_cert_collision_total",
            "x509_cert_collision_dropped_total",
            "x509_panic_total",
        ],
        histograms: ["x509_scrape_duration_seconds"],
        deprecated: {
            x509_read_errors: "removed in x509-certificate-exporter v4: use x509_source_errors_total{reason} and x509_source_up",
        },
    },
    "argo-drift": {
        description:
            "Argo Workflows controller (ServiceMonitor of the argo-workflows chart): custom gauges of the generated drift-<model> CronWorkflows (tools/workloads/generate.ts), prefixed argo_workflows_ by the controller; labels model, feature, kind, method",
        source: [
            "https://github.com/argoproj/argo-workflows/blob/main/docs/workflow-telemetry.md (custom metrics: names prepended with argo_workflows_)",
            "https://github.com/contoso/aiplatform/blob/main/tools/workloads/generate.ts (driftCronWorkflow)",
        ],
        gauges: ["argo_workflows_drift_score", "argo_workflows_drift_threshold", "argo_workflows_drift_check_timestamp_seconds"],
    },
    "drift-collector": {
        description: "The inference log collector /metrics (images/drift-monitor/collector.py), PodMonitor ai-serving/inference-log-collector; label model",
        source: ["https://github.com/contoso/aiplatform/blob/main/images/drift-monitor/collector.py (Buffer.metrics)"],
        gauges: ["drift_collector_buffered_records"],
        counters: ["drift_collector_records_total", "drift_collector_rejected_total", "drift_collector_dropped_total", "drift_collector_flush_failures_total"],
    },
    istio: {
        description: "Istio standard metrics of the add-on's sidecars (stg/prd), merged into the agent's :15020/stats/prometheus; scraped from the nginx-public controllers by PodMonitor ingress-public/nginx-public-mesh",
        source: ["https://istio.io/latest/docs/reference/config/metrics/"],
        counters: ["istio_requests_total"],
        histograms: ["istio_request_duration_milliseconds"],
    },
    prometheus: {
        description: "Series Prometheus itself synthesises for every target and alert",
        source: ["https://prometheus.io/docs/concepts/jobs_instances/#automatically-generated-labels-and-time-series"],
        gauges: ["up", "ALERTS"],
    },
};

/** name → exporter, with histogram suffixes expanded. */
export function knownMetrics(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [exporter, e] of Object.entries(EXPORTERS)) {
        for (const n of [...(e.gauges ?? []), ...(e.counters ?? [])]) out.set(n, exporter);
        for (const h of e.histograms ?? []) for (const s of ["_bucket", "_sum", "_count"]) out.set(h + s, exporter);
    }
    return out;
}

/** name → why it must not be used. */
export function deprecatedMetrics(): Map<string, string> {
    const out = new Map<string, string>();
    for (const e of Object.values(EXPORTERS)) for (const [n, why] of Object.entries(e.deprecated ?? {})) out.set(n, why);
    return out;
}
