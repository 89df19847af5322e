/**
 * The LLM gateway's routes and teams, generated — never hand-written — from the two sources of truth:
 * the model catalogue (workloads/models/models.yaml: one vLLM server per entry and environment) plus the KServe
 * predictor (workloads/base/kserve), and the stack file's `aiplatform:gateway.teams`. tools/workloads/generate.ts
 * writes the result under workloads/overlays/<stack>/generated/llm-gateway/ (LiteLLM proxy config as a HelmRelease
 * values patch, team key ExternalSecrets, the client NetworkPolicy, the team limits the key sync applies).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { Environment, SpokeConfig } from "../../config/schema";
import { gatewayKeyName } from "../../components/secrets";
import { type ModelEntry, resolveModel, WORKLOADS_DIR } from "./models";

export const GATEWAY_NAMESPACE = "llm-gateway";
/** Service (and Deployment) name: the chart's fullnameOverride. */
export const GATEWAY_SERVICE = "llm-gateway";
export const GATEWAY_PORT = 4000;
export const GATEWAY_URL = `http://${GATEWAY_SERVICE}.${GATEWAY_NAMESPACE}.svc.cluster.local:${GATEWAY_PORT}/v1`;
/** Secret (key `api-key`) a team's namespaces receive; the contract in README "LLM gateway". */
export const TEAM_KEY_SECRET = "llm-gateway-key";
const SERVING_NAMESPACE = "ai-serving";
const KSERVE_FILE = path.join(WORKLOADS_DIR, "base/kserve/inferenceservice.yaml");

export interface Route {
    /** `model` clients send (the served model name). */
    model: string;
    /** What serves it: the catalogue entry (vLLM) or the InferenceService (KServe). */
    source: { kind: "vllm"; entry: string } | { kind: "kserve"; inferenceService: string };
    /** OpenAI base URL of the server, in cluster. */
    apiBase: string;
    /** Requests in flight the gateway allows at this server before it counts as saturated (429 → fallback). */
    maxParallelRequests: number;
    /** Internal price per million tokens (USD), what team budgets are charged. */
    price: { input: number; output: number };
    /** Served model name this route falls back to. */
    fallback?: string;
}

/** The KServe predictor's route, read from its InferenceService (name, `--model_name`, price annotations). */
export function kserveRoute(file = KSERVE_FILE): Route {
    const isvc = YAML.parse(fs.readFileSync(file, "utf8"));
    const args: string[] = isvc.spec.predictor.model.args ?? [];
    const model = args.find((a) => a.startsWith("--model_name="))?.split("=")[1];
    const ann: Record<string, string> = isvc.metadata.annotations ?? {};
    const price = (k: string) => Number(ann[`aiplatform.io/gateway-price-${k}-per-million-tokens`]);
    const rel = path.relative(path.resolve(WORKLOADS_DIR, ".."), file);
    if (!model) throw new Error(`${rel}: the predictor has no --model_name argument, so the gateway cannot route to it`);
    if (!Number.isFinite(price("input")) || !Number.isFinite(price("output"))) {
        throw new Error(`${rel}: annotations aiplatform.io/gateway-price-{input,output}-per-million-tokens must be numbers (team budgets are charged at them)`);
    }
    return {
        model,
        source: { kind: "kserve", inferenceService: isvc.metadata.name },
        // Standard (raw) mode: Service <name>-predictor on port 80; the Hugging Face server's OpenAI API is under /openai.
        apiBase: `http://${isvc.metadata.name}-predictor.${SERVING_NAMESPACE}.svc.cluster.local/openai/v1`,
        maxParallelRequests: Number(ann["aiplatform.io/gateway-max-parallel-requests"] ?? 32),
        price: { input: price("input"), output: price("output") },
    };
}

/** Every route of one environment and the problems that make it unroutable, each naming file and key. */
export function gatewayRoutes(catalogue: ModelEntry[], env: Environment, kserve: Route = kserveRoute()): { routes: Route[]; problems: string[] } {
    const routes: Route[] = [];
    const problems: string[] = [];
    for (const entry of catalogue) {
        const m = resolveModel(entry, env);
        if (!m) continue;
        if (!entry.gateway) {
            problems.push(`workloads/models/models.yaml: model ${entry.name}: gateway = (not set): every served model needs gateway.pricePerMillionTokens (team budgets are charged at it)`);
            continue;
        }
        routes.push({
            model: m.servedModelName,
            source: { kind: "vllm", entry: m.name },
            apiBase: `http://vllm-${m.name}.${SERVING_NAMESPACE}.svc.cluster.local:8000/v1`,
            // Per replica × the most replicas the autoscaler may run.
            maxParallelRequests: entry.gateway.maxParallelRequests * m.maxReplicas,
            price: entry.gateway.pricePerMillionTokens,
            fallback: entry.gateway.fallback,
        });
    }
    routes.push(kserve);
    const names = routes.map((r) => r.model);
    for (const n of new Set(names.filter((n, i) => names.indexOf(n) !== i))) problems.push(`two servers in ${env} answer to model ${n}: the gateway could not tell them apart`);
    for (const r of routes) {
        if (!r.fallback) continue;
        const at = `workloads/models/models.yaml: model ${r.source.kind === "vllm" ? r.source.entry : r.model}: gateway.fallback = ${r.fallback}`;
        if (r.fallback === r.model) problems.push(`${at}: falls back to itself`);
        else if (!names.includes(r.fallback)) problems.push(`${at}: no server answers to that model in ${env} (routes: ${names.join(", ")})`);
        else if (routes.find((o) => o.model === r.fallback)?.fallback === r.model) problems.push(`${at}: the two models fall back to each other`);
    }
    return { routes, problems };
}

/** LiteLLM's proxy config (gateway.config.proxy_config of the chart) for these routes. */
export function proxyConfig(routes: Route[]): Record<string, unknown> {
    return {
        model_list: routes.map((r) => ({
            model_name: r.model,
            litellm_params: {
                model: `hosted_vllm/${r.model}`,
                api_base: r.apiBase,
                // vLLM checks the shared bearer key (ESO Secret vllm-api-key); the KServe predictor has none.
                ...(r.source.kind === "vllm" ? { api_key: "os.environ/VLLM_API_KEY" } : {}),
                max_parallel_requests: r.maxParallelRequests,
                timeout: 600,
                stream_timeout: 120,
            },
            // toPrecision: 0.05 / 1e6 would print as 5.0000000000000004e-8.
            model_info: { input_cost_per_token: Number((r.price.input / 1e6).toPrecision(6)), output_cost_per_token: Number((r.price.output / 1e6).toPrecision(6)) },
        })),
        router_settings: {
            fallbacks: routes.filter((r) => r.fallback).map((r) => ({ [r.model]: [r.fallback] })),
            num_retries: 2,
            // A server failing 3 times in a minute is cooled down for 30 s: its traffic goes to the fallback meanwhile.
            allowed_fails: 3,
            cooldown_time: 30,
        },
        litellm_settings: {
            callbacks: ["prometheus"],
            request_timeout: 600,
            // The client's x-* headers (e.g. x-team, the A/B cohort of Flagger's `ab` rollouts) reach our own vLLM
            // servers; LiteLLM never forwards Authorization this way, so team keys stay at the gateway.
            model_group_settings: { forward_client_headers_to_llm_api: routes.filter((r) => r.source.kind === "vllm").map((r) => r.model) },
        },
        general_settings: {
            master_key: "os.environ/LITELLM_MASTER_KEY",
            // Keys and teams live in PostgreSQL, registered by the key sync from Key Vault; models only in this file.
            store_model_in_db: false,
            background_health_checks: true,
            health_check_interval: 60,
        },
    };
}

export interface TeamLimits {
    team_id: string;
    rpm_limit: number;
    tpm_limit: number;
    max_parallel_requests: number;
    max_budget: number;
    budget_duration: string;
}

/** What the key sync applies per team (LiteLLM /team/new|update fields), from aiplatform:gateway.teams. */
export function teamLimits(cfg: SpokeConfig): TeamLimits[] {
    return cfg.gateway.teams.map((t) => ({
        team_id: t.name,
        rpm_limit: t.rpm,
        tpm_limit: t.tpm,
        max_parallel_requests: t.maxParallelRequests,
        max_budget: t.budget.usd,
        budget_duration: t.budget.period,
    }));
}

type Obj = Record<string, unknown>;

function externalSecret(name: string, namespace: string, data: { secretKey: string; key: string }[]): Obj {
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name, namespace },
        spec: {
            refreshInterval: "1h",
            secretStoreRef: { kind: "ClusterSecretStore", name: "azure-key-vault" },
            target: { name, creationPolicy: "Owner" },
            data: data.map((d) => ({ secretKey: d.secretKey, remoteRef: { key: d.key } })),
        },
    };
}

/** The team objects of one cluster: every team's key for the key sync, each team's key in its namespaces, limits, client policy. */
export function teamObjects(cfg: SpokeConfig): Obj[] {
    const teams = cfg.gateway.teams;
    const objs: Obj[] = [
        externalSecret(
            "llm-gateway-team-keys",
            GATEWAY_NAMESPACE,
            teams.map((t) => ({ secretKey: t.name, key: gatewayKeyName(t.name) })),
        ),
    ];
    for (const t of teams) {
        for (const ns of t.namespaces) {
            objs.push(externalSecret(TEAM_KEY_SECRET, ns, [{ secretKey: "api-key", key: gatewayKeyName(t.name) }]));
            // The caller's side of the flow: its namespace's default deny would drop it.
            objs.push({
                apiVersion: "networking.k8s.io/v1",
                kind: "NetworkPolicy",
                metadata: { name: "allow-llm-gateway", namespace: ns },
                spec: {
                    podSelector: {},
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": GATEWAY_NAMESPACE } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "litellm" } } }],
                            ports: [{ protocol: "TCP", port: GATEWAY_PORT }],
                        },
                    ],
                },
            });
        }
    }
    objs.push({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "llm-gateway-teams", namespace: GATEWAY_NAMESPACE },
        data: { "teams.json": JSON.stringify(teamLimits(cfg), null, 2) + "\n" },
    });
    const clients = [...new Set(teams.flatMap((t) => t.namespaces))].sort();
    // With the Istio add-on (stg/prd) the same flow is an AuthorizationPolicy rule (tools/gitops/mesh.ts checks the pair).
    if (clients.length && cfg.aks.serviceMesh) {
        objs.push({
            apiVersion: "security.istio.io/v1",
            kind: "AuthorizationPolicy",
            metadata: { name: "llm-gateway-clients", namespace: GATEWAY_NAMESPACE },
            spec: {
                selector: { matchLabels: { "app.kubernetes.io/name": "litellm" } },
                action: "ALLOW",
                rules: [{ from: [{ source: { namespaces: clients } }], to: [{ operation: { ports: [String(GATEWAY_PORT)] } }] }],
            },
        });
    }
    // No team, no client: the base policy's default deny stands (an `In` with no values is invalid).
    if (clients.length) objs.push({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "llm-gateway-clients", namespace: GATEWAY_NAMESPACE },
        spec: {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "litellm" } },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: clients }] } }],
                    ports: [{ protocol: "TCP", port: GATEWAY_PORT }],
                },
            ],
        },
    });
    return objs;
}
