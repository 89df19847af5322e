/**
 * The LLM gateway's routes are generated from the model catalogue and the KServe predictor (one source of truth):
 * every served model has exactly one route, every route names a deployed server, fallbacks stay within the
 * environment; team objects follow aiplatform:gateway.teams. Pure functions over the committed inputs (no render).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { Environment } from "../../config/schema";
import { gatewayRoutes, kserveRoute, proxyConfig, teamObjects } from "../../tools/workloads/gateway";
import { catalogueSchema, loadCatalogue, type ModelEntry, resolveModel } from "../../tools/workloads/models";
import { SPOKE_STACKS, stackFacts } from "../../tools/workloads/scheduling";

const catalogue = loadCatalogue();
const envOf = (stack: string) => stackFacts(stack).config.environment as Environment;

const entry = (name: string, served: string, gateway: Record<string, unknown>): ModelEntry =>
    catalogueSchema.parse({
        models: [
            {
                name,
                servedModelName: served,
                vendor: "nvidia",
                gpus: 1,
                source: { huggingface: { repo: "org/m", revision: "abc" } },
                gateway: { pricePerMillionTokens: { input: 1, output: 2 }, ...gateway },
                environments: { stg: { replicas: 1, maxReplicas: 2, rollout: "direct" } },
            },
        ],
    }).models[0];

describe.each(SPOKE_STACKS)("%s: gateway routes", (stack) => {
    const env = envOf(stack);
    const { routes, problems } = gatewayRoutes(catalogue, env);
    const committed = YAML.parse(fs.readFileSync(path.join(__dirname, `../../workloads/overlays/${stack}/generated/llm-gateway/release-values.yaml`), "utf8"));
    const modelList: { model_name: string; litellm_params: { api_base: string } }[] = committed.spec.values.gateway.config.proxy_config.model_list;

    it("routes every model deployed here exactly once, and nothing else", () => {
        expect(problems).toEqual([]);
        const served = catalogue.map((m) => resolveModel(m, env)?.servedModelName).filter(Boolean);
        const expected = [...served, kserveRoute().model].sort();
        expect(modelList.map((m) => m.model_name).sort()).toEqual(expected);
    });

    it("sends each model to its own server (vLLM Service vllm-<name>:8000, KServe predictor)", () => {
        for (const m of catalogue.map((c) => resolveModel(c, env)).filter((m) => m !== undefined)) {
            expect(modelList.find((r) => r.model_name === m.servedModelName)!.litellm_params.api_base).toBe(`http://vllm-${m.name}.ai-serving.svc.cluster.local:8000/v1`);
        }
        expect(modelList.find((r) => r.model_name === "llama-3.1-8b-instruct-hf")!.litellm_params.api_base).toBe("http://llama31-8b-hf-predictor.ai-serving.svc.cluster.local/openai/v1");
    });

    it("falls back only to a model served in the same environment", () => {
        const fallbacks: Record<string, string[]>[] = committed.spec.values.gateway.config.proxy_config.router_settings.fallbacks;
        const names = modelList.map((m) => m.model_name);
        for (const f of fallbacks) for (const [from, to] of Object.entries(f)) expect(names).toEqual(expect.arrayContaining([from, ...to]));
        expect(fallbacks).toContainEqual({ "llama-3.1-8b-instruct": ["llama-3.1-8b-instruct-hf"] });
        expect(proxyConfig(routes)).toEqual(committed.spec.values.gateway.config.proxy_config);
        // A/B cohorts (x-team) reach the vLLM servers Flagger routes on.
        expect(committed.spec.values.gateway.config.proxy_config.litellm_settings.model_group_settings.forward_client_headers_to_llm_api).toEqual(
            routes.filter((r) => r.source.kind === "vllm").map((r) => r.model),
        );
    });
});

describe("gateway routes refuse what the gateway could not serve", () => {
    const kserve = kserveRoute();

    it("a fallback to a model not deployed in the environment names the entry, the key and the routes", () => {
        const { problems } = gatewayRoutes([entry("m", "m-served", { fallback: "nowhere" })], "stg", kserve);
        expect(problems).toEqual([`workloads/models/models.yaml: model m: gateway.fallback = nowhere: no server answers to that model in stg (routes: m-served, ${kserve.model})`]);
    });

    it("two models falling back to each other, or one to itself", () => {
        const a = entry("a", "a-served", { fallback: "b-served" });
        const b = entry("b", "b-served", { fallback: "a-served" });
        expect(gatewayRoutes([a, b], "stg", kserve).problems).toContain("workloads/models/models.yaml: model a: gateway.fallback = b-served: the two models fall back to each other");
        expect(gatewayRoutes([entry("c", "c-served", { fallback: "c-served" })], "stg", kserve).problems).toEqual(["workloads/models/models.yaml: model c: gateway.fallback = c-served: falls back to itself"]);
    });

    it("a served model without its gateway block", () => {
        const m = entry("f", "f-served", {});
        delete (m as { gateway?: unknown }).gateway;
        expect(gatewayRoutes([m], "stg", kserve).problems).toEqual([
            "workloads/models/models.yaml: model f: gateway = (not set): every served model needs gateway.pricePerMillionTokens (team budgets are charged at it)",
        ]);
    });

    it("two servers answering to one model name", () => {
        expect(gatewayRoutes([entry("d", kserve.model, {})], "stg", kserve).problems).toEqual([`two servers in stg answer to model ${kserve.model}: the gateway could not tell them apart`]);
    });

    it("saturation threshold scales with the replicas the autoscaler may run", () => {
        const r = gatewayRoutes([entry("e", "e-served", { maxParallelRequests: 10 })], "stg", kserve).routes.find((x) => x.model === "e-served")!;
        expect(r.maxParallelRequests).toBe(20);
        expect(proxyConfig([r]).model_list).toEqual([
            {
                model_name: "e-served",
                litellm_params: { model: "hosted_vllm/e-served", api_base: "http://vllm-e.ai-serving.svc.cluster.local:8000/v1", api_key: "os.environ/VLLM_API_KEY", max_parallel_requests: 20, timeout: 600, stream_timeout: 120 },
                model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 },
            },
        ]);
    });
});

describe("gateway teams (aiplatform:gateway.teams)", () => {
    const cfg = stackFacts("prd-uaenorth").config;
    const objs = teamObjects(cfg) as any[];

    it("gives the key sync every team's key and limits, and each team's namespaces their key and a way out to the gateway", () => {
        const all = objs.find((o) => o.kind === "ExternalSecret" && o.metadata.name === "llm-gateway-team-keys");
        expect(all.metadata.namespace).toBe("llm-gateway");
        expect(all.spec.data).toEqual(cfg.gateway.teams.map((t) => ({ secretKey: t.name, remoteRef: { key: `llm-gateway-key-${t.name}` } })));
        for (const t of cfg.gateway.teams) {
            for (const ns of t.namespaces) {
                const es = objs.find((o) => o.kind === "ExternalSecret" && o.metadata.namespace === ns);
                expect(es.spec).toMatchObject({ target: { name: "llm-gateway-key" }, data: [{ secretKey: "api-key", remoteRef: { key: `llm-gateway-key-${t.name}` } }] });
                expect(objs.find((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === ns).spec.egress[0].ports).toEqual([{ protocol: "TCP", port: 4000 }]);
            }
        }
        const limits = JSON.parse(objs.find((o) => o.kind === "ConfigMap").data["teams.json"]);
        expect(limits[0]).toEqual({ team_id: "rag", rpm_limit: 3000, tpm_limit: 2000000, max_parallel_requests: 32, max_budget: 2000, budget_duration: "30d" });
    });

    it("admits on port 4000 the teams' namespaces only", () => {
        const np = objs.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "llm-gateway-clients");
        expect(np.spec.ingress).toEqual([
            { from: [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["argo", "rag"] }] } }], ports: [{ protocol: "TCP", port: 4000 }] },
        ]);
        expect(teamObjects({ ...cfg, gateway: { teams: [] } }).filter((o) => o.kind === "NetworkPolicy")).toEqual([]);
    });
});

describe.each(SPOKE_STACKS)("%s: batch endpoint", (stack) => {
    it("llm-batch sends offline jobs through the gateway as a team whose key reaches the argo namespace", () => {
        const tpl = YAML.parse(fs.readFileSync(path.join(__dirname, "../../workloads/base/pipelines/llm-batch.yaml"), "utf8"));
        const env = Object.fromEntries(tpl.spec.templates[0].script.env.map((e: any) => [e.name, e.value ?? e.valueFrom.secretKeyRef]));
        expect(env.GATEWAY_URL).toBe("http://llm-gateway.llm-gateway.svc.cluster.local:4000");
        expect(env.OPENAI_API_KEY).toEqual({ name: "llm-gateway-key", key: "api-key" });
        expect(stackFacts(stack).config.gateway.teams.filter((t) => t.namespaces.includes("argo")).map((t) => t.name)).toEqual(["batch"]);
    });
});

describe("gateway release", () => {
    it("counts team limits across replicas in its own Valkey and keeps the contract's Service name", () => {
        const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(__dirname, "../../workloads/base/llm-gateway/release.yaml"), "utf8")).map((d) => d.toJS());
        const values = docs.find((d) => d.kind === "HelmRelease").spec.values;
        expect(values.fullnameOverride).toBe("llm-gateway");
        expect(values.redis).toEqual({ host: "llm-gateway-redis.llm-gateway.svc", port: 6379, passwordSecret: { name: "llm-gateway-redis", passwordKey: "password" } });
        expect(values.gateway.hpa).toMatchObject({ enabled: true, minReplicas: 2 });
        expect(values.gateway.pdb).toEqual({ enabled: true, minAvailable: 1 });
    });
});

