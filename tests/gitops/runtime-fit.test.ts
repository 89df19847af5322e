/**
 * The runtime-fit model (tools/gitops/runtime-fit.ts) on the real rendered clusters: the tree passes, and putting
 * back what issue 15 found (spec.replicas on scaled Deployments, vLLM as UID 1000, the PodMonitor without KServe's
 * port, dev's full-precision 8B on a T4) each fails validate:gitops naming the object and the reason.
 */
import { stackFacts } from "../../tools/workloads/scheduling";
import { dockerfileUsers } from "../../tools/gitops/vendor-image-facts";
import { factsFrom } from "../../tools/gitops/vendor-model-facts";
import { IMAGE_FACTS_FILE, loadRuntimeFacts, MODEL_FACTS_FILE, modelMemory, upstreamImage } from "../../tools/gitops/runtime-fit";
import { type Rendered, renderCluster, validateRendered } from "../../tools/gitops/validate";
import type { K8sObject } from "../../tools/gitops/render";
import { DASHBOARDS } from "../../tools/workloads/dashboards";

const cached = new Map<string, Promise<Rendered[]>>();
/** A private copy of a cluster's rendered layers (the render cache is shared). */
async function layers(stack: string): Promise<Rendered[]> {
    if (!cached.has(stack)) cached.set(stack, renderCluster(stack));
    return structuredClone(await cached.get(stack)!);
}
const errorsOf = async (stack: string, ls: Rendered[]) => (await validateRendered(stack, ls, { policy: false, egress: false })).flatMap((r) => r.errors);
const find = (ls: Rendered[], kind: string, name: string): any => {
    const o = ls.flatMap((l) => l.objects).find((x: K8sObject) => x.kind === kind && x.metadata.name === name);
    if (!o) throw new Error(`no ${kind} ${name}`);
    return o;
};
const fitErrors = (errors: string[]) => errors.filter((e) => e.includes("runtime-fit"));

describe.each(["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"])("runtime fit of %s", (stack) => {
    test("no runtime-fit errors on the tree as it is", async () => {
        expect(fitErrors(await errorsOf(stack, await layers(stack)))).toEqual([]);
    });
});

describe("runtime fit catches what would not run", () => {
    test("spec.replicas back on a canaried Deployment fails, naming the Deployment, the Canary and the ScaledObject", async () => {
        const ls = await layers("prd-uaenorth");
        find(ls, "Deployment", "vllm-llama31-8b").spec.replicas = 2;
        expect(fitErrors(await errorsOf("prd-uaenorth", ls))).toEqual([
            "Deployment ai-serving/vllm-llama31-8b: runtime-fit: spec.replicas (2) is set in Git, but Canary ai-serving/vllm-llama31-8b (Flagger) scales it: Flux resets the count on every reconcile and fights the rollout; remove spec.replicas",
            "Deployment ai-serving/vllm-llama31-8b: runtime-fit: spec.replicas (2) is set in Git, but ScaledObject ai-serving/vllm-llama31-8b (KEDA) scales it: Flux resets the count on every reconcile and fights the rollout; remove spec.replicas",
        ]);
    });

    test("vLLM as UID 1000 (no passwd entry in the image) fails; the image's own UID or USER+HOME pass", async () => {
        const ls = await layers("dev-uaenorth");
        const d = find(ls, "Deployment", "vllm-llama31-8b");
        d.spec.template.spec.securityContext.runAsUser = 1000;
        const errors = fitErrors(await errorsOf("dev-uaenorth", ls));
        expect(errors).toHaveLength(2);
        expect(errors[1]).toMatch(
            /^Deployment ai-serving\/vllm-llama31-8b spec\.template\.spec container vllm: runtime-fit: runs as UID 1000, which vllm\/vllm-openai:v0\.23\.0 has no passwd entry for \(users: root 0, vllm 2000; .*\): .*getpwuid.*; run as UID 2000 \(the image's vllm user\) or set env USER \(or LOGNAME\) and HOME$/,
        );
        for (const c of [...d.spec.template.spec.initContainers, ...d.spec.template.spec.containers]) c.env = [...(c.env ?? []).filter((e: any) => e.name !== "HOME"), { name: "USER", value: "vllm" }, { name: "HOME", value: "/home/vllm" }];
        expect(fitErrors(await errorsOf("dev-uaenorth", ls))).toEqual([]);
    });

    test("the ROCm image has no user but root: without USER/LOGNAME its server fails", async () => {
        const ls = await layers("prd-uaenorth");
        const c = find(ls, "Deployment", "vllm-llama31-70b-rocm").spec.template.spec.containers[0];
        c.env = c.env.filter((e: any) => e.name !== "USER" && e.name !== "LOGNAME");
        const errors = fitErrors(await errorsOf("prd-uaenorth", ls));
        expect(errors).toHaveLength(1);
        expect(errors[0]).toContain("container vllm: runtime-fit: runs as UID 2000, which vllm/vllm-openai-rocm:v0.23.0 has no passwd entry for (users: root 0;");
    });

    test("a PodMonitor that names only vLLM's port leaves the KServe predictor unscraped", async () => {
        const ls = await layers("dev-uaenorth");
        const pm = find(ls, "PodMonitor", "model-servers");
        pm.spec.podMetricsEndpoints = pm.spec.podMetricsEndpoints.filter((e: any) => e.port === "http");
        expect(fitErrors(await errorsOf("dev-uaenorth", ls))).toEqual([
            "PodMonitor ai-serving/model-servers: runtime-fit: selects InferenceService ai-serving/llama31-8b-hf, whose pods expose no port named http (ports: http1): it is never scraped; name the port or add an endpoint for it",
        ]);
    });

    test("dev's full-precision 8B on the 16 GiB T4 does not fit; its AWQ-INT4 build does", async () => {
        const ls = await layers("dev-uaenorth");
        const args: string[] = find(ls, "InferenceService", "llama31-8b-hf").spec.predictor.model.args;
        expect(args).toContain("--model_id=hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4");
        find(ls, "InferenceService", "llama31-8b-hf").spec.predictor.model.args = ["--model_id=meta-llama/Llama-3.1-8B-Instruct", "--backend=vllm", "--max_model_len=4096"];
        expect(fitErrors(await errorsOf("dev-uaenorth", ls))).toEqual([
            "InferenceService ai-serving/llama31-8b-hf spec.predictor container (model): runtime-fit: meta-llama/Llama-3.1-8B-Instruct does not fit pool t4spot: weights 14.96 GiB (8.03 B parameters × 2 bytes (bfloat16)) + KV cache 0.50 GiB (4096 tokens) + 1 GiB reserve = 16.46 GiB, but 0.9 × 1 × 16 GiB (T4) = 14.40 GiB; serve a quantized build, shorten --max-model-len or use a larger GPU (https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct/blob/main/config.json)",
        ]);
    });

    test("model memory: AWQ-INT4 8B weighs ~5.7 GB (the published checkpoint), the 70B in bf16 ~141 GB, KV per token from the config", () => {
        const { models } = loadRuntimeFacts().models;
        const awq = modelMemory(models["hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4"], ["--quantization=awq", "--dtype=half"]);
        expect(awq.weights / 1e9).toBeCloseTo(5.73, 1);
        expect(awq.kvPerToken).toBe(131072);
        expect(modelMemory(models["meta-llama/Llama-3.1-70B-Instruct"], []).weights / 1e9).toBeCloseTo(141.1, 0);
        expect(modelMemory(models["meta-llama/Llama-3.1-70B-Instruct"], ["--kv-cache-dtype=fp8"]).kvPerToken).toBe(163840);
    });

    test("the MIG slice, not the whole GPU, bounds a model on a MIG pool", () => {
        const h100 = stackFacts("prd-uaenorth").pools.find((p) => p.gpu?.migSlice);
        expect(h100?.gpu?.migSlice).toBe("3g.47gb");
    });

    test("image references are matched upstream (ACR cache-rule prefix and docker.io/library stripped)", () => {
        expect(upstreamImage("craipdevuaen.azurecr.io/docker.io/vllm/vllm-openai:v0.23.0")).toEqual({ repo: "vllm/vllm-openai", tag: "v0.23.0" });
        expect(upstreamImage("craipdevuaen.azurecr.io/docker.io/library/python:3.13.9-slim")).toEqual({ repo: "python", tag: "3.13.9-slim" });
        expect(upstreamImage("${acr_login_server}/docker.io/vllm/vllm-openai-rocm:v0.23.0")).toEqual({ repo: "vllm/vllm-openai-rocm", tag: "v0.23.0" });
    });
});

describe("vendored runtime facts", () => {
    const facts = loadRuntimeFacts();
    test.each([
        [IMAGE_FACTS_FILE, facts.images],
        [MODEL_FACTS_FILE, facts.models],
    ])("%s is within its refresh horizon", (_file, f) => {
        const age = (Date.now() - Date.parse(`${f.retrieved}T00:00:00Z`)) / 86_400_000;
        expect(age).toBeGreaterThanOrEqual(0);
        expect(age).toBeLessThanOrEqual(f.horizonDays);
    });
    test("every image names the Dockerfile at a pinned ref; every model its config.json", () => {
        for (const i of facts.images.images) expect(i.dockerfile.ref).toMatch(/^v\d/);
        for (const m of Object.values(facts.models.models)) expect(m.source).toMatch(/^https:\/\/huggingface\.co\/.+\/config\.json$/);
    });
});

describe("refresh tools derive the facts from upstream files", () => {
    test("Dockerfile users: every useradd with a UID, the USER of the published stage", () => {
        const df = [
            "FROM nvidia/cuda:12.9.1-base-ubuntu22.04 AS vllm-base",
            "RUN useradd --uid 2000 --gid 0 --create-home --home-dir /home/vllm \\",
            "        --shell /bin/bash vllm \\",
            "    && mkdir -p /home/vllm/.cache",
            "FROM vllm-base AS vllm-openai",
            "USER root",
            "FROM vllm-openai AS vllm-openai-nonroot",
            "USER 2000",
        ].join("\n");
        expect(dockerfileUsers(df, "vllm-openai")).toEqual({ users: [{ name: "root", uid: 0 }, { name: "vllm", uid: 2000, gid: 0, home: "/home/vllm" }], defaultUser: "root" });
        expect(dockerfileUsers("FROM ubuntu:26.04\nRUN userdel -r ubuntu && useradd kserve -m -u 1000 -d /home/kserve\nUSER 1000\n").users).toEqual([{ name: "root", uid: 0 }, { name: "kserve", uid: 1000, home: "/home/kserve" }]);
    });

    test("model facts from config.json and the safetensors count (AWQ: embeddings and LM head unquantized)", () => {
        const config = { num_hidden_layers: 32, num_key_value_heads: 8, num_attention_heads: 32, hidden_size: 4096, vocab_size: 128256, torch_dtype: "float16", tie_word_embeddings: false, quantization_config: { quant_method: "awq", bits: 4, group_size: 128 } };
        expect(factsFrom("hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4", config, undefined, loadRuntimeFacts().models.models["hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4"])).toEqual(
            loadRuntimeFacts().models.models["hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4"],
        );
    });
});

describe("settings that render fine and do nothing at run time", () => {
    const platformAndAi = async (stack: string) => layers(stack);

    test("an ipBlock of the API-server range (what the tree had) is an error: Cilium needs the kube-apiserver entity", async () => {
        const ls = await platformAndAi("dev-uaenorth");
        ls.find((l) => l.layer === "ai")!.objects.push({
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "allow-apiserver", namespace: "kserve" },
            spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "${api_server_cidr}" } }], ports: [{ protocol: "TCP", port: 443 }] }] },
        });
        expect(fitErrors(await errorsOf("dev-uaenorth", ls))).toEqual([
            "NetworkPolicy kserve/allow-apiserver: runtime-fit: egress ipBlock ${api_server_cidr} selects nothing under Cilium (node and API-server traffic carries a reserved identity; cilium#31711): use a CiliumNetworkPolicy with toEntities kube-apiserver",
        ]);
    });

    test("CiliumNetworkPolicy is validated against Cilium's CRD schema: an unknown entity is refused", async () => {
        const ls = await platformAndAi("dev-uaenorth");
        find(ls, "CiliumNetworkPolicy", "allow-webhook-from-apiserver").spec.ingress[0].fromEntities = ["apiserver"];
        const errors = await errorsOf("dev-uaenorth", ls);
        expect(errors.some((e) => e.startsWith("CiliumNetworkPolicy cert-manager/allow-webhook-from-apiserver: schema:") && e.includes("allowed values"))).toBe(true);
    });

    test("Argo's injected init/wait containers without a restricted securityContext are an error", async () => {
        const ls = await platformAndAi("dev-uaenorth");
        delete find(ls, "HelmRelease", "argo-workflows").spec.values.executor;
        expect(fitErrors(await errorsOf("dev-uaenorth", ls))).toEqual([
            "HelmRelease flux-system/argo-workflows: runtime-fit: Argo's injected init/wait containers get values.executor.securityContext, which lacks allowPrivilegeEscalation: false, capabilities.drop [ALL]: Pod Security restricted refuses every workflow pod; set them there (argo-workflows chart: executor.securityContext)",
        ]);
    });

    test("Grafana's ${__value.raw} escaped only for Flux (what the tree had) is expanded at provisioning", async () => {
        const ls = await platformAndAi("dev-uaenorth");
        const kps = find(ls, "HelmRelease", "kube-prometheus-stack");
        expect(kps.spec.values.grafana.additionalDataSources[0].jsonData.derivedFields[0].url).toBe("$$$${__value.raw}");
        kps.spec.values.grafana.additionalDataSources[0].jsonData.derivedFields[0].url = "$${__value.raw}";
        expect(fitErrors(await errorsOf("dev-uaenorth", ls))).toEqual([
            "HelmRelease flux-system/kube-prometheus-stack: runtime-fit: values.grafana.additionalDataSources[0].jsonData.derivedFields[0].url reaches Grafana's provisioning file as '${__value.raw}': Grafana replaces ${__value.raw} with an environment variable (empty); it must read $${__value.raw} there, so $$$${__value.raw} in Git (Flux turns $$ into $)",
        ]);
    });

    test("a grafana_folder annotation without the sidecar's folderAnnotation setting is ignored", async () => {
        const ls = await platformAndAi("dev-uaenorth");
        delete find(ls, "HelmRelease", "kube-prometheus-stack").spec.values.grafana.sidecar.dashboards.folderAnnotation;
        const errors = fitErrors(await errorsOf("dev-uaenorth", ls));
        expect(errors).toHaveLength(DASHBOARDS.length); // one per dashboard ConfigMap
        expect(errors[0]).toMatch(/^ConfigMap monitoring\/dashboard-ai-[a-z-]+: runtime-fit: annotation grafana_folder is ignored: HelmRelease flux-system\/kube-prometheus-stack must set grafana\.sidecar\.dashboards\.folderAnnotation: grafana_folder/);
    });

    test("a restricted namespace without Kyverno's selector label escapes pss-restricted", async () => {
        const ls = await platformAndAi("dev-uaenorth");
        delete find(ls, "Namespace", "kserve").metadata.labels["aiplatform.io/pss"];
        expect(fitErrors(await errorsOf("dev-uaenorth", ls))).toEqual([
            "Namespace kserve: runtime-fit: enforces Pod Security restricted but lacks aiplatform.io/pss: restricted, so Kyverno's pss-restricted policy never checks its pods; add the label",
        ]);
    });
});

describe("model revisions: stg/prd download pinned commits from the Hugging Face Hub", () => {
    const revisionErrors = (errors: string[]) => errors.filter((e) => e.includes("model-revision"));
    test.each(["stg-uaenorth", "prd-uaenorth"])("every Hub download of %s names a commit SHA", async (stack) => {
        expect(revisionErrors(await errorsOf(stack, await layers(stack)))).toEqual([]);
    });

    test("a vLLM server back on `main` in prd fails, naming the container and the revision", async () => {
        const ls = await layers("prd-uaenorth");
        const init = find(ls, "Deployment", "vllm-llama31-8b").spec.template.spec.initContainers.find((c: any) => c.name === "fetch-model");
        init.env.find((e: any) => e.name === "MODEL_REVISION").value = "main";
        expect(revisionErrors(await errorsOf("prd-uaenorth", ls))).toEqual([
            "Deployment ai-serving/vllm-llama31-8b spec.template.spec container fetch-model: model-revision: downloads from the Hugging Face Hub at revision 'main' in prd; stg/prd pin a 40-hex commit SHA from the model's history (a branch or tag moves: https://huggingface.co/docs/huggingface_hub/guides/download#from-specific-version)",
        ]);
    });

    test("KServe without --model_revision and the RAG app's TEI on a branch fail in stg; dev may follow a branch", async () => {
        for (const stack of ["stg-uaenorth", "dev-uaenorth"]) {
            const ls = await layers(stack);
            const model = find(ls, "InferenceService", "llama31-8b-hf").spec.predictor.model;
            model.args = model.args.filter((a: string) => !a.startsWith("--model_revision"));
            const tei = find(ls, "Deployment", "tei").spec.template.spec.containers[0];
            tei.args = tei.args.map((a: string) => (a.startsWith("--revision=") ? "--revision=v1.5" : a));
            const errors = revisionErrors(await errorsOf(stack, ls));
            if (stack === "dev-uaenorth") expect(errors).toEqual([]);
            else
                expect(errors.map((e) => e.split(": model-revision: ")[0] + " @ " + /at (revision '[^']*'|no pinned revision)/.exec(e)![1])).toEqual([
                    "Deployment rag/tei spec.template.spec container tei @ revision 'v1.5'",
                    "InferenceService ai-serving/llama31-8b-hf spec.predictor container kserve-container @ no pinned revision",
                ]);
        }
    });
});
