/**
 * The runtime-fit model: what makes a rendered object valid yet unable to run as intended on the cluster.
 * - scaled workloads: a Deployment/StatefulSet that Flagger (Canary), KEDA (ScaledObject) or an HPA scales carries no
 *   spec.replicas in Git (Flux would reset the scaler's count on every reconcile);
 * - image users: a non-root runAsUser override is a UID the image has a passwd entry for, or the env the image's
 *   process needs without one (schemas/runtime/images.json);
 * - monitors: every workload a ServiceMonitor/PodMonitor selects exposes a port one of its endpoints names;
 * - model fit: each model server's weights (parameters × dtype, schemas/runtime/models.json) plus the KV cache of one
 *   max-length sequence and a fixed activation reserve fit the GPU (or MIG slice) memory of the pools it is pinned
 *   to, times --gpu-memory-utilization;
 * - Cilium: no NetworkPolicy ipBlock of the node or API-server ranges (they carry reserved identities);
 * - Argo's injected executor containers, Grafana's provisioning interpolation, the dashboards' folder annotation and
 *   the Kyverno label of restricted namespaces: settings that render fine and silently do nothing.
 */
import * as fs from "fs";
import * as path from "path";
import type { PoolFacts } from "../../components/gpu-pools/facts";
import { VM_SKUS } from "../../config/skus";
import { REPO_ROOT } from "../../config/stack-files";
import { podSpecs } from "../workloads/checks";
import { POOL_LABEL } from "../workloads/scheduling";
import { idOf, type Located, type Problem } from "./checks";
import type { K8sObject } from "./render";

export const IMAGE_FACTS_FILE = "schemas/runtime/images.json";
export const MODEL_FACTS_FILE = "schemas/runtime/models.json";

export interface ImageFacts {
    image: string;
    tags: string[];
    /** Where the image is built: `target` is the published stage of a multi-stage Dockerfile. */
    dockerfile: { repo: string; ref: string; path: string; target?: string };
    defaultUser: string;
    users: { name: string; uid: number; gid?: number; home?: string }[];
    /** "getpass": the process resolves its user name (Python getpass.getuser()), so a UID without passwd entry needs USER/LOGNAME. */
    lookupsUser?: "getpass";
    note?: string;
}
export interface ImageFactsFile {
    retrieved: string;
    horizonDays: number;
    images: ImageFacts[];
    /** KServe runtime name → the image (repository:tag) its pods run. */
    kserveRuntimes: Record<string, string>;
}
export interface ModelFacts {
    source: string;
    parameters: number;
    dtype: string;
    layers: number;
    kvHeads: number;
    headDim: number;
    quantization?: { method: string; bits: number; groupSize: number; unquantizedParameters: number };
}
export interface ModelFactsFile {
    retrieved: string;
    horizonDays: number;
    models: Record<string, ModelFacts>;
}

const readJson = <T>(file: string, root: string): T => JSON.parse(fs.readFileSync(path.join(root, file), "utf8")) as T;
let cache: { images: ImageFactsFile; models: ModelFactsFile } | undefined;
export function loadRuntimeFacts(root = REPO_ROOT): { images: ImageFactsFile; models: ModelFactsFile } {
    const load = () => ({ images: readJson<ImageFactsFile>(IMAGE_FACTS_FILE, root), models: readJson<ModelFactsFile>(MODEL_FACTS_FILE, root) });
    return root === REPO_ROOT ? (cache ??= load()) : load();
}

const GiB = 1024 ** 3;
/** vLLM's own default for --gpu-memory-utilization. */
const DEFAULT_GPU_UTILIZATION = 0.9;
/** Held back beside weights and KV cache: CUDA context, activations of the profiling run, CUDA graphs (measured ~1 GiB for 8B models). */
export const ACTIVATION_RESERVE_GIB = 1;

const SCALERS: Record<string, (o: K8sObject) => { kind: string; name: string } | undefined> = {
    Canary: (o) => o.spec?.targetRef && { kind: o.spec.targetRef.kind ?? "Deployment", name: o.spec.targetRef.name },
    ScaledObject: (o) => o.spec?.scaleTargetRef && { kind: o.spec.scaleTargetRef.kind ?? "Deployment", name: o.spec.scaleTargetRef.name },
    HorizontalPodAutoscaler: (o) => o.spec?.scaleTargetRef && { kind: o.spec.scaleTargetRef.kind, name: o.spec.scaleTargetRef.name },
};
const SCALER_NAMES: Record<string, string> = { Canary: "Flagger", ScaledObject: "KEDA", HorizontalPodAutoscaler: "the HPA" };

/** Deployments/StatefulSets a rollout controller or autoscaler scales must leave spec.replicas to it. */
export function replicaProblems(objects: Located[]): Problem[] {
    const problems: Problem[] = [];
    for (const s of objects) {
        const target = SCALERS[s.obj.kind]?.(s.obj);
        if (!target) continue;
        const ns = s.obj.metadata.namespace;
        const t = objects.find((l) => l.obj.kind === target.kind && l.obj.metadata.name === target.name && l.obj.metadata.namespace === ns);
        if (t && t.obj.spec?.replicas !== undefined) {
            problems.push({
                layer: t.layer,
                message: `${idOf(t.obj)}: runtime-fit: spec.replicas (${t.obj.spec.replicas}) is set in Git, but ${idOf(s.obj)} (${SCALER_NAMES[s.obj.kind]}) scales it: Flux resets the count on every reconcile and fights the rollout; remove spec.replicas`,
            });
        }
    }
    return problems;
}

/** An image reference as upstream names it: the ACR prefix (cache rules) and docker.io/library stripped. */
export function upstreamImage(ref: string): { repo: string; tag: string } {
    const [name, tag = "latest"] = ref.split("@")[0].split(/:(?=[^/]+$)/);
    // The registry is the stack's ACR (literal or the ${acr_login_server} cluster var) with the upstream path under it.
    const repo = name.replace(/^(\$\{\w+\}|[^/]+\.azurecr\.io)\//, "").replace(/^docker\.io\//, "").replace(/^library\//, "");
    return { repo, tag };
}
function imageFacts(ref: string, facts: ImageFactsFile): ImageFacts | undefined {
    const { repo, tag } = upstreamImage(ref);
    return facts.images.find((i) => (repo === i.image || repo.endsWith(`/${i.image}`)) && i.tags.includes(tag));
}

/** The pod securityContext Argo gives workflow pods: the template's own, else the controller's workflowDefaults. */
function argoDefaults(objects: Located[]): any {
    const hr = objects.find((l) => l.obj.kind === "HelmRelease" && l.obj.metadata.name === "argo-workflows")?.obj;
    return hr?.spec?.values?.controller?.workflowDefaults?.spec?.securityContext;
}

/** Non-root UID overrides match the image's users (or set the env the image needs without a passwd entry). */
export function imageUserProblems(objects: Located[], facts: ImageFactsFile): { errors: Problem[]; warnings: Problem[] } {
    const errors: Problem[] = [];
    const warnings: Problem[] = [];
    const wfDefaults = argoDefaults(objects);
    for (const { layer, obj } of objects) {
        for (const { at, spec } of podSpecs(obj as any)) {
            const podCtx = spec.securityContext ?? (["WorkflowTemplate", "CronWorkflow", "Workflow"].includes(obj.kind) ? wfDefaults : undefined);
            const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
            for (const c of containers) {
                const uid: number | undefined = c.securityContext?.runAsUser ?? podCtx?.runAsUser;
                if (uid === undefined || uid === 0) continue;
                const ref: string | undefined = c.image ?? (obj.kind === "InferenceService" ? facts.kserveRuntimes[obj.spec?.predictor?.model?.runtime] : undefined);
                if (!ref) continue;
                const f = imageFacts(ref, facts);
                const where = `${idOf(obj)} ${at} container ${c.name ?? "(model)"}`;
                if (!f) {
                    warnings.push({ layer, message: `${where}: runtime-fit: runs as UID ${uid}, but ${IMAGE_FACTS_FILE} has no user facts for ${upstreamImage(ref).repo}:${upstreamImage(ref).tag}` });
                    continue;
                }
                if (f.users.some((u) => u.uid === uid)) continue;
                if (f.lookupsUser !== "getpass") continue;
                const env = new Map<string, unknown>((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
                if ((env.get("USER") || env.get("LOGNAME")) && env.get("HOME")) continue;
                const users = f.users.map((u) => `${u.name} ${u.uid}`).join(", ");
                const own = f.users.find((u) => u.uid !== 0);
                errors.push({
                    layer,
                    message:
                        `${where}: runtime-fit: runs as UID ${uid}, which ${f.image}:${upstreamImage(ref).tag} has no passwd entry for (users: ${users}; https://github.com/${f.dockerfile.repo}/blob/${f.dockerfile.ref}/${f.dockerfile.path}): ` +
                        `Python's getpass.getuser() (torch inductor, at import) raises KeyError 'getpwuid(): uid not found'; ${own ? `run as UID ${own.uid} (the image's ${own.name} user) or ` : ""}set env USER (or LOGNAME) and HOME`,
                });
            }
        }
    }
    return { errors, warnings };
}

/** Labels of the pods an object creates (KServe copies the InferenceService's labels onto its predictor pods). */
function podLabels(o: K8sObject): Record<string, string> | undefined {
    if (["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind)) return o.spec?.template?.metadata?.labels ?? {};
    if (o.kind === "InferenceService") return { ...(o.metadata.labels ?? {}), ...(o.spec?.predictor?.labels ?? {}) };
    return undefined;
}
function containerPorts(o: K8sObject): string[] {
    return podSpecs(o as any).flatMap(({ spec }) => (spec.containers ?? []).flatMap((c: any) => (c.ports ?? []).map((p: any) => p.name).filter(Boolean)));
}
const selects = (sel: Record<string, string> | undefined, labels: Record<string, string>) => !!sel && Object.entries(sel).every(([k, v]) => labels[k] === v);
const inNamespaces = (m: K8sObject, ns: string | undefined) => {
    const nsSel = m.spec?.namespaceSelector;
    if (nsSel?.any) return true;
    if (nsSel?.matchNames) return nsSel.matchNames.includes(ns);
    return ns === m.metadata.namespace;
};

/** Every workload a ServiceMonitor/PodMonitor selects exposes a port one of its endpoints names (else it is never scraped). */
export function monitorPortProblems(objects: Located[]): Problem[] {
    const problems: Problem[] = [];
    for (const { layer, obj: m } of objects) {
        if (m.kind === "PodMonitor") {
            const want: string[] = (m.spec?.podMetricsEndpoints ?? []).map((e: any) => e.port).filter(Boolean);
            if (!want.length) continue;
            for (const { obj: w } of objects) {
                const labels = podLabels(w);
                if (!labels || !inNamespaces(m, w.metadata.namespace) || !selects(m.spec?.selector?.matchLabels, labels)) continue;
                const ports = containerPorts(w);
                if (!want.some((p) => ports.includes(p))) {
                    problems.push({ layer, message: `${idOf(m)}: runtime-fit: selects ${idOf(w)}, whose pods expose no port named ${want.join(" or ")} (ports: ${ports.join(", ") || "none"}): it is never scraped; name the port or add an endpoint for it` });
                }
            }
        }
        if (m.kind === "ServiceMonitor") {
            const want: string[] = (m.spec?.endpoints ?? []).map((e: any) => e.port).filter(Boolean);
            if (!want.length) continue;
            for (const { obj: s } of objects) {
                if (s.kind !== "Service" || !inNamespaces(m, s.metadata.namespace) || !selects(m.spec?.selector?.matchLabels, s.metadata.labels ?? {})) continue;
                const ports: string[] = (s.spec?.ports ?? []).map((p: any) => p.name).filter(Boolean);
                if (!want.some((p) => ports.includes(p))) problems.push({ layer, message: `${idOf(m)}: runtime-fit: selects ${idOf(s)}, which has no port named ${want.join(" or ")} (ports: ${ports.join(", ") || "none"}): it is never scraped` });
            }
        }
    }
    return problems;
}

/** `--name=value`, `--name value`, with - or _ in the name. */
export function argValue(args: string[], name: string): string | undefined {
    const names = [name, name.replace(/-/g, "_")];
    for (let i = 0; i < args.length; i++) {
        for (const n of names) {
            if (args[i].startsWith(`--${n}=`)) return args[i].slice(n.length + 3);
            if (args[i] === `--${n}`) return args[i + 1];
        }
    }
    return undefined;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, float: 4, bfloat16: 2, float16: 2, half: 2, fp8: 1 };

/** Weights and per-token KV bytes of a model under the server's args. */
export function modelMemory(m: ModelFacts, args: string[]): { weights: number; kvPerToken: number; how: string } {
    const dtypeArg = argValue(args, "dtype");
    const dtype = dtypeArg && dtypeArg !== "auto" ? dtypeArg : m.dtype;
    const bytes = DTYPE_BYTES[dtype] ?? 2;
    const kvBytes = argValue(args, "kv-cache-dtype")?.startsWith("fp8") ? 1 : bytes;
    const kvPerToken = 2 * m.layers * m.kvHeads * m.headDim * kvBytes;
    const q = m.quantization;
    if (q) {
        const quantized = m.parameters - q.unquantizedParameters;
        const weights = quantized * (q.bits / 8 + 2.5 / q.groupSize) + q.unquantizedParameters * bytes;
        return { weights, kvPerToken, how: `${(m.parameters / 1e9).toFixed(2)} B parameters, ${q.method.toUpperCase()} ${q.bits}-bit (fp16 embeddings)` };
    }
    return { weights: m.parameters * bytes, kvPerToken, how: `${(m.parameters / 1e9).toFixed(2)} B parameters × ${bytes} bytes (${dtype})` };
}

/** GPU memory (GiB) of one unit of `resource` on `pool`: a MIG slice's memory, else the whole GPU's. */
export function gpuUnitGiB(pool: PoolFacts): number | undefined {
    if (!pool.gpu) return undefined;
    const mig = /(\d+)gb$/.exec(pool.gpu.migSlice ?? "");
    if (mig) return Number(mig[1]);
    return VM_SKUS[pool.vmSize]?.gpu?.memoryGiB;
}

interface Server {
    at: string;
    repo?: string;
    args: string[];
    units: number;
    pools: string[];
}
function modelServers(o: K8sObject): Server[] {
    const out: Server[] = [];
    for (const { at, spec } of podSpecs(o as any)) {
        const pools: string[] = (spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []).flatMap((t: any) =>
            (t.matchExpressions ?? []).filter((e: any) => e.key === POOL_LABEL && e.operator === "In").flatMap((e: any) => e.values),
        );
        const init = [...(spec.initContainers ?? [])];
        for (const c of spec.containers ?? []) {
            const units = Object.entries({ ...(c.resources?.requests ?? {}), ...(c.resources?.limits ?? {}) })
                .filter(([r]) => /^(nvidia\.com\/(gpu|mig-.+)|amd\.com\/gpu)$/.test(r))
                .reduce((n, [, v]) => Math.max(n, Number(v)), 0);
            if (!units) continue;
            const args: string[] = (c.args ?? []).map(String);
            const isVllm = (c.command ?? []).join(" ").includes("vllm") || String(c.image ?? "").includes("vllm");
            const isHf = o.kind === "InferenceService" && (o.spec?.predictor?.model?.modelFormat?.name === "huggingface" || argValue(args, "model_id"));
            if (!isVllm && !isHf) continue;
            const repo = isHf ? argValue(args, "model_id") : [...init, c].flatMap((x: any) => x.env ?? []).find((e: any) => e.name === "MODEL_REPO")?.value;
            out.push({ at: `${at} container ${c.name ?? "(model)"}`, repo: repo || undefined, args, units, pools });
        }
    }
    return out;
}

/** Each model server's weights + one max-length sequence of KV cache + a reserve fit its GPU memory share. */
export function modelFitProblems(objects: Located[], pools: PoolFacts[], facts: ModelFactsFile): { errors: Problem[]; warnings: Problem[] } {
    const errors: Problem[] = [];
    const warnings: Problem[] = [];
    for (const { layer, obj } of objects) {
        for (const s of modelServers(obj)) {
            const where = `${idOf(obj)} ${s.at}`;
            const m = s.repo ? facts.models[s.repo] : undefined;
            if (!m) {
                warnings.push({ layer, message: `${where}: runtime-fit: model ${s.repo ?? "(unknown: no MODEL_REPO / --model_id)"} has no size facts in ${MODEL_FACTS_FILE}; its fit is not checked` });
                continue;
            }
            const maxLen = Number(argValue(s.args, "max-model-len") ?? 0);
            const util = Number(argValue(s.args, "gpu-memory-utilization") ?? DEFAULT_GPU_UTILIZATION);
            const mem = modelMemory(m, s.args);
            const need = mem.weights + mem.kvPerToken * maxLen + ACTIVATION_RESERVE_GIB * GiB;
            for (const name of s.pools) {
                const p = pools.find((x) => x.name === name);
                const unit = p && gpuUnitGiB(p);
                if (!p || !unit) continue;
                const have = util * unit * s.units * GiB;
                if (need > have) {
                    const f = (b: number) => `${(b / GiB).toFixed(2)} GiB`;
                    errors.push({
                        layer,
                        message:
                            `${where}: runtime-fit: ${s.repo} does not fit pool ${name}: weights ${f(mem.weights)} (${mem.how}) + KV cache ${f(mem.kvPerToken * maxLen)} (${maxLen || "no"} tokens) + ${ACTIVATION_RESERVE_GIB} GiB reserve = ${f(need)}, ` +
                            `but ${util} × ${s.units} × ${unit} GiB (${p.gpu!.migSlice ? `MIG ${p.gpu!.migSlice}` : `${VM_SKUS[p.vmSize]?.gpu?.model ?? p.vmSize}`}) = ${f(have)}; serve a quantized build, shorten --max-model-len or use a larger GPU (${m.source})`,
                    });
                }
            }
        }
    }
    return { errors, warnings };
}

/** Cluster variables whose ranges hold nodes or the API server: Cilium never matches them by ipBlock. */
export const NODE_RANGE_VARS = ["api_server_cidr", "vnet_cidr"] as const;

/**
 * Under Cilium (AKS "Azure CNI powered by Cilium"), traffic from/to nodes and the API server carries a reserved
 * identity (host, remote-node, kube-apiserver) and an ipBlock of their range matches nothing (AKS docs: network
 * policies cannot use ipBlock to allow access to node or pod IPs; cilium#31711): a CiliumNetworkPolicy entity does.
 */
export function ipBlockProblems(objects: Located[]): Problem[] {
    const problems: Problem[] = [];
    for (const { layer, obj } of objects) {
        if (obj.kind !== "NetworkPolicy") continue;
        for (const dir of ["ingress", "egress"] as const) {
            for (const rule of obj.spec?.[dir] ?? []) {
                for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])]) {
                    const cidr: string | undefined = peer.ipBlock?.cidr;
                    const v = NODE_RANGE_VARS.find((n) => cidr === `\${${n}}`);
                    if (v) {
                        const entity = v === "api_server_cidr" ? "kube-apiserver" : "host and remote-node";
                        problems.push({ layer, message: `${idOf(obj)}: runtime-fit: ${dir} ipBlock \${${v}} selects nothing under Cilium (node and API-server traffic carries a reserved identity; cilium#31711): use a CiliumNetworkPolicy with ${dir === "ingress" ? "fromEntities" : "toEntities"} ${entity}` });
                    }
                }
            }
        }
    }
    return problems;
}

const RESTRICTED_CONTAINER = ["allowPrivilegeEscalation: false", "capabilities.drop [ALL]"];
/** What Pod Security "restricted" requires of a container, given its pod's securityContext; the missing settings. */
export function restrictedGaps(container: any, pod: any): string[] {
    const gaps: string[] = [];
    if (container?.allowPrivilegeEscalation !== false) gaps.push(RESTRICTED_CONTAINER[0]);
    if (!(container?.capabilities?.drop ?? []).includes("ALL")) gaps.push(RESTRICTED_CONTAINER[1]);
    if (!(container?.runAsNonRoot ?? pod?.runAsNonRoot)) gaps.push("runAsNonRoot: true");
    if ((container?.seccompProfile ?? pod?.seccompProfile)?.type !== "RuntimeDefault" && (container?.seccompProfile ?? pod?.seccompProfile)?.type !== "Localhost") gaps.push("seccompProfile RuntimeDefault");
    return gaps;
}

/**
 * Argo injects an `init` and a `wait` container (the executor) into every workflow pod, with the controller's
 * `executor.securityContext`; under Pod Security restricted they are refused unless it meets the profile.
 */
export function argoExecutorProblems(objects: Located[]): Problem[] {
    const hr = objects.find((l) => l.obj.kind === "HelmRelease" && l.obj.metadata.name === "argo-workflows");
    if (!hr || !objects.some((l) => ["WorkflowTemplate", "CronWorkflow", "Workflow"].includes(l.obj.kind))) return [];
    const v = hr.obj.spec?.values ?? {};
    const gaps = restrictedGaps(v.executor?.securityContext, v.controller?.workflowDefaults?.spec?.securityContext);
    return gaps.length
        ? [{ layer: hr.layer, message: `${idOf(hr.obj)}: runtime-fit: Argo's injected init/wait containers get values.executor.securityContext, which lacks ${gaps.join(", ")}: Pod Security restricted refuses every workflow pod; set them there (argo-workflows chart: executor.securityContext)` }]
        : [];
}

/**
 * Grafana interpolates environment variables (`$NAME`, `${NAME}`) in its provisioning files and keeps `$$` as a literal
 * `$`: a data link such as `${__value.raw}` must reach the file as `$${__value.raw}` (after Flux's own `$$` escape:
 * `$$$${__value.raw}` in Git).
 */
export function grafanaProvisioningProblems(objects: Located[]): Problem[] {
    const problems: Problem[] = [];
    for (const { layer, obj } of objects) {
        if (obj.kind !== "HelmRelease") continue;
        const g = obj.spec?.values?.grafana ?? (obj.spec?.chart?.spec?.chart === "grafana" ? obj.spec?.values : undefined);
        if (!g) continue;
        const walk = (v: unknown, at: string) => {
            if (typeof v === "string") {
                const afterFlux = obj.metadata.annotations?.["kustomize.toolkit.fluxcd.io/substitute"] === "disabled" ? v : v.replace(/\$\$/g, "$");
                for (const m of afterFlux.matchAll(/(\$+)(\{[A-Za-z_][A-Za-z0-9_.]*\}|[A-Za-z_][A-Za-z0-9_]*)/g)) {
                    if (m[1].length % 2 === 0) continue;
                    const ref = `$${m[2]}`;
                    problems.push({ layer, message: `${idOf(obj)}: runtime-fit: values.grafana.${at} reaches Grafana's provisioning file as '${afterFlux}': Grafana replaces ${ref} with an environment variable (empty); it must read $${ref} there, so $$$${ref} in Git (Flux turns $$ into $)` });
                }
            } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
            else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, at ? `${at}.${k}` : k);
        };
        for (const key of ["additionalDataSources", "datasources"]) if (g[key]) walk(g[key], key);
    }
    return problems;
}

/** A dashboard's folder annotation only works when Grafana's sidecar is told its name (folderAnnotation + folders from files). */
export function dashboardFolderProblems(objects: Located[]): Problem[] {
    const kps = objects.find((l) => l.obj.kind === "HelmRelease" && l.obj.spec?.values?.grafana?.sidecar?.dashboards);
    if (!kps) return [];
    const d = kps.obj.spec.values.grafana.sidecar.dashboards;
    const problems: Problem[] = [];
    for (const { layer, obj } of objects) {
        if (obj.kind !== "ConfigMap" || obj.metadata.labels?.[d.label ?? "grafana_dashboard"] !== String(d.labelValue ?? "1")) continue;
        for (const a of Object.keys(obj.metadata.annotations ?? {}).filter((k) => /folder/i.test(k))) {
            if (d.folderAnnotation !== a || d.provider?.foldersFromFilesStructure !== true) {
                problems.push({ layer, message: `${idOf(obj)}: runtime-fit: annotation ${a} is ignored: ${idOf(kps.obj)} must set grafana.sidecar.dashboards.folderAnnotation: ${a} and grafana.sidecar.dashboards.provider.foldersFromFilesStructure: true` });
            }
        }
    }
    return problems;
}

/** Namespaces under Pod Security restricted carry the label Kyverno's pss-restricted policy selects them by. */
export function kyvernoLabelProblems(objects: Located[]): Problem[] {
    const policy = objects.find((l) => l.obj.kind === "ClusterPolicy" && l.obj.metadata.name === "pss-restricted")?.obj;
    const sel: Record<string, string> | undefined = policy?.spec?.rules?.flatMap((r: any) => r.match?.any ?? [r.match]).find((m: any) => m?.resources?.namespaceSelector?.matchLabels)?.resources.namespaceSelector.matchLabels;
    if (!sel) return [];
    return objects
        .filter((l) => l.obj.kind === "Namespace" && l.obj.metadata.labels?.["pod-security.kubernetes.io/enforce"] === "restricted" && !selects(sel, l.obj.metadata.labels ?? {}))
        .map((l) => ({ layer: l.layer, message: `${idOf(l.obj)}: runtime-fit: enforces Pod Security restricted but lacks ${Object.entries(sel).map(([k, v]) => `${k}: ${v}`).join(", ")}, so Kyverno's pss-restricted policy never checks its pods; add the label` }));
}

/** All runtime-fit checks over one cluster's objects. */
export function runtimeFitProblems(objects: Located[], pools: PoolFacts[], facts = loadRuntimeFacts()): { errors: Problem[]; warnings: Problem[] } {
    const users = imageUserProblems(objects, facts.images);
    const fit = modelFitProblems(objects, pools, facts.models);
    return {
        errors: [
            ...replicaProblems(objects),
            ...users.errors,
            ...monitorPortProblems(objects),
            ...fit.errors,
            ...ipBlockProblems(objects),
            ...argoExecutorProblems(objects),
            ...grafanaProvisioningProblems(objects),
            ...dashboardFolderProblems(objects),
            ...kyvernoLabelProblems(objects),
        ],
        warnings: [...users.warnings, ...fit.warnings],
    };
}
