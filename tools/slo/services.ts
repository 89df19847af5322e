/**
 * The SLOs of the user-facing services, per environment, as Sloth specs (`prometheus/v1`): each model endpoint
 * (availability: non-5xx OpenAI API responses; latency: requests finished within 20 s) and, where the Istio add-on
 * runs (stg/prd), the public ingress (as its NGINX sidecar reports the upstream responses: availability, and requests
 * answered within 30 s). tools/workloads/generate.ts writes each spec next to the rules tools/slo/sloth.ts generates
 * from it, so `sloth generate -i <spec>` reproduces them. The LLM gateway has an availability SLO (its latency is the
 * models' plus a small overhead, which the models' latency SLOs already cover). Not here yet: the RAG service (issue 19).
 */
import type { Environment } from "../../config/schema";
import { type SlothSlo, type SlothSpec, slothRuleGroups } from "./sloth";

/** Objectives (percent good events over 30 days) per environment; the page alert is off in dev (ticket only). */
export const OBJECTIVES = {
    modelAvailability: { dev: 95, stg: 99, prd: 99.5 },
    modelLatency: { dev: 90, stg: 95, prd: 99 },
    publicAvailability: { stg: 99, prd: 99.5 },
    publicLatency: { stg: 95, prd: 99 },
    gatewayAvailability: { dev: 95, stg: 99, prd: 99.5 },
} as const;
/** Latency thresholds: bucket boundaries the histograms have (vLLM e2e seconds; Istio milliseconds). */
export const MODEL_LATENCY_LE = "20.0";
export const PUBLIC_LATENCY_LE_MS = "30000";

const RUNBOOK = "https://github.com/contoso/aiplatform/blob/main/docs/runbooks/alerts/slo.md";

function alerting(name: string, env: Environment): SlothSlo["alerting"] {
    return {
        name,
        labels: { team: "ml-platform" },
        annotations: { runbook_url: `${RUNBOOK}#${name.toLowerCase()}` },
        page_alert: env === "dev" ? { disable: true } : { labels: { severity: "critical" } },
        ticket_alert: { labels: { severity: "warning" } },
    };
}

export interface ServedModel {
    /** models.yaml name (pods vllm-<name>-…). */
    name: string;
    /** The OpenAI `model` (vLLM's model_name label). */
    servedModelName: string;
}

export function modelSpec(m: ServedModel, env: Environment): SlothSpec {
    const requests = (extra: string) => `sum(rate(http_requests_total{namespace="ai-serving", pod=~"vllm-${m.name}-.+", handler=~"/v1/.+"${extra}}[{{.window}}]))`;
    const e2e = (series: string, extra = "") => `sum(rate(vllm:e2e_request_latency_seconds_${series}{namespace="ai-serving", model_name="${m.servedModelName}"${extra}}[{{.window}}]))`;
    return {
        version: "prometheus/v1",
        service: m.name,
        labels: { environment: env, aiplatform_io_slo: "model" },
        slos: [
            {
                name: "availability",
                objective: OBJECTIVES.modelAvailability[env],
                description: `Share of ${m.name}'s OpenAI API requests not answered with a 5xx.`,
                sli: { events: { error_query: requests(', status="5xx"'), total_query: requests("") } },
                alerting: alerting("ModelAvailabilityBudgetBurn", env),
            },
            {
                name: "latency",
                objective: OBJECTIVES.modelLatency[env],
                description: `Share of ${m.name}'s requests finished end to end within ${MODEL_LATENCY_LE} s.`,
                sli: { events: { error_query: `(${e2e("count")} - ${e2e("bucket", `, le="${MODEL_LATENCY_LE}"`)})`, total_query: e2e("count") } },
                alerting: alerting("ModelLatencyBudgetBurn", env),
            },
        ],
    };
}

/** The public ingress as its mesh sidecar sees it (Istio client-side telemetry of nginx-public; stg/prd only). */
export function publicIngressSpec(env: Exclude<Environment, "dev">): SlothSpec {
    const sel = (extra: string) => `{reporter="source", source_workload_namespace="ingress-public"${extra}}`;
    return {
        version: "prometheus/v1",
        service: "public-ingress",
        labels: { environment: env, aiplatform_io_slo: "ingress" },
        slos: [
            {
                name: "availability",
                objective: OBJECTIVES.publicAvailability[env],
                description: "Share of public API requests the backends did not answer with a 5xx (NGINX's sidecar reports them).",
                sli: { events: { error_query: `sum(rate(istio_requests_total${sel(', response_code=~"5.."')}[{{.window}}]))`, total_query: `sum(rate(istio_requests_total${sel("")}[{{.window}}]))` } },
                alerting: alerting("PublicIngressAvailabilityBudgetBurn", env),
            },
            {
                name: "latency",
                objective: OBJECTIVES.publicLatency[env],
                description: `Share of public API requests answered within ${Number(PUBLIC_LATENCY_LE_MS) / 1000} s.`,
                sli: {
                    events: {
                        error_query: `(sum(rate(istio_request_duration_milliseconds_count${sel("")}[{{.window}}])) - sum(rate(istio_request_duration_milliseconds_bucket${sel(`, le="${PUBLIC_LATENCY_LE_MS}"`)}[{{.window}}])))`,
                        total_query: `sum(rate(istio_request_duration_milliseconds_count${sel("")}[{{.window}}]))`,
                    },
                },
                alerting: alerting("PublicIngressLatencyBudgetBurn", env),
            },
        ],
    };
}

/**
 * The release gate's PromQL: non-empty while every SLO of `service` has error budget left over its 30 days — or while
 * Prometheus has no budget series for it yet (a new model or cluster must not wait for a month of data).
 */
export function budgetGateQuery(service: string): string {
    const remaining = `slo:period_error_budget_remaining:ratio{sloth_service="${service}"}`;
    return `(min(${remaining}) > 0) or absent(${remaining})`;
}

/**
 * The LLM gateway (namespace llm-gateway, README "LLM gateway"): requests it answers with a 5xx after its retries and
 * fallbacks. 429s (a team over its limits or budget) are the limits working, not failures.
 */
export function gatewaySpec(env: Environment): SlothSpec {
    const requests = (extra: string) => `sum(rate(litellm_proxy_total_requests_metric_total{namespace="llm-gateway"${extra}}[{{.window}}]))`;
    return {
        version: "prometheus/v1",
        service: "llm-gateway",
        labels: { environment: env, aiplatform_io_slo: "gateway" },
        slos: [
            {
                name: "availability",
                objective: OBJECTIVES.gatewayAvailability[env],
                description: "Share of the LLM gateway's requests not answered with a 5xx (after retries and fallback).",
                sli: { events: { error_query: requests(', status_code=~"5.."'), total_query: requests("") } },
                alerting: alerting("GatewayAvailabilityBudgetBurn", env),
            },
        ],
    };
}

/** Every SLO spec of an environment: its models, the LLM gateway, and the public ingress where the mesh runs. */
export function sloSpecs(env: Environment, models: ServedModel[], mesh: boolean): SlothSpec[] {
    return [...models.map((m) => modelSpec(m, env)), gatewaySpec(env), ...(mesh && env !== "dev" ? [publicIngressSpec(env)] : [])];
}

/** The PrometheusRule carrying the generated rules of `specs` (prometheus-operator picks it up in monitoring). */
export function sloPrometheusRule(specs: SlothSpec[]): Record<string, unknown> {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "slo", namespace: "monitoring", labels: { "aiplatform.io/rules": "ai" } },
        spec: { groups: specs.flatMap((s) => slothRuleGroups(s)) },
    };
}
