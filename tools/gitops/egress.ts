/**
 * The egress model: every connection a cluster opens to the outside, and whether both layers admit it — the hub
 * firewall (application rules: FQDN with leftmost-wildcard semantics + protocol:port; network rules: FQDN + TCP/UDP
 * port) and, for connections a pod opens, the NetworkPolicies (and CiliumNetworkPolicies) of its namespace.
 *
 * Flows, each with the fact behind it:
 * - image pulls of every container the tree renders (pod templates, KServe predictors, Argo templates, CloudNativePG
 *   clusters, AMD DeviceConfig) and of every image the pinned charts render by default (schemas/chart-images/,
 *   resolved against the release's values): the registry's real pull hosts (config/upstream/egress-hosts.ts).
 *   The kubelet pulls, so only the firewall applies; the platform ACR is reached through its private endpoint;
 * - Flux sources (Helm, OCI, Git): source-controller in flux-system (the extension owns that namespace's policies);
 * - model weights: containers that talk to the Hugging Face Hub (HF_TOKEN or MODEL_SOURCE=huggingface without
 *   HF_HUB_OFFLINE=1, or Text Embeddings Inference given a Hub model id) need every Hub download host;
 * - OS packages: the NVIDIA driver container (driver on) installs kernel headers from the Ubuntu archive over HTTP;
 * - alert receivers: AlertmanagerConfig objects name their receivers' hosts in `aiplatform.io/egress-hosts`
 *   (the URLs are Key Vault secrets; their hosts are not).
 * One problem per denied flow: namespace, workload, host:port, the layer that denies it and the fact's source.
 */
import { EGRESS_HOSTS, type HostFact } from "../../config/upstream/egress-hosts";
import { CHART_IMAGES_DIR, type ChartImages, type ImageField } from "./vendor-chart-images";
import { idOf, labelSelectorMatches, type Located, type Problem } from "./checks";
import { argValue } from "./runtime-fit";
import type { K8sObject } from "./render";
import * as fs from "fs";
import * as path from "path";

/** The firewall rules the model needs, as components/hub/egress-rules.ts declares them. */
export interface FirewallRule {
    kind: "application" | "network";
    name: string;
    fqdns?: string[];
    /** Application rules: "Https:443" | "Http:80". */
    protocols: string[];
    /** Network rules only. */
    ports?: string[];
}

export type Labels = Record<string, string>;

export interface Flow {
    layer: string;
    namespace: string;
    /** Object that causes the flow (kind namespace/name) and, where useful, the container or image path. */
    workload: string;
    host: string;
    port: number;
    /** "Https" for TLS on an application rule, "Http" for plain HTTP; network rules match TCP + port. */
    scheme: "Https" | "Http";
    /** Why the cluster contacts the host and where that fact comes from. */
    reason: string;
    /** Labels of the pod that opens the connection; undefined when the node does (image pulls). */
    podLabels?: Labels;
}

/** The cluster's own registry (private endpoint): `${acr_login_server}` before substitution, any *.azurecr.io after. */
const isPlatformRegistry = (host: string) => host === "${acr_login_server}" || host.endsWith(".azurecr.io");

export const EGRESS_HOSTS_ANNOTATION = "aiplatform.io/egress-hosts";

/** Registry host of an image reference (Docker's rule: a first segment with '.' or ':' or localhost, else docker.io). */
export function imageRegistry(ref: string): string {
    const i = ref.indexOf("/");
    if (i < 0) return "docker.io";
    const first = ref.slice(0, i);
    if (first.includes("${")) return first;
    return first.includes(".") || first.includes(":") || first === "localhost" ? first.replace(/^index\.docker\.io$/, "docker.io") : "docker.io";
}

function get(values: unknown, dotted: string): unknown {
    let v: any = values;
    for (const k of dotted.split(".")) {
        if (v === null || typeof v !== "object") return undefined;
        v = v[k];
    }
    return v;
}

function merge(a: unknown, b: unknown): unknown {
    if (b === undefined || b === null) return a;
    if (a && typeof a === "object" && !Array.isArray(a) && b && typeof b === "object" && !Array.isArray(b)) {
        const out: Record<string, unknown> = { ...(a as object) };
        for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
        return out;
    }
    return b;
}

/** The image reference a chart renders for one field, given the merged value at its path. */
export function chartImageRef(value: unknown, chartValues: unknown, repositoryDefault?: string): string | undefined {
    if (typeof value === "string") return value || undefined;
    if (!value || typeof value !== "object") return undefined;
    const v = value as Record<string, any>;
    const registry = [v.registry, v.defaultRegistry].find((x) => typeof x === "string" && x);
    let repository: string = typeof v.repository === "string" ? v.repository : typeof v.repo === "string" ? v.repo : "";
    if (!repository && typeof v.name === "string" && repositoryDefault) {
        repository = repositoryDefault.replace(/\{(\w+)\}/g, (_, k) => (k === "name" ? v.name : String(get(chartValues, k) ?? ""))).replace(/^\/+|\/+(?=\/)/g, "");
        return repository;
    }
    if (!repository) return undefined;
    const image = typeof v.image === "string" && v.image ? `/${v.image}` : "";
    return `${registry ? `${registry}/` : ""}${repository}${image}`;
}

const chartCache = new Map<string, ChartImages | null>();
/** Vendored default image fields of chart@version, or null when not vendored. */
export function chartImages(chart: string, version: string, dir = CHART_IMAGES_DIR): ChartImages | null {
    const k = `${dir}|${chart}@${version}`;
    if (!chartCache.has(k)) {
        const f = path.join(dir, `${chart}-${version}.json`);
        chartCache.set(k, fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, "utf8")) : null);
    }
    return chartCache.get(k)!;
}

const truthy = (x: unknown) => x === true || x === "true";

/** Top-level values keys holding Helm test pods: pulled only when the HelmRelease runs tests (spec.test.enable). */
const HELM_TEST_KEYS = new Set(["test", "tests", "testFramework", "chartTests"]);

/**
 * Images a release pulls: every vendored image field whose component is on (its `enabled` flag, the chart's
 * conditions, Helm tests only when the release runs them), resolved against the release's values.
 */
export function releaseImages(facts: ChartImages, values: unknown, helmTests = false): { path: string; ref: string }[] {
    const out: { path: string; ref: string }[] = [];
    const on = (vals: unknown, key: string | undefined, dflt: unknown) => {
        if (!key) return true;
        const v = get(vals, key);
        return v === undefined ? dflt !== false : truthy(v);
    };
    const take = (fields: ImageField[], vals: unknown, prefix: string, repositoryDefault?: string) => {
        for (const f of fields) {
            if (!on(vals, f.enabledBy, f.enabledDefault)) continue;
            if (!helmTests && HELM_TEST_KEYS.has(f.path.split(".")[0])) continue;
            const cond = prefix ? undefined : facts.conditions?.find((c) => f.path === c.prefix || f.path.startsWith(`${c.prefix}.`));
            if (cond && !on(vals, cond.key, cond.default)) continue;
            const ref = chartImageRef(merge(f.value, get(vals, f.path)), vals, repositoryDefault);
            if (ref) out.push({ path: `${prefix}${f.path}`, ref });
        }
    };
    take(facts.images, merge(facts.defaults ?? {}, values ?? {}), "", facts.repositoryDefault);
    for (const s of facts.subcharts) {
        if (on(values, s.condition, s.conditionDefault)) take(s.images, get(values, s.key) ?? {}, `${s.key}.`);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Flows.

interface PodSpecAt {
    spec: any;
    labels: Labels;
    /** Where the pod spec sits in the object (for messages). */
    at: string;
}

/** Pod specs an object renders (workload controllers, KServe predictors, Argo templates). */
export function podSpecs(o: K8sObject): PodSpecAt[] {
    const s = o.spec ?? {};
    const l = (m: any): Labels => ({ ...(m?.labels ?? {}) });
    switch (o.kind) {
        case "Pod":
            return [{ spec: s, labels: l(o.metadata), at: "spec" }];
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "ReplicaSet":
        case "Job":
            return [{ spec: s.template?.spec ?? {}, labels: l(s.template?.metadata), at: "spec.template.spec" }];
        case "CronJob":
            return [{ spec: s.jobTemplate?.spec?.template?.spec ?? {}, labels: l(s.jobTemplate?.spec?.template?.metadata), at: "spec.jobTemplate.spec.template.spec" }];
        case "InferenceService": {
            const p = s.predictor ?? {};
            const containers = [...(p.containers ?? []), ...(p.model ? [{ name: "kserve-container", ...p.model }] : [])];
            return [{ spec: { ...p, containers }, labels: { ...l(o.metadata), ...l(p), "serving.kserve.io/inferenceservice": o.metadata.name }, at: "spec.predictor" }];
        }
        case "Workflow":
        case "WorkflowTemplate":
        case "ClusterWorkflowTemplate":
        case "CronWorkflow": {
            const ws = o.kind === "CronWorkflow" ? (s.workflowSpec ?? {}) : s;
            // The controller labels every workflow pod with its workflow's name.
            const base = { ...l(ws.podMetadata), "workflows.argoproj.io/workflow": o.metadata.name };
            return (ws.templates ?? []).flatMap((t: any, i: number) => {
                const containers = [t.container, t.script, ...(t.containerSet?.containers ?? [])].filter(Boolean);
                if (!containers.length) return [];
                return [{ spec: { containers, initContainers: t.initContainers ?? [], sidecars: t.sidecars }, labels: { ...base, ...l(t.metadata) }, at: `spec.templates[${i}] (${t.name})` }];
            });
        }
        default:
            return [];
    }
}

const containersOf = (spec: any): any[] => [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.sidecars ?? []), ...(spec.ephemeralContainers ?? [])];

/** Image references outside pod specs: CloudNativePG clusters, AMD DeviceConfig fields. */
function otherImages(o: K8sObject): { at: string; ref: string }[] {
    if (o.kind === "Cluster" && o.apiVersion.startsWith("postgresql.cnpg.io/") && typeof o.spec?.imageName === "string") return [{ at: "spec.imageName", ref: o.spec.imageName }];
    if (o.kind === "DeviceConfig" && o.apiVersion.startsWith("amd.com/")) {
        const out: { at: string; ref: string }[] = [];
        const walk = (v: unknown, at: string) => {
            if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) typeof x === "string" && /image$/i.test(k) ? out.push({ at: `${at}.${k}`, ref: x }) : walk(x, `${at}.${k}`);
        };
        walk(o.spec, "spec");
        return out;
    }
    return [];
}

/** Whether a container talks to the Hugging Face Hub (token or source set, not forced offline). */
function usesHub(c: any): boolean {
    const env = new Map<string, any>((c.env ?? []).map((e: any) => [e.name, e]));
    if (env.get("HF_HUB_OFFLINE")?.value === "1") return false;
    return env.has("HF_TOKEN") || env.get("MODEL_SOURCE")?.value === "huggingface" || teiHubModel(c) !== undefined;
}

/**
 * The Hub model a Text Embeddings Inference container downloads: its `--model-id` unless that names a local folder
 * (text-embeddings-inference router/src/main.rs: `model_id`, "the name of the model to load… or a local path").
 */
export function teiHubModel(c: any): string | undefined {
    if (!/text-embeddings-inference/.test(String(c.image ?? ""))) return undefined;
    const id = argValue([...(c.command ?? []), ...(c.args ?? [])].map(String), "model-id");
    return id !== undefined && !id.startsWith("/") && !id.startsWith("{{") ? id : undefined;
}

/** A Hugging Face commit SHA: the only revision that cannot move under a running deployment. */
const COMMIT_SHA = /^[0-9a-f]{40}$/;
const HUB_PINNING_SOURCE = "https://huggingface.co/docs/huggingface_hub/guides/download#from-specific-version";

/**
 * In stg/prd every download from the Hugging Face Hub names a commit SHA: a branch or tag (`main`) can move, so two
 * replicas (or a rollback) would serve different weights than the ones approved in the model registry. Covers the
 * model servers (MODEL_REVISION env, KServe's --model_revision), Text Embeddings Inference (--revision) and Argo's
 * `revision` parameters.
 */
export function hubRevisionProblems(objects: Located[], environment: string): Problem[] {
    if (environment !== "stg" && environment !== "prd") return [];
    const problems: Problem[] = [];
    const refuse = (layer: string, where: string, rev: string | undefined) =>
        problems.push({ layer, message: `${where}: model-revision: downloads from the Hugging Face Hub at ${rev === undefined ? "no pinned revision" : `revision '${rev}'`} in ${environment}; stg/prd pin a 40-hex commit SHA from the model's history (a branch or tag moves: ${HUB_PINNING_SOURCE})` });
    for (const { layer, obj: o } of objects) {
        if (/^argoproj\.io\//.test(o.apiVersion)) {
            const spec = o.kind === "CronWorkflow" ? o.spec?.workflowSpec : o.spec;
            const params: any[] = spec?.arguments?.parameters ?? [];
            const source = params.find((x) => x.name === "source")?.value;
            const rev = params.find((x) => x.name === "revision");
            if (rev && (source ?? "huggingface") === "huggingface" && !COMMIT_SHA.test(String(rev.value ?? ""))) refuse(layer, `${idOf(o)} parameter revision`, rev.value);
            continue;
        }
        for (const p of podSpecs(o)) {
            for (const c of containersOf(p.spec)) {
                if (!usesHub(c)) continue;
                const args = (c.args ?? []).map(String);
                // TEI names it --revision (router/src/main.rs), vLLM/KServe env MODEL_REVISION or --model_revision.
                const rev = (c.env ?? []).find((e: any) => e.name === "MODEL_REVISION")?.value ?? argValue(args, "model_revision") ?? (teiHubModel(c) ? argValue(args, "revision") : undefined);
                if (!COMMIT_SHA.test(rev ?? "")) refuse(layer, `${idOf(o)} ${p.at} container ${c.name}`, rev);
            }
        }
    }
    return problems;
}

function hostFlows(base: Omit<Flow, "host" | "port" | "scheme" | "reason">, fact: HostFact, what: string): Flow[] {
    return fact.hosts.map((host) => ({ ...base, host, port: fact.port ?? 443, scheme: fact.port === 80 ? "Http" : "Https", reason: `${what}: ${fact.note} (${fact.source})` }));
}

/** One pull: the registry's hosts, or a problem when the registry has no usable host list. */
function pullFlows(layer: string, namespace: string, workload: string, ref: string, problems: Problem[]): Flow[] {
    const reg = imageRegistry(ref);
    if (isPlatformRegistry(reg)) return [];
    const fact = EGRESS_HOSTS.registries[reg];
    if (!fact) {
        problems.push({ layer, message: `egress: ${namespace} ${workload}: image ${ref}: registry ${reg} has no vendored pull-host list (config/upstream/egress-hosts.ts); pull it through the platform ACR (\${acr_login_server}/${reg}/…, artifact cache rule in components/registry)` });
        return [];
    }
    if (fact.mirrorOnly) {
        problems.push({ layer, message: `egress: ${namespace} ${workload}: image ${ref}: ${reg} pulls cannot be admitted by FQDN (${fact.note}; ${fact.source}); pull it through the platform ACR (\${acr_login_server}/${reg}/…)` });
        return [];
    }
    return hostFlows({ layer, namespace, workload: `${workload} image ${ref}` }, fact, `image pull from ${reg}`);
}

export interface ReleaseChart {
    (hr: K8sObject): { chart: string; version: string } | undefined;
}

/** One image an object makes the cluster pull: in a pod spec, another image field, or a pinned chart's default. */
export interface ImageUse {
    /** Object id and where in it, e.g. `Deployment ai-serving/vllm container vllm`. */
    workload: string;
    namespace: string;
    ref: string;
}

/**
 * The images one rendered object pulls: its pod specs' containers, CloudNativePG/AMD image fields, and a HelmRelease's
 * chart images (vendored defaults resolved against its values; `undefined` when the chart's facts are not vendored).
 */
export function objectImages(o: K8sObject, releaseChart: ReleaseChart, chartDir = CHART_IMAGES_DIR): ImageUse[] | undefined {
    const ns = o.metadata?.namespace ?? "";
    const id = idOf(o);
    const out: ImageUse[] = [];
    for (const p of podSpecs(o)) for (const c of containersOf(p.spec)) if (typeof c.image === "string") out.push({ workload: `${id} container ${c.name}`, namespace: ns, ref: c.image });
    for (const x of otherImages(o)) out.push({ workload: `${id} ${x.at}`, namespace: ns, ref: x.ref });
    if (o.kind === "HelmRelease" && /^helm\.toolkit\.fluxcd\.io\//.test(o.apiVersion)) {
        const c = releaseChart(o);
        if (!c) return out;
        const facts = chartImages(c.chart, c.version, chartDir);
        if (!facts) return undefined;
        const target = o.spec?.targetNamespace ?? ns;
        for (const img of releaseImages(facts, o.spec?.values, o.spec?.test?.enable === true)) out.push({ workload: `${id} (chart ${c.chart} ${c.version}, values ${img.path})`, namespace: target, ref: img.ref });
    }
    return out;
}

/** Every external flow of one cluster's rendered objects (and problems found while collecting them). */
export function clusterFlows(objects: Located[], releaseChart: ReleaseChart, chartDir = CHART_IMAGES_DIR): { flows: Flow[]; problems: Problem[] } {
    const flows: Flow[] = [];
    const problems: Problem[] = [];
    for (const { layer, obj: o } of objects) {
        const ns = o.metadata?.namespace ?? "";
        const id = idOf(o);
        const images = objectImages(o, releaseChart, chartDir);
        for (const img of images ?? []) flows.push(...pullFlows(layer, img.namespace, img.workload, img.ref, problems));
        for (const p of podSpecs(o)) {
            for (const c of containersOf(p.spec)) {
                if (usesHub(c)) flows.push(...hostFlows({ layer, namespace: ns, workload: `${id} container ${c.name}`, podLabels: p.labels }, EGRESS_HOSTS.huggingface, "model weights from the Hugging Face Hub"));
            }
        }

        if (/\.toolkit\.fluxcd\.io\//.test(o.apiVersion) && ["HelmRepository", "OCIRepository", "GitRepository", "Bucket"].includes(o.kind)) {
            const url: unknown = o.kind === "Bucket" ? `https://${o.spec?.endpoint}` : o.spec?.url;
            if (typeof url === "string" && !url.includes("${")) {
                try {
                    const host = new URL(url.replace(/^oci:\/\//, "https://")).hostname;
                    // An OCI chart is pulled like an image: the registry's blob hosts too.
                    if (o.kind === "OCIRepository" && EGRESS_HOSTS.registries[host]) flows.push(...pullFlows(layer, "flux-system", `${id} (source-controller)`, url.replace(/^oci:\/\//, ""), problems));
                    else flows.push({ layer, namespace: "flux-system", workload: `${id} (source-controller)`, host, port: 443, scheme: "Https", reason: `Flux fetches ${url}` });
                } catch {
                    problems.push({ layer, message: `egress: ${id}: '${url}' is not a URL` });
                }
            }
        }

        if (o.kind === "HelmRelease" && /^helm\.toolkit\.fluxcd\.io\//.test(o.apiVersion)) {
            const c = releaseChart(o);
            const target = o.spec?.targetNamespace ?? ns;
            if (!c) continue;
            if (!images) {
                problems.push({ layer, message: `egress: ${id}: chart ${c.chart} ${c.version} has no vendored image fields (schemas/chart-images/): add it to sources.json and run npx tsx tools/gitops/vendor-chart-images.ts` });
                continue;
            }
            if (c.chart === "gpu-operator" && get(merge({ driver: { enabled: true } }, o.spec?.values), "driver.enabled") !== false) {
                flows.push(...hostFlows({ layer, namespace: target, workload: `${id} nvidia-driver-daemonset`, podLabels: { app: "nvidia-driver-daemonset" } }, EGRESS_HOSTS.ubuntuArchive, "kernel headers for the NVIDIA driver build"));
            }
        }

        if (o.kind === "AlertmanagerConfig") {
            const declared = o.metadata?.annotations?.[EGRESS_HOSTS_ANNOTATION];
            const webhooks = (o.spec?.receivers ?? []).flatMap((r: any) => (r.webhookConfigs ?? []).map((w: any) => ({ r: r.name, w })));
            for (const { r, w } of webhooks) {
                if (typeof w.url === "string") {
                    const u = new URL(w.url);
                    flows.push({ layer, namespace: ns, workload: `${id} receiver ${r}`, host: u.hostname, port: Number(u.port || (u.protocol === "http:" ? 80 : 443)), scheme: u.protocol === "http:" ? "Http" : "Https", reason: "Alertmanager notification", podLabels: ALERTMANAGER_POD });
                } else if (!declared) {
                    problems.push({ layer, message: `egress: ${ns} ${id} receiver ${r}: its URL is a secret, so name the receivers' hosts in annotation ${EGRESS_HOSTS_ANNOTATION} (host[:port], comma-separated) for the firewall and NetworkPolicy checks` });
                }
            }
            for (const hp of String(declared ?? "").split(",").map((x) => x.trim()).filter(Boolean)) {
                const [host, port] = hp.split(":");
                flows.push({ layer, namespace: ns, workload: `${id} receivers`, host, port: Number(port ?? 443), scheme: port === "80" ? "Http" : "Https", reason: `Alertmanager notifications (${EGRESS_HOSTS_ANNOTATION})`, podLabels: ALERTMANAGER_POD });
            }
        }
    }
    return { flows, problems };
}

/** Labels prometheus-operator puts on Alertmanager pods (the namespace is the AlertmanagerConfig's: it selects it). */
const ALERTMANAGER_POD: Labels = { "app.kubernetes.io/name": "alertmanager" };

// ---------------------------------------------------------------------------------------------------------------
// Layers.

/** Azure Firewall FQDN matching: exact, or `*.suffix` for any name below the suffix (any depth, not the suffix). */
export function fqdnMatches(pattern: string, host: string): boolean {
    const p = pattern.toLowerCase();
    const h = host.toLowerCase();
    if (p === "*") return true;
    return p.startsWith("*.") ? h.endsWith(p.slice(1)) && h.length > p.length - 1 : h === p;
}

/** The firewall rule admitting a flow, or undefined. */
export function firewallAdmits(flow: Pick<Flow, "host" | "port" | "scheme">, rules: FirewallRule[]): FirewallRule | undefined {
    return rules.find((r) => {
        if (!(r.fqdns ?? []).some((f) => fqdnMatches(f, flow.host))) return false;
        if (r.kind === "application") return r.protocols.includes(`${flow.scheme}:${flow.port}`);
        return r.protocols.includes("TCP") && (r.ports ?? []).some((p) => portInRange(p, flow.port));
    });
}

function portInRange(spec: string | number, port: number): boolean {
    const [a, b] = String(spec).split("-").map(Number);
    return b === undefined ? a === port : port >= a && port <= b;
}

/** Whether one peer of a NetworkPolicy egress rule covers a public address (the firewall's egress path). */
function peerCoversInternet(peer: any): boolean {
    const cidr = peer.ipBlock?.cidr;
    return cidr === "0.0.0.0/0" || cidr === "::/0";
}

function portsAllow(ports: any[] | undefined, port: number): boolean {
    if (!ports?.length) return true;
    return ports.some((p) => (p.protocol ?? "TCP") === "TCP" && (p.port === undefined || (typeof p.port === "number" && (p.endPort ? port >= p.port && port <= p.endPort : p.port === port))));
}

/**
 * Whether the namespace's policies let a pod with `labels` open TCP `port` to a public host: isolated for egress
 * when any policy selects it with Egress (NetworkPolicy) or has egress rules (CiliumNetworkPolicy); then some rule
 * must admit it. Cilium: `toEntities: [world|all]` or a `toFQDNs` match, with `toPorts` covering the port.
 */
export function policiesAdmit(policies: K8sObject[], labels: Labels, host: string, port: number): { isolated: boolean; admitted: boolean } {
    let isolated = false;
    let admitted = false;
    for (const p of policies) {
        if (p.kind === "NetworkPolicy") {
            const types: string[] = p.spec?.policyTypes ?? (p.spec?.egress ? ["Ingress", "Egress"] : ["Ingress"]);
            if (!types.includes("Egress") || !labelSelectorMatches(p.spec?.podSelector, labels)) continue;
            isolated = true;
            for (const r of p.spec?.egress ?? []) {
                const peers = r.to ?? [];
                if ((peers.length === 0 || peers.some(peerCoversInternet)) && portsAllow(r.ports, port)) admitted = true;
            }
        } else if (p.kind === "CiliumNetworkPolicy") {
            const specs: any[] = [p.spec, ...((p as any).specs ?? [])].filter(Boolean);
            for (const s of specs) {
                const sel = s.endpointSelector ?? {};
                if (!labelSelectorMatches(sel, labels) || !(s.egress || s.egressDeny)) continue;
                isolated = true;
                for (const r of s.egress ?? []) {
                    const world = (r.toEntities ?? []).some((e: string) => e === "world" || e === "all");
                    const fqdn = (r.toFQDNs ?? []).some((f: any) => (f.matchName ? f.matchName === host : f.matchPattern ? new RegExp(`^${f.matchPattern.replace(/\./g, "\\.").replace(/\*/g, "[^.]*")}$`).test(host) : false));
                    const ports = (r.toPorts ?? []).flatMap((tp: any) => tp.ports ?? []);
                    const portOk = !ports.length || ports.some((x: any) => (x.protocol ?? "TCP") !== "UDP" && (x.port === undefined || Number(x.port) === port || x.port === "0"));
                    if ((world || fqdn) && portOk) admitted = true;
                }
            }
        }
    }
    return { isolated, admitted };
}

/** One problem per flow that a layer denies. */
export function deniedFlows(flows: Flow[], objects: Located[], rules: FirewallRule[]): Problem[] {
    const policies = new Map<string, K8sObject[]>();
    for (const { obj } of objects) {
        if (obj.kind !== "NetworkPolicy" && obj.kind !== "CiliumNetworkPolicy") continue;
        const ns = obj.metadata?.namespace ?? "";
        policies.set(ns, [...(policies.get(ns) ?? []), obj]);
    }
    const problems: Problem[] = [];
    const seen = new Set<string>();
    for (const f of flows) {
        const denials: string[] = [];
        if (!firewallAdmits(f, rules)) denials.push(`denied by the hub firewall (no ${f.scheme === "Http" ? "Http:80" : `${f.scheme}:${f.port}`} application rule or TCP ${f.port} network rule for ${f.host} in components/hub/egress-rules.ts)`);
        if (f.podLabels && f.namespace !== "flux-system") {
            const v = policiesAdmit(policies.get(f.namespace) ?? [], f.podLabels, f.host, f.port);
            if (v.isolated && !v.admitted) denials.push(`denied by the NetworkPolicies of namespace ${f.namespace} (none selecting pods ${Object.entries(f.podLabels).map(([k, x]) => `${k}=${x}`).slice(0, 2).join(",")} allows TCP ${f.port} to the Internet)`);
        }
        for (const d of denials) {
            const line = `egress: ${f.namespace} ${f.workload} → ${f.host}:${f.port}: ${d}; needed for ${f.reason}`;
            if (!seen.has(line)) {
                seen.add(line);
                problems.push({ layer: f.layer, message: line });
            }
        }
    }
    return problems;
}

/** The egress model over one cluster: problems of collection and one per denied flow. */
export function checkEgress(objects: Located[], rules: FirewallRule[], releaseChart: ReleaseChart, chartDir?: string): Problem[] {
    const { flows, problems } = clusterFlows(objects, releaseChart, chartDir);
    return [...problems, ...deniedFlows(flows, objects, rules)];
}
