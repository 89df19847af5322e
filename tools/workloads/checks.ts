/**
 * Checks over the rendered AI stack (workloads/overlays/<stack>), shared by tests/workloads and usable from a CLI.
 * Each returns a list of problems, one line each, naming the object and what to change.
 */
import * as fs from "fs";
import * as path from "path";
import type { PoolFacts } from "../../components/gpu-pools/facts";
import { CLUSTER_VAR_KEYS } from "../../components/flux-bootstrap/cluster-vars";
import { GENERATED_SECRETS, type GeneratedSecretName } from "../../components/secrets/generated";
import { deprecatedMetrics, knownMetrics } from "./metrics-catalogue";
import { metricNames, normaliseTemplate, syntaxProblems } from "./promql";
import { POOL_LABEL, tolerationFor } from "./scheduling";

export interface Obj {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: any;
    data?: Record<string, string>;
}

const id = (o: Obj) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;

/**
 * Key Vault secrets the AI stack may read through ESO (README, section workloads, lists who creates each): the ones
 * the platform generates (GENERATED_SECRETS) and the ones a person adds, each documented in README's owners table.
 */
export const KEY_VAULT_SECRETS = [
    ...(Object.keys(GENERATED_SECRETS) as GeneratedSecretName[]),
    "hf-token",
    "jupyterhub-oauth-client-secret",
    "alertmanager-ml-platform-webhook-url",
    "alertmanager-oncall-webhook-url",
    "alertmanager-finops-webhook-url",
] as const;

/** Key Vault names of the LLM gateway's team keys (README "LLM gateway"). */
const GATEWAY_KEY = /^llm-gateway-key-[a-z][a-z0-9-]*[a-z0-9]$/;

export const CLUSTER_SECRET_STORE = "azure-key-vault";

export interface PodSpecAt {
    at: string;
    spec: any;
    /** Where the pod template's labels live (for workload identity). */
    labels: Record<string, string>;
}

/** Every pod spec an object carries, including KServe predictors and Argo workflow templates. */
export function podSpecs(o: Obj): PodSpecAt[] {
    const s = o.spec ?? {};
    switch (o.kind) {
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "Job":
            return [{ at: "spec.template.spec", spec: s.template?.spec ?? {}, labels: s.template?.metadata?.labels ?? {} }];
        case "CronJob":
            return [{ at: "spec.jobTemplate.spec.template.spec", spec: s.jobTemplate?.spec?.template?.spec ?? {}, labels: s.jobTemplate?.spec?.template?.metadata?.labels ?? {} }];
        case "InferenceService": {
            const p = s.predictor ?? {};
            return [{ at: "spec.predictor", spec: { ...p, containers: [p.model ?? {}, ...(p.containers ?? [])] }, labels: {} }];
        }
        case "WorkflowTemplate":
        case "CronWorkflow": {
            const wf = o.kind === "CronWorkflow" ? (s.workflowSpec ?? {}) : s;
            return (wf.templates ?? [])
                .filter((t: any) => t.container || t.script)
                .map((t: any) => ({
                    at: `${o.kind === "CronWorkflow" ? "spec.workflowSpec" : "spec"}.templates[${t.name}]`,
                    spec: { tolerations: t.tolerations ?? wf.tolerations, affinity: t.affinity ?? wf.affinity, securityContext: t.securityContext ?? wf.securityContext, containers: [t.container ?? t.script] },
                    labels: wf.podMetadata?.labels ?? {},
                }));
        }
        default:
            return [];
    }
}

function containers(spec: any): any[] {
    return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

const GPU_RESOURCE = /^(nvidia\.com\/(gpu|mig-.+)|amd\.com\/gpu)$/;

function requiredPools(spec: any): string[] | undefined {
    const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    const values = terms.flatMap((t: any) => (t.matchExpressions ?? []).filter((e: any) => e.key === POOL_LABEL && e.operator === "In").flatMap((e: any) => e.values));
    if (spec.nodeSelector?.[POOL_LABEL]) values.push(spec.nodeSelector[POOL_LABEL]);
    return values.length ? values : undefined;
}

function tolerates(spec: any, taint: string): boolean {
    const want = tolerationFor(taint);
    return (spec.tolerations ?? []).some(
        (t: any) =>
            (t.operator === "Exists" && (!t.key || t.key === want.key) && (!t.effect || t.effect === want.effect)) ||
            (t.key === want.key && (t.operator ?? "Equal") === "Equal" && t.value === want.value && (!t.effect || t.effect === want.effect)),
    );
}

/**
 * GPU scheduling matches the environment's pools: a GPU request names a resource some pool offers; node affinity pins
 * the pod to pools offering exactly that resource; the pod tolerates every taint of those pools. Pods without GPU
 * requests must not be pinned to GPU pools.
 */
export function schedulingProblems(objects: Obj[], pools: PoolFacts[], specsOf: (o: Obj) => PodSpecAt[] = podSpecs): string[] {
    const problems: string[] = [];
    const byName = new Map(pools.map((p) => [p.name, p]));
    for (const o of objects) {
        for (const { at, spec } of specsOf(o)) {
            const gpu = new Set<string>();
            for (const c of containers(spec)) for (const kind of ["requests", "limits"]) for (const r of Object.keys(c.resources?.[kind] ?? {})) if (GPU_RESOURCE.test(r)) gpu.add(r);
            const pinned = requiredPools(spec);
            if (!gpu.size) {
                const gpuPools = (pinned ?? []).filter((n) => byName.get(n)?.gpu);
                if (gpuPools.length) problems.push(`${id(o)} ${at}: pinned to GPU pool(s) ${gpuPools.join(", ")} without requesting a GPU`);
                continue;
            }
            if (gpu.size > 1) problems.push(`${id(o)} ${at}: requests several GPU resources (${[...gpu].join(", ")}); one pod, one kind`);
            const resource = [...gpu][0];
            const offering = pools.filter((p) => p.gpu?.resourceName === resource);
            if (!offering.length) {
                problems.push(`${id(o)} ${at}: requests ${resource} but no pool of this environment offers it (pools: ${pools.filter((p) => p.gpu).map((p) => `${p.name}=${p.gpu!.resourceName}`).join(", ") || "none with GPUs"})`);
                continue;
            }
            if (!pinned) {
                problems.push(`${id(o)} ${at}: requests ${resource} without node affinity ${POOL_LABEL} In [${offering.map((p) => p.name).join(", ")}]`);
                continue;
            }
            for (const n of pinned) {
                const p = byName.get(n);
                if (!p) problems.push(`${id(o)} ${at}: node affinity names pool '${n}', which this environment does not have`);
                else if (p.gpu?.resourceName !== resource) problems.push(`${id(o)} ${at}: node affinity allows pool ${n}, which does not offer ${resource}`);
                else for (const t of p.taints) if (!tolerates(spec, t)) problems.push(`${id(o)} ${at}: does not tolerate taint ${t} of pool ${n}`);
            }
        }
    }
    return problems;
}

/**
 * The pod specs JupyterHub's KubeSpawner builds from the profiles of a jupyterhub HelmRelease
 * (values.singleuser.profileList[].kubespawner_override): the namespace and ServiceAccount a server runs as, its node
 * selector, tolerations, image and extended resources. Not pods the release renders: servers start on demand.
 */
export function profileSpecs(o: Obj): (PodSpecAt & { namespace: string })[] {
    if (o.kind !== "HelmRelease" || o.spec?.chart?.spec?.chart !== "jupyterhub") return [];
    const su = o.spec.values?.singleuser ?? {};
    return (su.profileList ?? []).map((p: any, i: number) => {
        const k = p.kubespawner_override ?? {};
        return {
            at: `spec.values.singleuser.profileList[${p.slug ?? i}]`,
            namespace: k.namespace ?? o.spec.targetNamespace,
            labels: su.extraLabels ?? {},
            spec: {
                serviceAccountName: k.service_account ?? su.serviceAccountName,
                nodeSelector: k.node_selector ?? su.nodeSelector,
                tolerations: k.tolerations ?? su.extraTolerations,
                containers: [{ name: "notebook", image: k.image, resources: { requests: k.extra_resource_guarantees ?? {}, limits: k.extra_resource_limits ?? {} } }],
            },
        };
    });
}

/** JupyterHub profiles schedule as the environment's pools require (schedulingProblems over profileSpecs). */
export function notebookProfileProblems(objects: Obj[], pools: PoolFacts[]): string[] {
    return schedulingProblems(objects, pools, profileSpecs);
}

/** PromQL expressions of an object, each with where it came from (Grafana/Flagger templates normalised). */
export function promqlExpressions(o: Obj): { at: string; expr: string }[] {
    const out: { at: string; expr: string }[] = [];
    if (o.kind === "PrometheusRule") {
        for (const g of o.spec?.groups ?? []) for (const r of g.rules ?? []) out.push({ at: `${g.name}/${r.alert ?? r.record}`, expr: String(r.expr) });
    }
    if (o.kind === "MetricTemplate") out.push({ at: "spec.query", expr: normaliseTemplate(String(o.spec?.query)) });
    if (o.kind === "ScaledObject") for (const t of o.spec?.triggers ?? []) if (t.type === "prometheus") out.push({ at: `trigger ${t.name ?? ""}`, expr: String(t.metadata?.query) });
    if (o.kind === "Canary") for (const [k, q] of Object.entries(o.spec?.autoscalerRef?.primaryScalerQueries ?? {})) out.push({ at: `primaryScalerQueries.${k}`, expr: String(q) });
    if (o.kind === "ConfigMap" && o.metadata.labels?.grafana_dashboard === "1") {
        for (const [file, text] of Object.entries(o.data ?? {})) {
            let d: any;
            try {
                d = JSON.parse(text);
            } catch {
                continue; // dashboardProblems reports it
            }
            const panels = (d.panels ?? []).flatMap((p: any) => [p, ...(p.panels ?? [])]);
            for (const p of panels) for (const t of p.targets ?? []) if (t.expr) out.push({ at: `${file} "${p.title}" ${t.refId}`, expr: normaliseTemplate(String(t.expr)) });
            for (const v of d.templating?.list ?? []) {
                const q = typeof v.query === "string" ? v.query : v.query?.query;
                const m = typeof q === "string" ? /^label_values\((.+),\s*\w+\)$/.exec(q) : null;
                if (m) out.push({ at: `${file} variable ${v.name}`, expr: normaliseTemplate(m[1]) });
            }
        }
    }
    return out;
}

/** Names defined by recording rules in these objects. */
export function recordedNames(objects: Obj[]): Set<string> {
    const out = new Set<string>();
    for (const o of objects) if (o.kind === "PrometheusRule") for (const g of o.spec?.groups ?? []) for (const r of g.rules ?? []) if (r.record) out.add(r.record);
    return out;
}

/** Every expression parses and selects only catalogued (or recorded) metrics, none deprecated. */
export function promqlProblems(objects: Obj[]): string[] {
    const known = knownMetrics();
    const deprecated = deprecatedMetrics();
    const recorded = recordedNames(objects);
    const problems: string[] = [];
    for (const o of objects) {
        for (const { at, expr } of promqlExpressions(o)) {
            for (const p of new Set(syntaxProblems(expr))) problems.push(`${id(o)} ${at}: ${p}`);
            for (const name of metricNames(expr)) {
                if (deprecated.has(name)) problems.push(`${id(o)} ${at}: ${name} is deprecated (${deprecated.get(name)})`);
                else if (!known.has(name) && !recorded.has(name)) problems.push(`${id(o)} ${at}: metric ${name} is not in the metric catalogue (tools/workloads/metrics-catalogue.ts) nor a recording rule`);
            }
        }
    }
    return problems;
}

/** Dashboards: valid JSON, unique uids, Flux substitution disabled. */
export function dashboardProblems(objects: Obj[]): string[] {
    const problems: string[] = [];
    const uids = new Map<string, string>();
    for (const o of objects) {
        if (o.kind !== "ConfigMap" || o.metadata.labels?.grafana_dashboard !== "1") continue;
        if (o.metadata.annotations?.["kustomize.toolkit.fluxcd.io/substitute"] !== "disabled") problems.push(`${id(o)}: dashboards need annotation kustomize.toolkit.fluxcd.io/substitute: disabled`);
        for (const [file, text] of Object.entries(o.data ?? {})) {
            let d: any;
            try {
                d = JSON.parse(text);
            } catch (e) {
                problems.push(`${id(o)} ${file}: not valid JSON (${(e as Error).message})`);
                continue;
            }
            if (typeof d.uid !== "string" || !d.uid) problems.push(`${id(o)} ${file}: no uid`);
            else if (uids.has(d.uid)) problems.push(`${id(o)} ${file}: uid ${d.uid} also used by ${uids.get(d.uid)}`);
            else uids.set(d.uid, `${id(o)} ${file}`);
            if (!d.title) problems.push(`${id(o)} ${file}: no title`);
        }
    }
    return problems;
}

const RUNBOOK_URL = /^https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/main\/(docs\/runbooks\/[\w./-]+\.md)#([a-z0-9-]+)$/;

/** GitHub's anchor of a Markdown heading. */
export function anchorOf(heading: string): string {
    return heading.trim().toLowerCase().replace(/[^\w\s-]/g, "").replace(/\s/g, "-");
}

/** Every alert has severity, summary and a runbook_url into docs/runbooks/ whose file has a heading for that anchor. */
export function runbookProblems(objects: Obj[], root: string): string[] {
    const problems: string[] = [];
    for (const o of objects) {
        if (o.kind !== "PrometheusRule") continue;
        for (const g of o.spec?.groups ?? []) {
            for (const r of g.rules ?? []) {
                if (!r.alert) continue;
                const at = `${id(o)} ${g.name}/${r.alert}`;
                if (!r.labels?.severity) problems.push(`${at}: set labels.severity`);
                if (!r.annotations?.summary) problems.push(`${at}: set annotations.summary`);
                const url: string | undefined = r.annotations?.runbook_url;
                const m = url ? RUNBOOK_URL.exec(url) : null;
                if (!m) {
                    problems.push(`${at}: runbook_url ${url ?? "(missing)"} must point into docs/runbooks/ with an anchor`);
                    continue;
                }
                const file = path.join(root, m[1]);
                if (!fs.existsSync(file)) {
                    problems.push(`${at}: runbook ${m[1]} does not exist`);
                    continue;
                }
                const anchors = fs
                    .readFileSync(file, "utf8")
                    .split("\n")
                    .filter((l) => /^#{1,6}\s/.test(l))
                    .map((l) => anchorOf(l.replace(/^#+\s*/, "")));
                if (!anchors.includes(m[2])) problems.push(`${at}: ${m[1]} has no heading for #${m[2]}`);
            }
        }
    }
    return problems;
}

/** ESO, workload identity and Flux-variable wiring. */
export function wiringProblems(objects: Obj[]): string[] {
    const problems: string[] = [];
    const vars = new Set<string>(CLUSTER_VAR_KEYS);
    const secretsByNs = new Map<string, Set<string>>();
    for (const o of objects) {
        if (o.kind !== "ExternalSecret") continue;
        const store = o.spec?.secretStoreRef;
        if (store?.kind !== "ClusterSecretStore" || store?.name !== CLUSTER_SECRET_STORE) problems.push(`${id(o)}: use secretStoreRef ClusterSecretStore ${CLUSTER_SECRET_STORE}`);
        for (const d of o.spec?.data ?? []) {
            // Per-team gateway keys are one per aiplatform:gateway.teams entry (components/secrets gatewayKeyName).
            const key = String(d.remoteRef?.key);
            if (!(KEY_VAULT_SECRETS as readonly string[]).includes(key) && !GATEWAY_KEY.test(key)) problems.push(`${id(o)}: Key Vault secret '${d.remoteRef?.key}' is not in KEY_VAULT_SECRETS (document it in README, section workloads)`);
        }
        const ns = o.metadata.namespace ?? "";
        if (!secretsByNs.has(ns)) secretsByNs.set(ns, new Set());
        secretsByNs.get(ns)!.add(o.spec?.target?.name ?? o.metadata.name);
    }
    const serviceAccounts = new Map<string, Obj>(objects.filter((o) => o.kind === "ServiceAccount").map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]));
    for (const o of objects) {
        const ns = o.metadata.namespace ?? "";
        for (const { at, spec, labels } of podSpecs(o)) {
            for (const c of containers(spec)) {
                for (const e of c.env ?? []) {
                    const ref = e.valueFrom?.secretKeyRef;
                    if (ref && !ref.optional && !secretsByNs.get(ns)?.has(ref.name)) problems.push(`${id(o)} ${at} ${c.name}: secret ${ref.name} is not produced by an ExternalSecret in ${ns}`);
                }
                const image: string = c.image ?? "";
                if (image && (!/:[\w.-]+$/.test(image.split("@")[0].split("/").pop() ?? "") || /:latest$/.test(image))) problems.push(`${id(o)} ${at} ${c.name}: pin image ${image} to a version tag`);
            }
            if (labels["azure.workload.identity/use"] === "true" && spec.serviceAccountName) {
                const sa = serviceAccounts.get(`${ns}/${spec.serviceAccountName}`);
                if (sa && !/^\$\{\w+_client_id\}$/.test(sa.metadata.annotations?.["azure.workload.identity/client-id"] ?? "")) {
                    problems.push(`${id(o)}: ServiceAccount ${spec.serviceAccountName} needs annotation azure.workload.identity/client-id: \${<name>_client_id}`);
                }
            }
        }
        if (o.metadata.annotations?.["kustomize.toolkit.fluxcd.io/substitute"] === "disabled") continue;
        const text = JSON.stringify(o);
        for (const m of text.matchAll(/(\$+)\{([^}]*)\}/g)) {
            if (m[1].length % 2 === 0) continue;
            if (!vars.has(m[2])) problems.push(`${id(o)}: \${${m[2]}} is not a cluster-var (components/flux-bootstrap/cluster-vars.ts)`);
        }
    }
    return problems;
}
