/**
 * The order model (tools/gitops/order.ts): on the real tree every CRD kind and webhook-admitted object is behind a
 * dependsOn chain to what installs it; removing one dependsOn (the tree before issue 15 §2) or moving an object into
 * its installer's layer is an error naming the object and the reason. The vendored chart facts are fresh.
 */
import type { Located } from "../../tools/gitops/checks";
import { GENERATED_SECRETS } from "../../components/secrets";
import { KEY_VAULT_SECRETS } from "../../tools/workloads/checks";
import { CHART_FACTS_FILE, layerTimingProblems, loadChartFacts, orderProblems, plural } from "../../tools/gitops/order";
import { type Rendered, releaseChart, renderCluster, validateRendered } from "../../tools/gitops/validate";
import { FLUX_LAYERS } from "../../components/flux-bootstrap/layers";

const STACK = "dev-uaenorth";
let cluster: Promise<Rendered[]> | undefined;
/** A private copy of dev's rendered layers (the render cache is shared). */
const layers = async () => structuredClone(await (cluster ??= renderCluster(STACK)));
const errorsOf = async (ls: Rendered[]) => (await validateRendered(STACK, ls, { policy: false, egress: false })).flatMap((r) => r.errors);
const release = (ls: Rendered[], name: string) => ls.flatMap((l) => l.objects).find((o) => o.kind === "HelmRelease" && o.metadata.name === name)!;
const order = (ls: Rendered[]) => {
    const located: Located[] = ls.flatMap((l) => l.objects.map((obj) => ({ layer: l.layer, obj })));
    const all = located.map((l) => l.obj);
    return orderProblems(located, FLUX_LAYERS, loadChartFacts(), (hr) => releaseChart(hr, all));
};

describe("order model on dev's rendered tree", () => {
    test("no object is applied before what installs its CRD or webhook", async () => {
        expect(order(await layers()).errors).toEqual([]);
    });

    test.each(["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"])("every HelmRelease of %s has vendored chart facts (no release is left unchecked)", async (stack) => {
        const ls = await renderCluster(stack);
        const located: Located[] = ls.flatMap((l) => l.objects.map((obj) => ({ layer: l.layer, obj })));
        const all = located.map((l) => l.obj);
        const r = orderProblems(located, FLUX_LAYERS, loadChartFacts(), (hr) => releaseChart(hr, all));
        expect(r.warnings).toEqual([]);
        expect(r.errors).toEqual([]);
    });

    test.each([
        ["kserve", "cert-manager", "HelmRelease flux-system/kserve: order: chart kserve-resources v0.20.0 renders cert-manager.io/Certificate (charts/kserve-resources/files/kserve/resources.yaml); HelmRelease flux-system/cert-manager installs the CRD of cert-manager.io/Certificate"],
        ["cloudnative-pg", "kube-prometheus-stack", "HelmRelease flux-system/cloudnative-pg: order: chart cloudnative-pg 0.29.0 renders monitoring.coreos.com/PodMonitor (charts/cloudnative-pg/templates/podmonitor.yaml, values monitoring.podMonitorEnabled); HelmRelease flux-system/kube-prometheus-stack installs the CRD of monitoring.coreos.com/PodMonitor"],
        ["argo-workflows", "kube-prometheus-stack", "HelmRelease flux-system/argo-workflows: order: chart argo-workflows 1.0.18 renders monitoring.coreos.com/ServiceMonitor"],
    ])("removing %s's dependsOn %s fails validation, naming the release and the reason", async (name, dep, expected) => {
        const ls = await layers();
        const hr = release(ls, name);
        hr.spec.dependsOn = hr.spec.dependsOn.filter((d: { name: string }) => d.name !== dep);
        const errors = await errorsOf(ls);
        const hit = errors.find((e) => e.startsWith(expected));
        expect(hit).toBeDefined();
        expect(hit).toContain(`add spec.dependsOn [{name: ${dep}}]`);
    });

    test("Argo's ServiceMonitor is capability-gated: the message says it would be silently skipped", async () => {
        const ls = await layers();
        release(ls, "argo-workflows").spec.dependsOn = [];
        expect(order(ls).errors.map((p) => p.message).join("\n")).toContain("silently skips it while the CRD is missing");
    });

    test("KServe's webhook admits InferenceServices: they need the kserve release, not only the CRD release", async () => {
        const ls = await layers();
        // Move the InferenceService into the layer that installs KServe: same layer, so Flux's dry-run fails.
        const ai = ls.find((l) => l.layer === "models")!;
        const isvc = ai.objects.find((o) => o.kind === "InferenceService")!;
        ai.objects = ai.objects.filter((o) => o !== isvc);
        ls.find((l) => l.layer === "infra-controllers")!.objects.push(isvc);
        const located: Located[] = ls.flatMap((l) => l.objects.map((obj) => ({ layer: l.layer, obj })));
        const msgs = orderProblems(located, FLUX_LAYERS, loadChartFacts(), (hr) => releaseChart(hr, located.map((x) => x.obj))).errors.map((p) => p.message);
        expect(msgs).toContain(
            `InferenceService ai-serving/${isvc.metadata.name}: order: HelmRelease flux-system/kserve-crd installs the CRD of serving.kserve.io/InferenceService (chart kserve-crd v0.20.0, https://github.com/kserve/kserve/tree/v0.20.0/charts/kserve-crd) in the same layer (infra-controllers): Flux's dry-run of this object fails until that release is Ready; move the object to a layer that depends on infra-controllers`,
        );
        expect(msgs.some((m) => m.startsWith(`InferenceService ai-serving/${isvc.metadata.name}: order: HelmRelease flux-system/kserve installs the admission webhook for serving.kserve.io/inferenceservices`))).toBe(true);
    });

    test("a kind of a group Kubernetes itself serves needs no CRD (the groups schema validation models)", async () => {
        const ls = await layers();
        const flowSchema = { apiVersion: "flowcontrol.apiserver.k8s.io/v1", kind: "FlowSchema", metadata: { name: "gpu-jobs" }, spec: {} };
        ls.find((l) => l.layer === "infra-controllers")!.objects.push(flowSchema as never);
        expect(order(ls).errors.filter((p) => p.message.includes("FlowSchema"))).toEqual([]);
    });

    test("a CRD kind nothing in the cluster installs is an error", async () => {
        const ls = await layers();
        const facts = structuredClone(loadChartFacts());
        facts.charts = facts.charts.filter((c) => c.chart !== "flagger");
        const located: Located[] = ls.flatMap((l) => l.objects.map((obj) => ({ layer: l.layer, obj })));
        const msgs = orderProblems(located, FLUX_LAYERS, facts, (hr) => releaseChart(hr, located.map((x) => x.obj))).errors.map((p) => p.message);
        expect(msgs.some((m) => /^MetricTemplate ai-serving\/\S+: order: kind flagger\.app\/MetricTemplate comes from a CRD that no release or CRD bundle of this cluster installs/.test(m))).toBe(true);
    });

    test("plural of kinds as webhook rules name them", () => {
        expect([plural("InferenceService"), plural("Policy"), plural("Cluster"), plural("Ingress")]).toEqual(["inferenceservices", "policies", "clusters", "ingresses"]);
    });
});

describe(`vendored chart facts (${CHART_FACTS_FILE})`, () => {
    const facts = loadChartFacts();
    test("are within their refresh horizon (re-run tools/gitops/vendor-chart-facts.ts)", () => {
        const age = (Date.now() - Date.parse(`${facts.retrieved}T00:00:00Z`)) / 86_400_000;
        expect(age).toBeGreaterThanOrEqual(0);
        expect(age).toBeLessThanOrEqual(facts.horizonDays);
    });
    test("every chart names its upstream source at a pinned ref and installs something or renders something", () => {
        for (const c of facts.charts) {
            expect(c.source).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+\/tree\/[^/]+\//);
            // A chart that installs nothing tracked says why (jupyterhub), so an empty entry is never an accident.
            expect([c.chart, c.crds.length + c.webhooks.length + c.creates.length > 0 || !!c.none?.length]).toEqual([c.chart, true]);
        }
        expect(facts.charts.find((c) => c.chart === "kube-prometheus-stack")!.crds).toEqual(expect.arrayContaining(["monitoring.coreos.com/ServiceMonitor", "monitoring.coreos.com/PodMonitor", "monitoring.coreos.com/PrometheusRule"]));
    });
});

describe("Secrets read by Helm lookup at render time", () => {
    test("Qdrant's apiKey.valueFrom (what the tree had) is a lookup before the Secret exists: an error", async () => {
        const ls = await layers();
        const qdrant = release(ls, "qdrant");
        expect(qdrant.spec.values.apiKey).toBeUndefined();
        expect(qdrant.spec.values.env).toEqual([{ name: "QDRANT__SERVICE__API_KEY", valueFrom: { secretKeyRef: { name: "qdrant-api-key", key: "api-key" } } }]);
        qdrant.spec.values.apiKey = { valueFrom: { secretKeyRef: { name: "qdrant-api-key", key: "api-key" } } };
        const msgs = order(ls).errors.map((p) => p.message);
        expect(msgs).toEqual([
            "HelmRelease flux-system/qdrant: order: with values apiKey.valueFrom, chart qdrant 1.19.0 reads a Secret by Helm lookup at render time (charts/qdrant/templates/_helpers.tpl): on the first install it does not exist yet (the release starts without it) and later changes never reach the release; deliver it through env[].valueFrom instead (https://github.com/qdrant/qdrant-helm/tree/qdrant-1.19.0/charts/qdrant)",
        ]);
    });
});

describe("model servers and secrets a person adds hold no layer back (issue 15 §13)", () => {
    test("a model server in the ai layer (where they were) is an error: its cold start outlasts the layer's timeout", async () => {
        const ls = await layers();
        const models = ls.find((l) => l.layer === "models")!;
        const vllm = models.objects.find((o) => o.kind === "Deployment" && o.metadata.name.startsWith("vllm-"))!;
        models.objects = models.objects.filter((o) => o !== vllm);
        ls.find((l) => l.layer === "ai")!.objects.push(vllm);
        const located: Located[] = ls.flatMap((l) => l.objects.map((obj) => ({ layer: l.layer, obj })));
        expect(layerTimingProblems(located, FLUX_LAYERS).map((p) => p.message)).toEqual([
            `Deployment ai-serving/${vllm.metadata.name}: order: requests GPUs in layer ai, whose timeout (20 min) a cold start (GPU pool from zero, driver build, weights) outlasts, holding the layer NotReady; model servers belong to a layer with a timeout of at least 60 min that nothing depends on`,
            "layer models: order: depends on layer ai, which holds model servers: a slow cold start would hold models back too",
        ]);
    });

    test("every GPU workload is in the models layer; no waiting layer depends on it", async () => {
        const located: Located[] = (await layers()).flatMap((l) => l.objects.map((obj) => ({ layer: l.layer, obj })));
        expect(layerTimingProblems(located, FLUX_LAYERS)).toEqual([]);
        expect(layerTimingProblems(located, [...FLUX_LAYERS, { name: "after-models" as any, dependsOn: ["models"], timeoutInSeconds: 600, wait: true }]).map((p) => p.message)).toEqual([
            "layer after-models: order: depends on layer models, which holds model servers: a slow cold start would hold after-models back too",
        ]);
    });

    test("ExternalSecrets of Key Vault secrets a person adds are only in layers that do not wait", async () => {
        // The AI stack's Key Vault secrets that the platform does not generate: a person adds them (README, workloads).
        const manualKeys = new Set<string>(KEY_VAULT_SECRETS.filter((k) => !(k in GENERATED_SECRETS)));
        expect([...manualKeys]).toContain("hf-token");
        for (const stack of ["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"]) {
            for (const l of await renderCluster(stack)) {
                const waits = FLUX_LAYERS.find((x) => x.name === l.layer)!.wait;
                for (const es of l.objects.filter((o) => o.kind === "ExternalSecret")) {
                    const manual = (es.spec?.data ?? []).map((d: any) => d.remoteRef?.key).filter((k: string) => manualKeys.has(k));
                    if (manual.length) expect(`${stack} ${l.layer} ${es.metadata.namespace}/${es.metadata.name} waits=${waits}`).toBe(`${stack} ${l.layer} ${es.metadata.namespace}/${es.metadata.name} waits=false`);
                }
            }
        }
    });
});
