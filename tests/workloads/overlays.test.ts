/**
 * The rendered AI overlays (what Flux applies in the `ai` layer): GPU scheduling matches each environment's pool
 * facts, PromQL parses and uses only catalogued metrics, dashboards and runbooks are in order, and secrets and
 * identities are wired. Each check is also shown to catch one mutation of a compliant object.
 */
import * as path from "path";
import { dashboardProblems, notebookProfileProblems, type Obj, podSpecs, profileSpecs, promqlProblems, runbookProblems, schedulingProblems, wiringProblems } from "../../tools/workloads/checks";
import { stackFacts } from "../../tools/workloads/scheduling";
import { regionCode } from "../../config/naming";
import { find, rendered, STACKS } from "./render";

const ROOT = path.resolve(__dirname, "../..");
const clone = <T>(v: T): T => structuredClone(v);
const acrOf = (facts: ReturnType<typeof stackFacts>) => `cr${facts.config.namePrefix}${facts.config.environment}${regionCode(facts.config.location)}.azurecr.io/`;

describe.each(STACKS)("workloads/overlays/%s", (stack) => {
    let objects: Obj[];
    const facts = stackFacts(stack);
    beforeAll(async () => {
        objects = await rendered(stack);
    });

    it("renders the AI stack", () => {
        const kinds = new Set(objects.map((o) => o.kind));
        for (const k of ["Deployment", "InferenceService", "HelmRelease", "Cluster", "WorkflowTemplate", "PrometheusRule", "ExternalSecret", "NetworkPolicy", "ResourceQuota", "ScaledObject", "PodDisruptionBudget", "PodMonitor"]) {
            expect(kinds).toContain(k);
        }
    });

    it("GPU workloads carry tolerations, affinity and resources of this environment's pools", () => {
        expect(schedulingProblems(objects, facts.pools)).toEqual([]);
    });

    it("PromQL in rules, dashboards, Flagger and KEDA parses and uses catalogued metrics", () => {
        expect(promqlProblems(objects)).toEqual([]);
    });

    it("dashboards are valid JSON with unique uids and substitution disabled", () => {
        expect(dashboardProblems(objects)).toEqual([]);
        const uids = objects.filter((o) => o.metadata.labels?.grafana_dashboard === "1").flatMap((o) => Object.values(o.data ?? {}).map((t) => JSON.parse(t).uid));
        expect(uids.sort()).toEqual(["ai-cost-namespace", "ai-error-budgets", "ai-gpu-usage", "ai-inference-latency", "ai-llm-gateway", "ai-platform-health"]);
    });

    it("every alert has a runbook heading in docs/runbooks/alerts", () => {
        expect(runbookProblems(objects, ROOT)).toEqual([]);
    });

    it("secrets come from Key Vault through ESO; identities and ${vars} come from cluster-vars", () => {
        expect(wiringProblems(objects)).toEqual([]);
    });

    it("every pod spec runs as non-root with the restricted security context", () => {
        const aiNamespaces = new Set(["ai-serving", "mlflow", "qdrant", "argo"]);
        for (const o of objects.filter((x) => aiNamespaces.has(x.metadata.namespace ?? ""))) {
            for (const { at, spec } of podSpecs(o)) {
                if (o.kind === "WorkflowTemplate" || o.kind === "CronWorkflow") continue; // workflow-level securityContext, checked below
                expect([`${o.kind} ${o.metadata.name} ${at}`, spec.securityContext?.runAsNonRoot]).toEqual([`${o.kind} ${o.metadata.name} ${at}`, true]);
                for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
                    expect([o.metadata.name, c.name, c.securityContext?.allowPrivilegeEscalation, c.securityContext?.capabilities?.drop]).toEqual([o.metadata.name, c.name, false, ["ALL"]]);
                }
            }
        }
        for (const o of objects.filter((x) => x.kind === "WorkflowTemplate")) expect(o.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    });

    it("images come through the stack's ACR, pinned", () => {
        const acr = acrOf(facts);
        for (const o of objects) for (const { spec } of podSpecs(o)) for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) if (c.image) expect(c.image.startsWith(acr)).toBe(true);
        expect(find(objects, "Cluster", "mlflow-db", "mlflow").spec.imageName).toBe(`${acr}ghcr.io/cloudnative-pg/postgresql:17.5`);
    });

    it("model servers use the model-loader workload identity from cluster-vars", () => {
        expect(find(objects, "ServiceAccount", "model-loader", "ai-serving").metadata.annotations).toEqual({ "azure.workload.identity/client-id": "${model_loader_client_id}" });
        for (const d of objects.filter((o) => o.kind === "Deployment" && o.metadata.name.startsWith("vllm-"))) {
            expect([d.metadata.name, d.spec.template.spec.serviceAccountName, d.spec.template.metadata.labels["azure.workload.identity/use"]]).toEqual([d.metadata.name, "model-loader", "true"]);
        }
        expect(find(objects, "HelmRelease", "mlflow", "flux-system").spec.values.serviceAccount).toMatchObject({ name: "mlflow", annotations: { "azure.workload.identity/client-id": "${mlflow_client_id}" } });
    });

    it("JupyterHub offers per team a CPU profile and one per NVIDIA pool, each scheduled as the pool facts say", () => {
        const hub = find(objects, "HelmRelease", "jupyterhub", "flux-system");
        const specs = profileSpecs(hub);
        const nvidia = facts.pools.filter((p) => p.gpu?.vendor === "nvidia");
        expect(specs.map((p) => [p.namespace, p.spec.serviceAccountName])).toEqual(facts.config.rbac.developerNamespaces.flatMap((ns) => Array(1 + nvidia.length).fill([ns, "notebook"])));
        const gpu = specs.filter((p) => Object.keys(p.spec.containers[0].resources.limits).length);
        expect(gpu.map((p) => [p.spec.nodeSelector["aiplatform.io/pool"], Object.keys(p.spec.containers[0].resources.limits)[0]])).toEqual(
            facts.config.rbac.developerNamespaces.flatMap(() => nvidia.map((pool) => [pool.name, pool.gpu!.resourceName])),
        );
        expect(notebookProfileProblems(objects, facts.pools)).toEqual([]);
    });

    it("feature store: online store sized per environment; servers and pipeline share one repository and the ESO password", () => {
        const instances = { dev: 1, stg: 2, prd: 3 }[facts.config.environment as "dev" | "stg" | "prd"];
        expect(find(objects, "Cluster", "feast-online", "feature-store").spec.instances).toBe(instances);
        const repo = find(objects, "ConfigMap", "feast-repo", "feature-store").data!;
        expect(find(objects, "ConfigMap", "feast-repo", "argo").data).toEqual(repo);
        expect(repo["feature_store.yaml"]).toContain("registry_type: sql");
        expect(repo["features.py"]).toContain('FeatureService(name="churn_model_v1"');
        const users = [find(objects, "Deployment", "feast-feature-server", "feature-store"), find(objects, "Deployment", "feast-registry-server", "feature-store"), find(objects, "WorkflowTemplate", "train-with-features", "argo")];
        for (const o of users) {
            for (const { spec } of podSpecs(o)) {
                const c = spec.containers[0];
                expect([o.metadata.name, c.image, c.env.find((e: any) => e.name === "FEAST_DB_PASSWORD").valueFrom.secretKeyRef.name]).toEqual([o.metadata.name, `${acrOf(facts)}quay.io/feastdev/feature-server:0.66.0`, "feast-db-credentials"]);
            }
        }
        expect(find(objects, "WorkflowTemplate", "train-with-features", "argo").spec.arguments.parameters[0]).toEqual({ name: "feature-service", value: "churn_model_v1" });
    });

    it("caps GPU requests in ai-serving at what the pools can hold", () => {
        const quota = find(objects, "ResourceQuota", "gpu", "ai-serving").spec.hard;
        const expected = Object.fromEntries(
            facts.pools.filter((p) => p.gpu).reduce((m, p) => m.set(`requests.${p.gpu!.resourceName}`, String(Number(m.get(`requests.${p.gpu!.resourceName}`) ?? 0) + p.maxCount * p.gpu!.resourcesPerNode)), new Map<string, string>()),
        );
        expect(quota).toEqual(expected);
    });
});

describe("environment-specific shape", () => {
    it("dev serves the AWQ model on the T4 spot pool with a plain rollout", async () => {
        const objects = await rendered("dev-uaenorth");
        const d = find(objects, "Deployment", "vllm-llama31-8b", "ai-serving");
        const spec = d.spec.template.spec;
        expect(spec.containers[0].resources.limits["nvidia.com/gpu"]).toBe("1");
        expect(spec.tolerations).toEqual([
            { key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" },
            { key: "kubernetes.azure.com/scalesetpriority", operator: "Equal", value: "spot", effect: "NoSchedule" },
        ]);
        expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]).toEqual({ key: "aiplatform.io/pool", operator: "In", values: ["t4spot"] });
        expect(spec.containers[0].args).toContain("--quantization=awq");
        expect(objects.some((o) => o.kind === "Canary")).toBe(false);
        expect(find(objects, "PersistentVolumeClaim", "vllm-models-llama31-8b", "ai-serving").spec).toMatchObject({ accessModes: ["ReadWriteOnce"], storageClassName: "managed-csi-premium" });
        // Batch steps land on the spot pool, tolerating its taint.
        expect(find(objects, "WorkflowTemplate", "embed-documents", "argo").spec.tolerations).toEqual([{ key: "kubernetes.azure.com/scalesetpriority", operator: "Equal", value: "spot", effect: "NoSchedule" }]);
    });

    it("stg runs the A/B example on H100 MIG 3g.47gb slices: the x-team cohort (or the canary cookie) meets the new version", async () => {
        const objects = await rendered("stg-uaenorth");
        const d = find(objects, "Deployment", "vllm-llama31-8b", "ai-serving");
        expect(d.spec.template.spec.containers[0].resources.limits["nvidia.com/mig-3g.47gb"]).toBe("1");
        const canary = find(objects, "Canary", "vllm-llama31-8b", "ai-serving");
        expect(canary.spec).toMatchObject({ provider: "istio", targetRef: { name: "vllm-llama31-8b" }, service: { name: "vllm-llama31-8b", port: 8000 }, analysis: { iterations: 10 } });
        expect(canary.spec.analysis.match).toEqual([{ headers: { "x-team": { exact: "team-nlp" } } }, { headers: { cookie: { regex: "^(.*?;)?(aiplatform-variant=canary)(;.*)?$" } } }]);
        expect(canary.spec.analysis.webhooks.map((w: any) => w.type)).toEqual(["confirm-rollout", "pre-rollout", "rollout"]);
        // The load tester sends the cohort's header through the mesh route, not to the canary Service directly.
        const load = canary.spec.analysis.webhooks.find((w: any) => w.name === "load");
        expect(load.metadata.cmd).toContain('-H "x-team: team-nlp"');
        expect(load.metadata.cmd).toContain("http://vllm-llama31-8b.ai-serving:8000/v1/completions");
        // Flagger owns the model Services: the overlay must not ship one.
        expect(objects.some((o) => o.kind === "Service" && o.metadata.name === "vllm-llama31-8b")).toBe(false);
        expect(find(objects, "InferenceService", "llama31-8b-hf", "ai-serving").spec.predictor.model.resources.limits["nvidia.com/mig-3g.47gb"]).toBe("1");
    });

    it("prd runs canaries, the ROCm model on the MI300X pool, and HA data services", async () => {
        const objects = await rendered("prd-uaenorth");
        const rocm = find(objects, "Deployment", "vllm-llama31-70b-rocm", "ai-serving").spec.template.spec;
        expect(rocm.containers[0].image).toBe("craipprduaen.azurecr.io/docker.io/vllm/vllm-openai-rocm:v0.23.0");
        expect(rocm.containers[0].resources.limits["amd.com/gpu"]).toBe("1");
        expect(rocm.tolerations).toEqual([{ key: "amd.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" }]);
        const canary = find(objects, "Canary", "vllm-llama31-8b", "ai-serving");
        // Weighted canary in the Istio mesh: real traffic in 10 % steps up to half, gated by the same metrics; the
        // VirtualService Flagger manages carries the hosts NGINX forwards (internal and public API).
        expect(canary.spec).toMatchObject({ provider: "istio", service: { name: "vllm-llama31-8b", hosts: ["vllm-llama31-8b", "llama31-8b.${internal_dns_zone}", "api.${environment}.${dns_zone}"] } });
        expect(canary.spec.analysis).toMatchObject({ stepWeight: 10, maxWeight: 50 });
        expect(canary.spec.analysis.iterations).toBeUndefined();
        expect(canary.spec.analysis.metrics.map((m: any) => m.templateRef.name)).toEqual(["vllm-success-rate", "vllm-e2e-latency-p95", "vllm-ttft-p95"]);
        // No replica-ratio Service any more: Flagger generates the apex, primary and canary Services.
        expect(objects.some((o) => o.kind === "Service" && o.metadata.name.startsWith("vllm-llama31-8b"))).toBe(false);
        expect(find(objects, "Cluster", "mlflow-db", "mlflow").spec.instances).toBe(3);
        expect(find(objects, "ScaledObject", "vllm-llama31-8b", "ai-serving").spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 4 });
    });
});

describe("checks catch one mutation each", () => {
    let prd: Obj[];
    const pools = stackFacts("prd-uaenorth").pools;
    beforeAll(async () => {
        prd = await rendered("prd-uaenorth");
    });
    const vllm = () => clone(find(prd, "Deployment", "vllm-llama31-8b", "ai-serving"));

    it("a missing GPU toleration", () => {
        const d = vllm();
        d.spec.template.spec.tolerations = [];
        expect(schedulingProblems([d], pools)).toEqual(["Deployment ai-serving/vllm-llama31-8b spec.template.spec: does not tolerate taint nvidia.com/gpu=present:NoSchedule of pool h100"]);
    });

    it("a GPU resource no pool offers", () => {
        const d = vllm();
        const c = d.spec.template.spec.containers[0];
        delete c.resources.limits["nvidia.com/mig-3g.47gb"];
        delete c.resources.requests["nvidia.com/mig-3g.47gb"];
        c.resources.limits["nvidia.com/gpu"] = "1";
        expect(schedulingProblems([d], pools)[0]).toMatch(/requests nvidia.com\/gpu but no pool of this environment offers it \(pools: h100=nvidia.com\/mig-3g.47gb, mi300x=amd.com\/gpu\)/);
    });

    it("affinity to the wrong pool", () => {
        const d = vllm();
        d.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values = ["mi300x"];
        expect(schedulingProblems([d], pools)).toEqual(["Deployment ai-serving/vllm-llama31-8b spec.template.spec: node affinity allows pool mi300x, which does not offer nvidia.com/mig-3g.47gb"]);
    });

    it("a notebook profile that disagrees with the pool facts", () => {
        const hub = clone(find(prd, "HelmRelease", "jupyterhub", "flux-system"));
        const mig = hub.spec.values.singleuser.profileList.find((p: any) => p.slug === "team-nlp-h100").kubespawner_override;
        // The pool facts change (a whole-GPU pool) while the profile still asks for a MIG slice and tolerates nothing.
        const wholeGpu = pools.map((p) => (p.name === "h100" ? { ...p, gpu: { ...p.gpu!, migSlice: undefined, resourceName: "nvidia.com/gpu" } } : p));
        mig.tolerations = [];
        expect(notebookProfileProblems([hub], wholeGpu)).toEqual([
            "HelmRelease flux-system/jupyterhub spec.values.singleuser.profileList[team-nlp-h100]: requests nvidia.com/mig-3g.47gb but no pool of this environment offers it (pools: h100=nvidia.com/gpu, mi300x=amd.com/gpu)",
        ]);
        expect(notebookProfileProblems([hub], pools)).toEqual(["HelmRelease flux-system/jupyterhub spec.values.singleuser.profileList[team-nlp-h100]: does not tolerate taint nvidia.com/gpu=present:NoSchedule of pool h100"]);
    });

    it("a PromQL syntax error and an unknown or deprecated metric", () => {
        const rule = clone(find(prd, "PrometheusRule", "ai-serving", "monitoring"));
        const r = rule.spec.groups.find((g: any) => g.name === "ai-serving").rules[0];
        r.expr = "sum(rate(http_requests_total[5m])";
        expect(promqlProblems([rule]).some((p) => p.includes("ai-serving/VllmHighErrorRate: syntax error"))).toBe(true);
        r.expr = "vllm:gpu_cache_usage_perc > 0.9";
        expect(promqlProblems([rule])).toContain("PrometheusRule monitoring/ai-serving ai-serving/VllmHighErrorRate: vllm:gpu_cache_usage_perc is deprecated (renamed vllm:kv_cache_usage_perc in vLLM 0.9, hidden then removed)");
        r.expr = "vllm:num_requests_queued > 1";
        expect(promqlProblems([rule])).toContain(
            "PrometheusRule monitoring/ai-serving ai-serving/VllmHighErrorRate: metric vllm:num_requests_queued is not in the metric catalogue (tools/workloads/metrics-catalogue.ts) nor a recording rule",
        );
    });

    it("a dashboard with a duplicate uid or broken JSON", () => {
        const cm = clone(find(prd, "ConfigMap", "dashboard-ai-gpu-usage", "monitoring"));
        const twin = clone(cm);
        twin.metadata.name = "twin";
        expect(dashboardProblems([cm, twin])).toEqual(["ConfigMap monitoring/twin ai-gpu-usage.json: uid ai-gpu-usage also used by ConfigMap monitoring/dashboard-ai-gpu-usage ai-gpu-usage.json"]);
        cm.data!["ai-gpu-usage.json"] = "{";
        expect(dashboardProblems([cm])[0]).toMatch(/ai-gpu-usage.json: not valid JSON/);
    });

    it("an alert without a runbook heading", () => {
        const rule = clone(find(prd, "PrometheusRule", "ai-gpu", "monitoring"));
        rule.spec.groups[0].rules[1].annotations.runbook_url = "https://github.com/contoso/aiplatform/blob/main/docs/runbooks/alerts/ai-gpu.md#nosuchalert";
        expect(runbookProblems([rule], ROOT)).toEqual(["PrometheusRule monitoring/ai-gpu ai-gpu/GpuIdleWhilePodsPending: docs/runbooks/alerts/ai-gpu.md has no heading for #nosuchalert"]);
    });

    it("an unknown ${var}, an unsynced secret and an unknown Key Vault key", () => {
        const d = vllm();
        d.metadata.annotations = { note: "${model_client_id}" };
        const es = clone(find(prd, "ExternalSecret", "hf-token", "ai-serving"));
        es.spec.data[0].remoteRef.key = "hf-token-v2";
        const problems = wiringProblems([d, es]);
        expect(problems).toContain("Deployment ai-serving/vllm-llama31-8b: ${model_client_id} is not a cluster-var (components/flux-bootstrap/cluster-vars.ts)");
        expect(problems).toContain("ExternalSecret ai-serving/hf-token: Key Vault secret 'hf-token-v2' is not in KEY_VAULT_SECRETS (document it in README, section workloads)");
        expect(problems).toContain("Deployment ai-serving/vllm-llama31-8b spec.template.spec vllm: secret vllm-api-key is not produced by an ExternalSecret in ai-serving");
    });
});
