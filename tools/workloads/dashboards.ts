/**
 * The AI stack's Grafana dashboards, written as data and rendered to JSON files in
 * workloads/base/observability/dashboards/ (committed; tests/workloads fails when they are stale). Grafana loads
 * them from ConfigMaps labelled grafana_dashboard=1 (kube-prometheus-stack's sidecar, all namespaces).
 *
 *   npx tsx tools/workloads/dashboards.ts          write the files
 */
import * as fs from "fs";
import * as path from "path";
import { WORKLOADS_DIR } from "./models";
import { helpAsked } from "../cli-help";

export const DASHBOARD_DIR = path.join(WORKLOADS_DIR, "base/observability/dashboards");

interface Panel {
    title: string;
    /** One query per series group: [expr, legend]. */
    targets: [string, string][];
    unit?: string;
    type?: "timeseries" | "stat" | "table" | "bargauge";
    description?: string;
    /** Grid width (of 24). */
    w?: number;
}

interface Row {
    title: string;
    panels: Panel[];
}

interface Dashboard {
    uid: string;
    title: string;
    description: string;
    tags: string[];
    /** Template variables backed by label_values queries: [name, query, multi]. */
    variables: [string, string, boolean][];
    rows: Row[];
}

const DS = { type: "prometheus", uid: "${datasource}" };

function render(d: Dashboard): object {
    const panels: object[] = [];
    let id = 1;
    let y = 0;
    for (const row of d.rows) {
        panels.push({ id: id++, type: "row", title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
        y += 1;
        let x = 0;
        for (const p of row.panels) {
            const w = p.w ?? 12;
            if (x + w > 24) {
                x = 0;
                y += 8;
            }
            panels.push({
                id: id++,
                type: p.type ?? "timeseries",
                title: p.title,
                ...(p.description ? { description: p.description } : {}),
                datasource: DS,
                gridPos: { h: 8, w, x, y },
                fieldConfig: { defaults: { unit: p.unit ?? "short" }, overrides: [] },
                options: p.type === "stat" ? { reduceOptions: { calcs: ["lastNotNull"] } } : { legend: { displayMode: "table", placement: "bottom", calcs: ["mean", "max"] } },
                targets: p.targets.map(([expr, legend], i) => ({ refId: String.fromCharCode(65 + i), datasource: DS, expr, legendFormat: legend })),
            });
            x += w;
        }
        y += 8;
    }
    return {
        uid: d.uid,
        title: d.title,
        description: d.description,
        tags: d.tags,
        editable: false,
        schemaVersion: 39,
        version: 1,
        refresh: "1m",
        time: { from: "now-6h", to: "now" },
        timezone: "browser",
        templating: {
            list: [
                { name: "datasource", type: "datasource", query: "prometheus", current: { text: "Prometheus", value: "prometheus" }, hide: 0 },
                ...d.variables.map(([name, query, multi]) => ({
                    name,
                    type: "query",
                    datasource: DS,
                    query: { query, refId: `${name}-values` },
                    definition: query,
                    refresh: 2,
                    includeAll: true,
                    multi,
                    allValue: ".*",
                    current: { text: "All", value: "$__all" },
                })),
            ],
        },
        annotations: { list: [] },
        panels,
    };
}

const GPU: Dashboard = {
    uid: "ai-gpu-usage",
    title: "AI / GPU usage",
    description: "NVIDIA (DCGM exporter, per GPU and per MIG slice) and AMD (device metrics exporter) utilisation, memory, temperature and power, and GPU allocation per namespace.",
    tags: ["ai", "gpu"],
    variables: [["node", 'label_values(kube_node_labels{label_aiplatform_io_gpu_vendor!=""}, node)', true]],
    rows: [
        {
            title: "NVIDIA — whole GPUs and MIG slices",
            panels: [
                { title: "Graphics engine activity per MIG slice / GPU", unit: "percentunit", targets: [['avg by (Hostname, gpu, GPU_I_PROFILE, GPU_I_ID) (DCGM_FI_PROF_GR_ENGINE_ACTIVE{Hostname=~"$node"})', "{{Hostname}} gpu{{gpu}} {{GPU_I_PROFILE}}#{{GPU_I_ID}}"]] },
                { title: "GPU utilisation (non-MIG GPUs)", unit: "percent", targets: [['avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL{Hostname=~"$node"})', "{{Hostname}} gpu{{gpu}}"]] },
                { title: "Tensor core activity", unit: "percentunit", targets: [['avg by (Hostname, gpu, GPU_I_PROFILE, GPU_I_ID) (DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{Hostname=~"$node"})', "{{Hostname}} gpu{{gpu}} {{GPU_I_PROFILE}}#{{GPU_I_ID}}"]] },
                { title: "Framebuffer used", unit: "percentunit", targets: [['sum by (Hostname, gpu, GPU_I_ID) (DCGM_FI_DEV_FB_USED{Hostname=~"$node"}) / sum by (Hostname, gpu, GPU_I_ID) (DCGM_FI_DEV_FB_USED{Hostname=~"$node"} + DCGM_FI_DEV_FB_FREE{Hostname=~"$node"})', "{{Hostname}} gpu{{gpu}} #{{GPU_I_ID}}"]] },
                { title: "GPU temperature", unit: "celsius", w: 8, targets: [['max by (Hostname, gpu) (DCGM_FI_DEV_GPU_TEMP{Hostname=~"$node"})', "{{Hostname}} gpu{{gpu}}"]] },
                { title: "Power draw", unit: "watt", w: 8, targets: [['max by (Hostname, gpu) (DCGM_FI_DEV_POWER_USAGE{Hostname=~"$node"})', "{{Hostname}} gpu{{gpu}}"]] },
                { title: "Last XID error", type: "table", w: 8, targets: [['max by (Hostname, gpu) (DCGM_FI_DEV_XID_ERRORS{Hostname=~"$node"}) > 0', "{{Hostname}} gpu{{gpu}}"]] },
                { title: "GPU activity by pod", unit: "percentunit", w: 24, targets: [['avg by (namespace, pod) (DCGM_FI_PROF_GR_ENGINE_ACTIVE{pod!=""})', "{{namespace}}/{{pod}}"]] },
            ],
        },
        {
            title: "AMD Instinct",
            panels: [
                { title: "GFX activity", unit: "percent", targets: [['avg by (hostname, gpu_id) (gpu_gfx_activity{hostname=~"$node"})', "{{hostname}} gpu{{gpu_id}}"]] },
                { title: "VRAM used", unit: "percentunit", targets: [['sum by (hostname, gpu_id) (gpu_used_vram{hostname=~"$node"}) / sum by (hostname, gpu_id) (gpu_total_vram{hostname=~"$node"})', "{{hostname}} gpu{{gpu_id}}"]] },
                { title: "Junction temperature", unit: "celsius", w: 8, targets: [['max by (hostname, gpu_id) (gpu_junction_temperature{hostname=~"$node"})', "{{hostname}} gpu{{gpu_id}}"]] },
                { title: "Package power", unit: "watt", w: 8, targets: [['max by (hostname, gpu_id) (gpu_package_power{hostname=~"$node"})', "{{hostname}} gpu{{gpu_id}}"]] },
                { title: "Uncorrectable ECC errors (1h)", unit: "short", w: 8, targets: [['sum by (hostname, gpu_id) (increase(gpu_ecc_uncorrect_total{hostname=~"$node"}[1h]))', "{{hostname}} gpu{{gpu_id}}"]] },
            ],
        },
        {
            title: "Allocation",
            panels: [
                { title: "GPUs requested per namespace", unit: "short", targets: [['sum by (namespace, resource) (kube_pod_container_resource_requests{resource=~"nvidia_com_.+|amd_com_gpu"})', "{{namespace}} {{resource}}"]] },
                { title: "GPU pods pending", unit: "short", targets: [["cluster:gpu_pods_pending:count", "pending"]] },
            ],
        },
    ],
};

const RATE = "$__rate_interval";
const LAT = (metric: string, q: string) => `histogram_quantile(${q}, sum by (le, model_name) (rate(${metric}_bucket{model_name=~"$model"}[${RATE}])))`;

const INFERENCE: Dashboard = {
    uid: "ai-inference-latency",
    title: "AI / Inference latency",
    description: "vLLM per model: time to first token, inter-token latency, end-to-end latency (p50/p95/p99), queue time, token throughput, KV-cache usage and request outcomes.",
    tags: ["ai", "vllm", "latency"],
    variables: [["model", "label_values(vllm:num_requests_running, model_name)", true]],
    rows: [
        {
            title: "Latency",
            panels: [
                { title: "Time to first token", unit: "s", targets: [[LAT("vllm:time_to_first_token_seconds", "0.5"), "p50 {{model_name}}"], [LAT("vllm:time_to_first_token_seconds", "0.95"), "p95 {{model_name}}"], [LAT("vllm:time_to_first_token_seconds", "0.99"), "p99 {{model_name}}"]] },
                { title: "Inter-token latency", unit: "s", targets: [[LAT("vllm:inter_token_latency_seconds", "0.5"), "p50 {{model_name}}"], [LAT("vllm:inter_token_latency_seconds", "0.95"), "p95 {{model_name}}"], [LAT("vllm:inter_token_latency_seconds", "0.99"), "p99 {{model_name}}"]] },
                { title: "End-to-end request latency", unit: "s", targets: [[LAT("vllm:e2e_request_latency_seconds", "0.5"), "p50 {{model_name}}"], [LAT("vllm:e2e_request_latency_seconds", "0.95"), "p95 {{model_name}}"], [LAT("vllm:e2e_request_latency_seconds", "0.99"), "p99 {{model_name}}"]] },
                { title: "Queue time", unit: "s", targets: [[LAT("vllm:request_queue_time_seconds", "0.5"), "p50 {{model_name}}"], [LAT("vllm:request_queue_time_seconds", "0.95"), "p95 {{model_name}}"]] },
                { title: "Latency SLO: share of requests over 20 s (1h)", unit: "percentunit", targets: [['slo:sli_error:ratio_rate1h{aiplatform_io_slo="model", sloth_slo="latency"}', "{{sloth_service}}"]] },
                { title: "Prefill vs decode time (p95)", unit: "s", targets: [[LAT("vllm:request_prefill_time_seconds", "0.95"), "prefill {{model_name}}"], [LAT("vllm:request_decode_time_seconds", "0.95"), "decode {{model_name}}"]] },
            ],
        },
        {
            title: "Throughput and load",
            panels: [
                { title: "Tokens per second", unit: "short", targets: [[`sum by (model_name) (rate(vllm:generation_tokens_total{model_name=~"$model"}[${RATE}]))`, "generated {{model_name}}"], [`sum by (model_name) (rate(vllm:prompt_tokens_total{model_name=~"$model"}[${RATE}]))`, "prompt {{model_name}}"]] },
                { title: "Requests running / waiting", unit: "short", targets: [['sum by (model_name) (vllm:num_requests_running{model_name=~"$model"})', "running {{model_name}}"], ['sum by (model_name) (vllm:num_requests_waiting{model_name=~"$model"})', "waiting {{model_name}}"]] },
                { title: "KV-cache usage", unit: "percentunit", targets: [['max by (model_name, pod) (vllm:kv_cache_usage_perc{model_name=~"$model"})', "{{pod}}"]] },
                { title: "Finished requests by reason", unit: "reqps", targets: [[`sum by (model_name, finished_reason) (rate(vllm:request_success_total{model_name=~"$model"}[${RATE}]))`, "{{model_name}} {{finished_reason}}"]] },
                { title: "HTTP status of API requests", unit: "reqps", targets: [[`sum by (model, status) (rate(http_requests_total{namespace="ai-serving", handler=~"/v1/.+"}[${RATE}]))`, "{{model}} {{status}}"]] },
                { title: "Preemptions", unit: "short", targets: [[`sum by (model_name) (rate(vllm:num_preemptions_total{model_name=~"$model"}[${RATE}]))`, "{{model_name}}"]] },
                { title: "Prefix cache hit rate", unit: "percentunit", targets: [[`sum by (model_name) (rate(vllm:prefix_cache_hits_total{model_name=~"$model"}[${RATE}])) / sum by (model_name) (rate(vllm:prefix_cache_queries_total{model_name=~"$model"}[${RATE}]))`, "{{model_name}}"]] },
                { title: "Replicas available", unit: "short", targets: [['sum by (deployment) (kube_deployment_status_replicas_available{namespace="ai-serving"})', "{{deployment}}"]] },
            ],
        },
    ],
};

const COST: Dashboard = {
    uid: "ai-cost-namespace",
    title: "AI / Cost per namespace",
    description: "OpenCost: hourly and projected monthly cost per namespace (CPU, memory, GPU), node cost, the anomaly baseline, and the cost per LLM gateway team.",
    tags: ["ai", "cost", "opencost"],
    variables: [["namespace", "label_values(container_cpu_allocation, namespace)", true]],
    rows: [
        {
            title: "Namespaces",
            panels: [
                { title: "Hourly cost per namespace", unit: "currencyUSD", targets: [['namespace:opencost_hourly_cost:sum{namespace=~"$namespace"}', "{{namespace}}"]] },
                { title: "Hourly cost vs 7-day baseline", unit: "currencyUSD", targets: [['namespace:opencost_hourly_cost:sum{namespace=~"$namespace"}', "now {{namespace}}"], ['avg_over_time(namespace:opencost_hourly_cost:sum{namespace=~"$namespace"}[7d])', "7d avg {{namespace}}"]] },
                { title: "Projected monthly cost (730 h)", unit: "currencyUSD", type: "bargauge", targets: [['sort_desc(730 * namespace:opencost_hourly_cost:sum{namespace=~"$namespace"})', "{{namespace}}"]] },
                { title: "GPU cost per namespace", unit: "currencyUSD", targets: [['sum by (namespace) (container_gpu_allocation{namespace=~"$namespace"} * on (node) group_left() avg by (node) (node_gpu_hourly_cost))', "{{namespace}}"]] },
                { title: "CPU cost per namespace", unit: "currencyUSD", targets: [['sum by (namespace) (container_cpu_allocation{namespace=~"$namespace"} * on (node) group_left() avg by (node) (node_cpu_hourly_cost))', "{{namespace}}"]] },
                { title: "Memory cost per namespace", unit: "currencyUSD", targets: [['sum by (namespace) (container_memory_allocation_bytes{namespace=~"$namespace"} / 1024 / 1024 / 1024 * on (node) group_left() avg by (node) (node_ram_hourly_cost))', "{{namespace}}"]] },
            ],
        },
        {
            title: "LLM gateway teams (next to the namespaces above)",
            panels: [
                {
                    title: "Serving cost per team (OpenCost of ai-serving + llm-gateway, split by token share)",
                    description: "What each gateway team's traffic costs in GPU/CPU/memory: the hourly OpenCost of the model servers and the gateway, divided by each team's share of the tokens served.",
                    unit: "currencyUSD",
                    targets: [
                        [
                            'sum by (team) (team_model:litellm_tokens:rate5m) / scalar(sum(team_model:litellm_tokens:rate5m)) * scalar(sum(namespace:opencost_hourly_cost:sum{namespace=~"ai-serving|llm-gateway"}))',
                            "{{team}}",
                        ],
                    ],
                },
                {
                    title: "Charged to team budgets per hour (internal token price)",
                    description: "Spend the gateway books against each team's budget (aiplatform:gateway.teams[].budget) at workloads/models gateway.pricePerMillionTokens.",
                    unit: "currencyUSD",
                    targets: [["sum by (team) (rate(litellm_spend_metric_total{namespace=\"llm-gateway\"}[1h])) * 3600", "{{team}}"]],
                },
                { title: "Budget left per team", unit: "currencyUSD", type: "bargauge", targets: [['max by (team) (litellm_remaining_team_budget_metric{namespace="llm-gateway"})', "{{team}}"]] },
                { title: "Tokens per team and model", unit: "short", targets: [["sum by (team, model) (team_model:litellm_tokens:rate5m)", "{{team}} {{model}}"]] },
            ],
        },
        {
            title: "Cluster",
            panels: [
                { title: "Monthly cost of all nodes", unit: "currencyUSD", type: "stat", w: 8, targets: [["sum(node_total_hourly_cost) * 730", "nodes"]] },
                { title: "Node cost per hour", unit: "currencyUSD", w: 8, targets: [["sum by (node, instance_type) (node_total_hourly_cost)", "{{node}} {{instance_type}}"]] },
                { title: "Persistent volume cost per hour", unit: "currencyUSD", w: 8, targets: [["sum(pv_hourly_cost)", "volumes"]] },
            ],
        },
    ],
};

const HEALTH: Dashboard = {
    uid: "ai-platform-health",
    title: "AI / Platform health",
    description: "Nodes, GitOps (Flux), certificates, secrets sync (ESO) and the AI stack's workloads at a glance.",
    tags: ["ai", "platform"],
    variables: [],
    rows: [
        {
            title: "Cluster and GitOps",
            panels: [
                { title: "Nodes not Ready", type: "stat", w: 6, targets: [['count(kube_node_status_condition{condition="Ready", status="true"} == 0) or vector(0)', "not ready"]] },
                { title: "Flux objects not Ready", type: "stat", w: 6, targets: [['count(gotk_resource_info{ready="False"}) or vector(0)', "not ready"]] },
                { title: "Certificates expiring < 14 d", type: "stat", w: 6, targets: [["count(certmanager_certificate_expiration_timestamp_seconds - time() < 14 * 86400) or vector(0)", "expiring"]] },
                { title: "ExternalSecrets failing", type: "stat", w: 6, targets: [['count(externalsecret_status_condition{condition="Ready", status="False"} == 1) or vector(0)', "failing"]] },
                { title: "Flux objects by state", type: "table", targets: [["max by (customresource_kind, exported_namespace, name, ready, suspended, revision) (gotk_resource_info)", "{{name}}"]] },
                { title: "Flux reconcile duration p95", unit: "s", targets: [['histogram_quantile(0.95, sum by (le, kind) (rate(gotk_reconcile_duration_seconds_bucket[$__rate_interval])))', "{{kind}}"]] },
                { title: "Certificate time to expiry", unit: "s", targets: [["certmanager_certificate_expiration_timestamp_seconds - time()", "{{namespace}}/{{name}}"]] },
                { title: "ESO sync errors", unit: "short", targets: [["sum by (namespace, name) (increase(externalsecret_sync_calls_error[$__rate_interval]))", "{{namespace}}/{{name}}"]] },
            ],
        },
        {
            title: "AI workloads",
            panels: [
                { title: "Pods not Ready in AI namespaces", unit: "short", targets: [['sum by (namespace) (kube_pod_status_ready{namespace=~"ai-serving|mlflow|qdrant|argo|kserve", condition="false"})', "{{namespace}}"]] },
                { title: "Container restarts (1h)", unit: "short", targets: [['sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{namespace=~"ai-serving|mlflow|qdrant|argo|kserve"}[1h])) > 0', "{{namespace}}/{{pod}}"]] },
                { title: "Scrape targets down", unit: "short", targets: [['sum by (job, namespace) (up{namespace=~"ai-serving|mlflow|qdrant|argo|kserve"} == 0)', "{{namespace}} {{job}}"]] },
                { title: "Firing AI alerts", type: "table", targets: [['sum by (alertname, severity) (ALERTS{alertstate="firing", team=~"ml-platform|platform|finops"})', "{{alertname}}"]] },
            ],
        },
        {
            // The drift-<model> CronWorkflows' scores (Argo custom metrics) and the inference log collector (README "Drift detection").
            title: "Model drift",
            panels: [
                { title: "Drift score ÷ threshold (≥ 1 alerts)", unit: "short", description: "Per model, kind and feature; NaN (no point) when a window had too few samples.", targets: [["argo_workflows_drift_score / argo_workflows_drift_threshold", "{{model}} {{kind}} {{feature}}"]] },
                { title: "Time since the last successful drift check", unit: "s", targets: [["time() - argo_workflows_drift_check_timestamp_seconds", "{{model}}"]] },
                { title: "Feature records logged", unit: "short", targets: [["sum by (model) (rate(drift_collector_records_total[$__rate_interval]))", "{{model}} /s"], ["sum by (model) (rate(drift_collector_rejected_total[$__rate_interval]))", "{{model}} rejected /s"]] },
                { title: "Collector buffer (records not yet in the lake)", unit: "short", targets: [["sum by (pod) (drift_collector_buffered_records)", "{{pod}}"]] },
            ],
        },
    ],
};

const GATEWAY: Dashboard = {
    uid: "ai-llm-gateway",
    title: "AI / LLM gateway",
    description: "LiteLLM gateway (namespace llm-gateway): requests, errors, tokens and latency per team and model, models out of rotation, budgets.",
    tags: ["ai", "gateway", "litellm"],
    variables: [
        ["team", "label_values(litellm_proxy_total_requests_metric_total, team)", true],
        ["model", "label_values(litellm_proxy_total_requests_metric_total, requested_model)", true],
    ],
    rows: [
        {
            title: "Traffic per team and model",
            panels: [
                { title: "Requests/s", unit: "reqps", targets: [['sum by (team, requested_model) (team_model:litellm_requests:rate5m{team=~"$team", requested_model=~"$model"})', "{{team}} {{requested_model}}"]] },
                { title: "Tokens/s", unit: "short", targets: [['sum by (team, model) (team_model:litellm_tokens:rate5m{team=~"$team", model=~"$model"})', "{{team}} {{model}}"]] },
                {
                    title: "Error ratio",
                    unit: "percentunit",
                    targets: [
                        [
                            'sum by (team, requested_model) (rate(litellm_proxy_failed_requests_metric_total{team=~"$team", requested_model=~"$model"}[$__rate_interval])) / sum by (team, requested_model) (rate(litellm_proxy_total_requests_metric_total{team=~"$team", requested_model=~"$model"}[$__rate_interval]))',
                            "{{team}} {{requested_model}}",
                        ],
                    ],
                },
                {
                    title: "Latency p50 / p95 (end to end through the gateway)",
                    unit: "s",
                    targets: [
                        ['histogram_quantile(0.5, sum by (le, requested_model) (rate(litellm_request_total_latency_metric_bucket{team=~"$team", requested_model=~"$model"}[$__rate_interval])))', "p50 {{requested_model}}"],
                        ['histogram_quantile(0.95, sum by (le, requested_model) (rate(litellm_request_total_latency_metric_bucket{team=~"$team", requested_model=~"$model"}[$__rate_interval])))', "p95 {{requested_model}}"],
                    ],
                },
                { title: "Gateway overhead p95", unit: "ms", targets: [["histogram_quantile(0.95, sum by (le) (rate(litellm_overhead_latency_metric_bucket[$__rate_interval])))", "overhead"]] },
                { title: "Models out of rotation (0 healthy, 1 partial, 2 outage)", unit: "short", targets: [["max by (litellm_model_name) (litellm_deployment_state)", "{{litellm_model_name}}"]] },
                { title: "Cooldowns (fallback taken)", unit: "short", targets: [["sum by (litellm_model_name) (increase(litellm_deployment_cooled_down_total[$__rate_interval]))", "{{litellm_model_name}}"]] },
                { title: "Budget left per team", unit: "currencyUSD", type: "bargauge", targets: [['max by (team) (litellm_remaining_team_budget_metric{team=~"$team"})', "{{team}}"]] },
            ],
        },
    ],
};

// The SLOs of tools/slo/services.ts, as Sloth's recording rules name them (one series per service and SLO).
const SLO = (record: string) => `${record}{sloth_service=~"$service"}`;
const BUDGETS: Dashboard = {
    uid: "ai-error-budgets",
    title: "AI / SLOs and error budgets",
    description: "Per user-facing service (model endpoints, public ingress) and SLO: 30-day error budget left, burn rates, SLI and objective (Sloth rules, tools/slo).",
    tags: ["ai", "slo"],
    variables: [["service", "label_values(sloth_slo_info, sloth_service)", true]],
    rows: [
        {
            title: "Error budget (30 days)",
            panels: [
                { title: "Error budget remaining", type: "bargauge", unit: "percentunit", description: "1 − period burn rate; at or below 0 prd rollouts of that model pause (Flagger confirm-rollout gate).", targets: [[SLO("slo:period_error_budget_remaining:ratio"), "{{sloth_service}} {{sloth_slo}}"]] },
                { title: "Budget remaining over time", unit: "percentunit", targets: [[SLO("slo:period_error_budget_remaining:ratio"), "{{sloth_service}} {{sloth_slo}}"]] },
            ],
        },
        {
            title: "Burn rate",
            panels: [
                { title: "Current burn rate (5m)", unit: "short", description: "1 = spending the budget exactly over 30 days; the page alert fires at 14.4 (1h and 5m) or 6 (6h and 30m).", targets: [[SLO("slo:current_burn_rate:ratio"), "{{sloth_service}} {{sloth_slo}}"]] },
                { title: "Period burn rate (30d)", unit: "short", targets: [[SLO("slo:period_burn_rate:ratio"), "{{sloth_service}} {{sloth_slo}}"]] },
                { title: "SLI error ratio (1h) and budget", unit: "percentunit", targets: [[`slo:sli_error:ratio_rate1h{sloth_service=~"$service"}`, "error {{sloth_service}} {{sloth_slo}}"], [SLO("slo:error_budget:ratio"), "budget {{sloth_service}} {{sloth_slo}}"]] },
                { title: "Burn-rate alerts firing", type: "table", targets: [['sum by (alertname, sloth_service, sloth_slo, severity) (ALERTS{alertstate="firing", sloth_id!=""})', "{{alertname}}"]] },
            ],
        },
    ],
};

export const DASHBOARDS: Dashboard[] = [GPU, INFERENCE, COST, HEALTH, BUDGETS, GATEWAY];

/** file name → JSON text. */
export function renderDashboards(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of DASHBOARDS) out[`${d.uid}.json`] = JSON.stringify(render(d), null, 2) + "\n";
    return out;
}

if (require.main === module && helpAsked(process.argv.slice(2))) {
    console.log("usage: node --import tsx tools/workloads/dashboards.ts   (rewrites workloads/base/observability/dashboards/*.json; run by npm run generate:workloads)");
} else if (require.main === module) {
    fs.mkdirSync(DASHBOARD_DIR, { recursive: true });
    for (const [f, text] of Object.entries(renderDashboards())) fs.writeFileSync(path.join(DASHBOARD_DIR, f), text);
    console.log(`wrote ${DASHBOARDS.length} dashboards to ${path.relative(process.cwd(), DASHBOARD_DIR)}`);
}
