/**
 * Kubernetes workload shapes: where the pod spec lives in each pod-bearing kind, and a rule builder that runs one
 * check over every pod template of an object (Pods, the built-in controllers, KServe and Argo objects).
 *
 * Objects come either from `@pulumi/kubernetes` resources (props = the object's inputs, possibly with computed
 * values) or from YAML manifests; both arrive as `{ apiVersion, kind, metadata, spec }` under a type token
 * `kubernetes:<group>/<version>:<Kind>`.
 */
import { unknownCheckingProxy, type PolicyConfigSchema, type ReportViolation } from "@pulumi/policy";
import type { DefaultLevel, ResourceRule } from "./rule";
import { elements, known, UNKNOWN, UNKNOWN_STRING } from "./values";

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are schemaless here by design. */
export type Obj = Record<string, any>;

export interface ContainerRef {
    /** e.g. `containers[0] (vllm)`. */
    label: string;
    container: Obj;
}

export interface PodView {
    /** Where the pod spec sits in the object, e.g. `spec.template.spec`. */
    where: string;
    spec: Obj;
    /** The pod template's annotations (AppArmor profiles live there). */
    annotations: Obj;
    /** Serving workloads that should be probed (not Jobs, CronJobs, run-to-completion Pods or Argo steps). */
    longRunning: boolean;
}

export function parseKubernetesType(type: string): { group: string; version: string; kind: string } | undefined {
    const m = /^kubernetes:([^/]+)\/([^:]+):(.+)$/.exec(type);
    return m ? { group: m[1], version: m[2], kind: m[3] } : undefined;
}

/** Built-in and common CRD kinds whose pod template sits at a fixed path. */
const TEMPLATE_PATHS: Record<string, { path: string[]; longRunning: boolean }> = {
    "apps/Deployment": { path: ["spec", "template"], longRunning: true },
    "apps/StatefulSet": { path: ["spec", "template"], longRunning: true },
    "apps/DaemonSet": { path: ["spec", "template"], longRunning: true },
    "apps/ReplicaSet": { path: ["spec", "template"], longRunning: true },
    "extensions/Deployment": { path: ["spec", "template"], longRunning: true },
    "extensions/DaemonSet": { path: ["spec", "template"], longRunning: true },
    "core/ReplicationController": { path: ["spec", "template"], longRunning: true },
    "core/PodTemplate": { path: ["template"], longRunning: false },
    "batch/Job": { path: ["spec", "template"], longRunning: false },
    "batch/CronJob": { path: ["spec", "jobTemplate", "spec", "template"], longRunning: false },
    "argoproj.io/Rollout": { path: ["spec", "template"], longRunning: true },
    "keda.sh/ScaledJob": { path: ["spec", "jobTargetRef", "template"], longRunning: false },
};

/** KServe predictor/transformer/explainer fields that hold a single container (the model server). */
const KSERVE_CONTAINER_FIELDS = ["model", "sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "huggingface", "pmml", "lightgbm", "paddle", "alibi", "art"];

/** A value read for a synthetic pod spec: known values as they are, computed ones as the unknown sentinel. */
function raw(read: () => unknown): unknown {
    const v = known(read);
    return v === UNKNOWN ? UNKNOWN_STRING : v;
}

function list(read: () => unknown): unknown[] | string {
    const v = known(read);
    if (v === UNKNOWN) return UNKNOWN_STRING;
    return Array.isArray(v) ? elements(() => v) : [];
}

function concat(...parts: (unknown[] | string)[]): unknown[] | string {
    return parts.some((p) => p === UNKNOWN_STRING) ? UNKNOWN_STRING : (parts as unknown[][]).flat();
}

function mapOf(read: () => unknown): Obj {
    const v = known(read);
    return v && v !== UNKNOWN && typeof v === "object" ? (v as Obj) : {};
}

/** Every pod template of a Kubernetes object (none for kinds that carry no pods). */
export function podViews(type: string, obj: Obj): PodView[] {
    const t = parseKubernetesType(type);
    if (!t) return [];
    if (t.group === "core" && t.kind === "Pod") {
        const restart = known(() => obj.spec?.restartPolicy);
        const spec = known(() => obj.spec);
        if (!spec || spec === UNKNOWN) return [];
        return [{ where: "spec", spec, annotations: mapOf(() => obj.metadata?.annotations), longRunning: restart === undefined || restart === "Always" }];
    }
    const fixed = TEMPLATE_PATHS[`${t.group}/${t.kind}`];
    if (fixed) {
        const template = known(() => fixed.path.reduce<any>((o, k) => o?.[k], obj));
        if (!template || template === UNKNOWN) return [];
        const spec = known(() => template.spec);
        if (!spec || spec === UNKNOWN) return [];
        return [{ where: [...fixed.path, "spec"].join("."), spec, annotations: mapOf(() => template.metadata?.annotations), longRunning: fixed.longRunning }];
    }
    if (t.group === "serving.kserve.io") return kserveViews(t.kind, obj);
    if (t.group === "argoproj.io") return argoViews(t.kind, obj);
    return [];
}

function kserveViews(kind: string, obj: Obj): PodView[] {
    const annotations = mapOf(() => obj.metadata?.annotations);
    if (kind === "ServingRuntime" || kind === "ClusterServingRuntime") {
        const spec = known(() => obj.spec);
        if (!spec || spec === UNKNOWN) return [];
        return [{ where: "spec", spec, annotations: { ...annotations, ...mapOf(() => spec.annotations) }, longRunning: true }];
    }
    if (kind !== "InferenceService") return [];
    const views: PodView[] = [];
    for (const component of ["predictor", "transformer", "explainer"]) {
        const c = known(() => obj.spec?.[component]);
        if (!c || c === UNKNOWN) continue;
        const containers = list(() => c.containers);
        const extra = KSERVE_CONTAINER_FIELDS.flatMap((f) => {
            const v = known(() => c[f]);
            if (v === UNKNOWN) return [UNKNOWN_STRING];
            return v && typeof v === "object" ? [v] : [];
        });
        const spec = unknownCheckingProxy({
            containers: containers === UNKNOWN_STRING || extra.includes(UNKNOWN_STRING) ? UNKNOWN_STRING : [...(containers as unknown[]), ...extra],
            initContainers: raw(() => c.initContainers),
            securityContext: raw(() => c.securityContext),
            volumes: raw(() => c.volumes),
            hostNetwork: raw(() => c.hostNetwork),
            hostPID: raw(() => c.hostPID),
            hostIPC: raw(() => c.hostIPC),
            tolerations: raw(() => c.tolerations),
        });
        // Knative/KServe probe the model server themselves, so KServe components are not "long-running" for probes.
        views.push({ where: `spec.${component}`, spec, annotations: { ...annotations, ...mapOf(() => c.annotations) }, longRunning: false });
    }
    return views;
}

function argoViews(kind: string, obj: Obj): PodView[] {
    const wf = known(() => (kind === "CronWorkflow" ? obj.spec?.workflowSpec : obj.spec));
    if (!wf || wf === UNKNOWN || !["Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"].includes(kind)) return [];
    const base = kind === "CronWorkflow" ? "spec.workflowSpec" : "spec";
    const views: PodView[] = [];
    elements(() => wf.templates as Obj[]).forEach((tpl, i) => {
        const main = [known(() => tpl.container), known(() => tpl.script)].filter((c) => c !== undefined && c !== null);
        const containers = concat(
            main.map((c) => (c === UNKNOWN ? UNKNOWN_STRING : c)),
            list(() => tpl.containerSet?.containers),
            list(() => tpl.sidecars),
        );
        if (Array.isArray(containers) && containers.length === 0) return; // steps/dag/resource templates start no pod of their own
        const spec = unknownCheckingProxy({
            containers,
            initContainers: raw(() => tpl.initContainers),
            securityContext: raw(() => tpl.securityContext ?? wf.securityContext),
            volumes: concat(list(() => wf.volumes), list(() => tpl.volumes)),
            hostNetwork: raw(() => wf.hostNetwork),
            tolerations: concat(list(() => wf.tolerations), list(() => tpl.tolerations)),
        });
        const annotations = { ...mapOf(() => wf.podMetadata?.annotations), ...mapOf(() => tpl.metadata?.annotations) };
        const name = known(() => tpl.name);
        views.push({ where: `${base}.templates[${i}]${typeof name === "string" ? ` (${name})` : ""}`, spec, annotations, longRunning: false });
    });
    return views;
}

export type ContainerKind = "ephemeralContainers" | "initContainers" | "containers";
export const ALL_CONTAINER_KINDS: readonly ContainerKind[] = ["ephemeralContainers", "initContainers", "containers"];

/** The containers of a pod spec, each labelled for messages; computed lists or entries are skipped. */
export function containersOf(spec: Obj, kinds: readonly ContainerKind[] = ALL_CONTAINER_KINDS): ContainerRef[] {
    const out: ContainerRef[] = [];
    for (const kind of kinds) {
        const items = known(() => spec[kind]);
        if (items === UNKNOWN || !Array.isArray(items)) continue;
        items.forEach((_, i) => {
            const c = known(() => items[i]);
            if (!c || c === UNKNOWN || typeof c !== "object") return;
            const name = known(() => c.name);
            out.push({ label: `${kind}[${i}]${typeof name === "string" ? ` (${name})` : ""}`, container: c });
        });
    }
    return out;
}

export interface PodRuleArgs {
    name: string;
    description: string;
    enforcementLevel: DefaultLevel;
    /** Extra config properties (exemptNamespaces is always there). */
    configSchema?: PolicyConfigSchema["properties"];
    /** Namespaces exempt by default (the PSA exemption idea; the pack config can change it). */
    exemptNamespaces?: string[];
    check: (view: PodView, report: ReportViolation, config: Obj) => void;
}

/** A resource rule that runs `check` on every pod template of every Kubernetes object outside the exempt namespaces. */
export function podRule(args: PodRuleArgs): ResourceRule {
    return {
        name: args.name,
        description: args.description,
        enforcementLevel: args.enforcementLevel,
        configSchema: {
            properties: {
                exemptNamespaces: {
                    type: "array",
                    items: { type: "string" },
                    default: args.exemptNamespaces ?? ["kube-system"],
                    description: "Namespaces this rule skips (system namespaces whose pods need host access).",
                },
                ...(args.configSchema ?? {}),
            },
        },
        validateResource: (resource, report) => {
            if (!resource.type.startsWith("kubernetes:")) return;
            const views = podViews(resource.type, resource.props);
            if (views.length === 0) return;
            const config = resource.getConfig<Obj>();
            const ns = known(() => resource.props.metadata?.namespace);
            if (ns === UNKNOWN) return;
            if (typeof ns === "string" && (config.exemptNamespaces ?? []).includes(ns)) return;
            // "spec.template.spec.containers[0] (vllm): ..." when the message names a field of the pod spec.
            const locate = (view: PodView, message: string) => (/^[a-zA-Z]+\[\d+\]/.test(message) ? `${view.where}.${message}` : `${view.where}: ${message}`);
            for (const view of views) args.check(view, (message) => report(locate(view, message)), config);
        },
    };
}
