/**
 * Graph and convention checks over the rendered objects of ONE cluster (all its layers together), pure functions
 * so tests can feed fixtures. Each problem names the layer and the object, and says what to change.
 *
 * - references: sourceRef/chartRef, dependsOn (existing and acyclic), substituteFrom/valuesFrom, secret stores,
 *   cert-manager issuers, ingress classes, namespaces;
 * - multi-tenancy of the managed Flux extension: Flux objects in flux-system, no cross-namespace references,
 *   HelmReleases place workloads with targetNamespace;
 * - Flux variable substitution: every ${var} is a cluster-vars key; objects with literal ${...} (dashboards,
 *   alert templates) carry kustomize.toolkit.fluxcd.io/substitute: disabled (or escape as $${...});
 * - releases: exact chart versions (ranges are errors in prd), install strategy RetryOnFailure, upgrade remediation
 *   with rollback.
 */
import { FLUX_APPLIER, FLUX_CONFIGURATION_NAME, FLUX_LAYERS, FLUX_NAMESPACE, layerKustomizationName } from "../../components/flux-bootstrap/layers";
import type { K8sObject } from "./render";
import { minVersion, validRange } from "semver";

export interface Located {
    /** Layer name (infra-controllers, infra-configs, ai). */
    layer: string;
    obj: K8sObject;
}

export interface Problem {
    layer: string;
    message: string;
}

export interface CheckContext {
    /** dev | stg | prd. */
    environment: string;
    /** Keys Flux substitutes (CLUSTER_VAR_KEYS). */
    clusterVarKeys: readonly string[];
    /** Ingress classes the platform serves. */
    ingressClasses?: readonly string[];
}

export const SUBSTITUTE_ANNOTATION = "kustomize.toolkit.fluxcd.io/substitute";
export const BUILTIN_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease", FLUX_NAMESPACE]);
export const INGRESS_CLASSES = ["nginx-public", "nginx-internal"];

const CLUSTER_SCOPED = new Set([
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "StorageClass",
    "IngressClass",
    "PersistentVolume",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "RuntimeClass",
    "APIService",
    "ClusterIssuer",
    "ClusterSecretStore",
    "ClusterExternalSecret",
    "ClusterPushSecret",
    "ClusterPolicy",
    "ClusterCleanupPolicy",
    "ClusterServingRuntime",
    "ClusterStorageContainer",
    "ClusterTriggerAuthentication",
    "ClusterWorkflowTemplate",
    "NodeFeatureRule",
    "GlobalContextEntry",
]);

const FLUX_GROUPS = /\.toolkit\.fluxcd\.io\//;

export function idOf(o: K8sObject): string {
    const ns = o.metadata?.namespace;
    return `${o.kind} ${ns ? `${ns}/` : ""}${o.metadata?.name}`;
}

function key(kind: string, ns: string | undefined, name: string): string {
    return `${kind}|${ns ?? ""}|${name}`;
}

/** The objects AKS creates from the FluxConfiguration (not in Git): the GitRepository and one Kustomization per layer. */
export function implicitObjects(): K8sObject[] {
    return [
        { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name: FLUX_CONFIGURATION_NAME, namespace: FLUX_NAMESPACE } },
        ...FLUX_LAYERS.map((l) => ({
            apiVersion: "kustomize.toolkit.fluxcd.io/v1",
            kind: "Kustomization",
            metadata: { name: layerKustomizationName(l.name), namespace: FLUX_NAMESPACE },
            spec: { dependsOn: l.dependsOn.map((d) => ({ name: layerKustomizationName(d) })) },
        })),
    ];
}

function isClusterScoped(o: K8sObject): boolean {
    return CLUSTER_SCOPED.has(o.kind) || (o.kind === "ClusterPolicy" && o.apiVersion.startsWith("nvidia.com/"));
}

function substitutionDisabled(o: K8sObject): boolean {
    return o.metadata?.annotations?.[SUBSTITUTE_ANNOTATION] === "disabled" || o.metadata?.labels?.[SUBSTITUTE_ANNOTATION] === "disabled";
}

/** Every string in an object (keys included), with its path. */
function* strings(v: unknown, at: string): Generator<[string, string]> {
    if (typeof v === "string") yield [at, v];
    else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) yield* strings(v[i], `${at}[${i}]`);
    else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
            if (k.includes("${")) yield [`${at}.${k}`, k];
            yield* strings(x, at ? `${at}.${k}` : k);
        }
    }
}

const VAR_NAME = /^#?([_A-Za-z][_A-Za-z0-9]*)(.*)$/s;
const VAR_OPERATOR = /^(:?[-=+?]|\^{1,2}|,{1,2}|\/|%{1,2}|#{1,2}|:)/;

/** `${...}` expressions Flux would substitute in `text` (`$${...}` is an escape and yields a literal `${...}`). */
export function variableExpressions(text: string): string[] {
    const out: string[] = [];
    const re = /\$+\{([^}]*)\}/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
        const dollars = m[0].indexOf("{");
        if (dollars % 2 === 0) continue; // $${x}: escaped
        out.push(m[1]);
    }
    return out;
}

/** The variable name of an expression (`name`, `name:=default`, ...), or undefined when Flux would reject it. */
export function variableName(expr: string): string | undefined {
    const m = VAR_NAME.exec(expr);
    if (!m) return undefined;
    if (m[2] !== "" && !VAR_OPERATOR.test(m[2])) return undefined;
    return m[1];
}

const isExactVersion = (v: string) => /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(v);

/**
 * What is wrong with a chart version, if anything: not a version at all (`latest`, `1.19.0.1`) is an error in every
 * environment, since source-controller cannot resolve it; a range (`1.19`, `~1.19.0`, `>=1 <2`) is one only in prd,
 * which pins exact versions.
 */
function chartVersionProblem(version: string, prd: boolean): string | undefined {
    if (isExactVersion(version)) return undefined;
    if (!validRange(version)) return `chart version '${version}' is neither a semver version (1.2.3) nor a semver range (~1.2.0, 1.x)`;
    return prd ? `chart version '${version}' is a range: prd pins exact versions (e.g. ${minVersion(version)?.version ?? "1.2.3"})` : undefined;
}

export function checkCluster(objects: Located[], ctx: CheckContext): Problem[] {
    const problems: Problem[] = [];
    const add = (layer: string, o: K8sObject, msg: string) => problems.push({ layer, message: `${idOf(o)}: ${msg}` });
    const all: Located[] = [...implicitObjects().map((obj) => ({ layer: "(FluxConfiguration)", obj })), ...objects];
    const index = new Map<string, Located>();
    for (const l of objects) {
        const k = key(l.obj.kind, l.obj.metadata?.namespace, l.obj.metadata?.name);
        const prev = index.get(k);
        if (prev) add(l.layer, l.obj, `declared twice (also in layer ${prev.layer}); one object may have one owner`);
        else index.set(k, l);
    }
    for (const l of all.slice(0, implicitObjects().length)) index.set(key(l.obj.kind, l.obj.metadata.namespace, l.obj.metadata.name), l);
    const exists = (kind: string, ns: string | undefined, name: string) => index.has(key(kind, ns, name));
    const namespaces = new Map<string, K8sObject>(objects.filter((l) => l.obj.kind === "Namespace").map((l) => [l.obj.metadata.name, l.obj]));
    const prd = ctx.environment === "prd";
    const vars = new Set(ctx.clusterVarKeys);
    const classes = ctx.ingressClasses ?? INGRESS_CLASSES;

    for (const { layer, obj: o } of objects) {
        const ns = o.metadata?.namespace;
        const spec = o.spec ?? {};
        if (!o.metadata?.name) {
            problems.push({ layer, message: `${o.kind}: has no metadata.name` });
            continue;
        }

        // Namespaces.
        if (isClusterScoped(o)) {
            if (ns) add(layer, o, `is cluster-scoped: remove metadata.namespace`);
        } else if (!ns) {
            add(layer, o, `has no metadata.namespace: set it (Flux would otherwise apply it to the default namespace)`);
        } else if (!BUILTIN_NAMESPACES.has(ns) && !namespaces.has(ns)) {
            add(layer, o, `namespace '${ns}' is not declared by any Namespace object of this cluster`);
        }

        // Flux objects and multi-tenancy.
        const isFlux = FLUX_GROUPS.test(o.apiVersion);
        if (isFlux && ns !== FLUX_NAMESPACE) {
            add(layer, o, `multi-tenancy is enforced: Flux objects must live in ${FLUX_NAMESPACE} (place the workload with spec.targetNamespace)`);
        }
        const refNs = (ref: { namespace?: string } | undefined, what: string) => {
            if (ref?.namespace && ref.namespace !== FLUX_NAMESPACE) add(layer, o, `${what} points to namespace '${ref.namespace}': cross-namespace references are refused under multi-tenancy`);
            return ref?.namespace ?? ns;
        };

        if (o.kind === "HelmRelease" && isFlux) {
            if (!spec.targetNamespace) add(layer, o, `set spec.targetNamespace (the release's namespace; the HelmRelease itself stays in ${FLUX_NAMESPACE})`);
            if (spec.serviceAccountName && spec.serviceAccountName !== FLUX_APPLIER) add(layer, o, `spec.serviceAccountName must be ${FLUX_APPLIER} (the applier the managed extension creates)`);
            const chartSpec = spec.chart?.spec;
            if (chartSpec) {
                const ref = chartSpec.sourceRef ?? {};
                const rns = refNs(ref, "spec.chart.spec.sourceRef");
                if (!exists(ref.kind, rns, ref.name)) add(layer, o, `spec.chart.spec.sourceRef ${ref.kind} ${rns}/${ref.name} does not exist`);
                const version: unknown = chartSpec.version;
                if (version === undefined || version === "*" || version === "") add(layer, o, `pin an exact chart version (spec.chart.spec.version)`);
                else {
                    const problem = chartVersionProblem(String(version), prd);
                    if (problem) add(layer, o, problem);
                }
            } else if (spec.chartRef) {
                const ref = spec.chartRef;
                const rns = refNs(ref, "spec.chartRef");
                if (!exists(ref.kind, rns, ref.name)) add(layer, o, `spec.chartRef ${ref.kind} ${rns}/${ref.name} does not exist`);
            } else {
                add(layer, o, `has neither spec.chart nor spec.chartRef`);
            }
            const upg = spec.upgrade?.remediation;
            // A first install meets dependencies still starting (CRDs, webhooks, GPU nodes scaling from zero): Flux 2.7's
            // RetryOnFailure retries at an interval without uninstalling; remediation retries stop for good after N.
            if (spec.install?.strategy?.name !== "RetryOnFailure") add(layer, o, `set spec.install.strategy {name: RetryOnFailure, retryInterval: 2m} so a failed first install is retried until its dependencies are up (remediation retries give up after N)`);
            if (!(upg?.retries > 0) || !(upg?.strategy === "rollback" || upg?.strategy === undefined) || upg?.remediateLastFailure === false) {
                add(layer, o, `set spec.upgrade.remediation (retries > 0, strategy rollback) so a failed upgrade rolls back`);
            }
            for (const v of spec.valuesFrom ?? []) {
                if (v.optional) continue;
                const produced = exists(v.kind, ns, v.name) || (v.kind === "Secret" && objects.some((x) => x.obj.kind === "ExternalSecret" && x.obj.metadata.namespace === ns && (x.obj.spec?.target?.name ?? x.obj.metadata.name) === v.name));
                if (!produced) add(layer, o, `spec.valuesFrom ${v.kind} ${ns}/${v.name} does not exist (mark it optional or add it)`);
            }
        }
        if (o.kind === "OCIRepository" && isFlux) {
            const ref = spec.ref ?? {};
            if (!ref.tag && !ref.digest && !ref.semver) add(layer, o, `pin spec.ref.tag or spec.ref.digest`);
            if (ref.semver && prd) add(layer, o, `spec.ref.semver '${ref.semver}' is a range: prd pins a tag or digest`);
            if (ref.tag && !ref.digest && !isExactVersion(ref.tag) && prd) add(layer, o, `spec.ref.tag '${ref.tag}' is not an exact version`);
        }
        if (o.kind === "HelmChart" && isFlux && spec.version) {
            const problem = chartVersionProblem(String(spec.version), prd);
            if (problem) add(layer, o, problem);
        }
        if (o.kind === "Kustomization" && isFlux) {
            const ref = spec.sourceRef ?? {};
            const rns = refNs(ref, "spec.sourceRef");
            if (!exists(ref.kind, rns, ref.name)) add(layer, o, `spec.sourceRef ${ref.kind} ${rns}/${ref.name} does not exist`);
            for (const s of spec.postBuild?.substituteFrom ?? []) {
                if (!s.optional && !exists(s.kind, ns, s.name)) add(layer, o, `spec.postBuild.substituteFrom ${s.kind} ${ns}/${s.name} does not exist`);
            }
        }
        if (isFlux && (o.kind === "HelmRelease" || o.kind === "Kustomization")) {
            for (const d of spec.dependsOn ?? []) {
                const dns = refNs(d, "spec.dependsOn");
                if (!exists(o.kind, dns, d.name)) add(layer, o, `spec.dependsOn ${o.kind} ${dns}/${d.name} does not exist`);
            }
        }

        // Secrets, certificates, ingress.
        if (o.kind === "ExternalSecret" || o.kind === "PushSecret") {
            const ref = spec.secretStoreRef ?? {};
            const storeKind = ref.kind ?? "SecretStore";
            if (storeKind === "ClusterSecretStore") {
                const store = index.get(key("ClusterSecretStore", undefined, ref.name));
                if (!store) add(layer, o, `spec.secretStoreRef ClusterSecretStore ${ref.name} does not exist`);
                else {
                    const why = storeRefusal(store.obj, ns, namespaces.get(ns ?? ""));
                    if (why) add(layer, o, why);
                }
            } else if (!exists("SecretStore", ns, ref.name)) add(layer, o, `spec.secretStoreRef SecretStore ${ns}/${ref.name} does not exist`);
        }
        if (o.kind === "Certificate" && o.apiVersion.startsWith("cert-manager.io/")) {
            const ref = spec.issuerRef ?? {};
            const kind = ref.kind ?? "Issuer";
            if (!exists(kind, kind === "ClusterIssuer" ? undefined : ns, ref.name)) add(layer, o, `spec.issuerRef ${kind} ${ref.name} does not exist`);
        }
        if (o.kind === "Ingress" && spec.ingressClassName && !classes.includes(spec.ingressClassName)) {
            add(layer, o, `spec.ingressClassName '${spec.ingressClassName}' is not served (use ${classes.join(" or ")})`);
        }

        // Flux variable substitution.
        if (!substitutionDisabled(o)) {
            const seen = new Set<string>();
            for (const [at, text] of strings(o, "")) {
                for (const expr of variableExpressions(text)) {
                    if (seen.has(expr)) continue;
                    seen.add(expr);
                    const name = variableName(expr);
                    if (name === undefined) {
                        add(layer, o, `'\${${expr}}' at ${at} is not a valid Flux variable: escape it as $\${...} or annotate the object ${SUBSTITUTE_ANNOTATION}: disabled`);
                    } else if (!vars.has(name)) {
                        add(layer, o, `undefined variable \${${name}} at ${at}: not a cluster-vars key (components/flux-bootstrap/cluster-vars.ts); if it is literal text (dashboard, alert template) annotate the object ${SUBSTITUTE_ANNOTATION}: disabled`);
                    }
                }
            }
        }
    }

    // Every namespace the tree declares starts from default deny (the policy may live in any layer).
    const denyAll = (o: K8sObject) =>
        o.kind === "NetworkPolicy" &&
        Object.keys(o.spec?.podSelector ?? {}).length === 0 &&
        ["Ingress", "Egress"].every((t) => (o.spec?.policyTypes ?? []).includes(t)) &&
        !(o.spec?.ingress ?? []).length &&
        !(o.spec?.egress ?? []).length;
    const denied = new Set(objects.filter((l) => denyAll(l.obj)).map((l) => l.obj.metadata.namespace));
    for (const [name, ns] of namespaces) {
        if (!denied.has(name)) {
            const layer = objects.find((l) => l.obj === ns)!.layer;
            add(layer, ns, `has no default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress], no rules); add one and explicit allows`);
        }
    }

    problems.push(...dependencyCycles(all));
    return problems;
}

/** Why a ClusterSecretStore refuses ExternalSecrets of namespace `ns` (its spec.conditions), or undefined. */
function storeRefusal(store: K8sObject, ns: string | undefined, nsObj: K8sObject | undefined): string | undefined {
    const conditions: any[] = store.spec?.conditions ?? [];
    if (!conditions.length) return undefined;
    const labels: Record<string, string> = { ...(nsObj?.metadata?.labels ?? {}), "kubernetes.io/metadata.name": ns ?? "" };
    const matches = (c: any): boolean => {
        if (c.namespaces?.includes(ns)) return true;
        if (c.namespaceRegexes?.some((r: string) => new RegExp(r).test(ns ?? ""))) return true;
        return !!c.namespaceSelector && labelSelectorMatches(c.namespaceSelector, labels);
    };
    if (conditions.some(matches)) return undefined;
    return `namespace '${ns}' may not use ClusterSecretStore ${store.metadata.name} (its spec.conditions; label the namespace aiplatform.io/tier: platform or ai)`;
}

/** dependsOn cycles among HelmReleases and among Kustomizations. */
export function dependencyCycles(objects: Located[]): Problem[] {
    const problems: Problem[] = [];
    for (const kind of ["HelmRelease", "Kustomization"]) {
        const nodes = objects.filter((l) => l.obj.kind === kind && FLUX_GROUPS.test(l.obj.apiVersion));
        const id = (o: K8sObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
        const byId = new Map(nodes.map((l) => [id(l.obj), l]));
        const edges = new Map(nodes.map((l) => [id(l.obj), (l.obj.spec?.dependsOn ?? []).map((d: any) => `${d.namespace ?? l.obj.metadata.namespace ?? ""}/${d.name}`).filter((d: string) => byId.has(d))]));
        const state = new Map<string, 1 | 2>();
        const reported = new Set<string>();
        const visit = (n: string, stack: string[]) => {
            state.set(n, 1);
            for (const m of edges.get(n) ?? []) {
                if (state.get(m) === 1) {
                    const cycle = [...stack.slice(stack.indexOf(m)), m];
                    const sig = [...cycle].sort().join(",");
                    if (!reported.has(sig)) {
                        reported.add(sig);
                        const at = byId.get(m)!;
                        problems.push({ layer: at.layer, message: `${kind} dependsOn cycle: ${cycle.map((c) => c.split("/")[1]).join(" → ")}` });
                    }
                } else if (!state.has(m)) visit(m, [...stack, m]);
            }
            state.set(n, 2);
        };
        for (const n of byId.keys()) if (!state.has(n)) visit(n, [n]);
    }
    return problems;
}

/** The public host form the edge publishes for a label (Flux substitutes the variables). */
export const publicHost = (label: string) => `${label}.\${environment}.\${dns_zone}`;

/**
 * The edge's DNS records against the public Ingresses (class nginx-public) of one cluster (issue 22 §6): a record
 * that no Ingress owns points Cloudflare at the public controller for a name anyone able to create an Ingress could
 * claim, and an Ingress for a name the edge does not publish has no record and no origin certificate. `hostnames`
 * are the labels of `aiplatform:edge.hostnames` in `file`.
 */
export function publicHostProblems(objects: Located[], hostnames: readonly string[], file: string): Problem[] {
    const problems: Problem[] = [];
    const served = new Map<string, Located>();
    for (const l of objects) {
        if (l.obj.kind !== "Ingress" || l.obj.spec?.ingressClassName !== "nginx-public") continue;
        for (const r of l.obj.spec?.rules ?? []) {
            const host: string = r.host ?? "";
            const label = host.endsWith(publicHost("")) ? host.slice(0, -publicHost("").length) : undefined;
            if (label === undefined || !hostnames.includes(label)) {
                problems.push({ layer: l.layer, message: `${idOf(l.obj)}: public host '${host}' is not published by the edge (${file}: aiplatform:edge.hostnames = ${JSON.stringify(hostnames)}); serve <label>.\${environment}.\${dns_zone} for one of them` });
                continue;
            }
            const prev = served.get(label);
            if (prev) problems.push({ layer: l.layer, message: `${idOf(l.obj)}: public host '${host}' is already served by ${idOf(prev.obj)}; one Ingress owns each public name` });
            else served.set(label, l);
        }
    }
    const layer = objects.find((l) => l.layer === "ai")?.layer ?? objects[0]?.layer ?? "ai";
    for (const label of hostnames) {
        if (!served.has(label)) {
            problems.push({ layer, message: `${file}: aiplatform:edge.hostnames publishes '${label}' (${publicHost(label)}) but no Ingress of class nginx-public in this cluster serves it; remove the label or add its Ingress (an unowned record can be claimed)` });
        }
    }
    return problems;
}

/** Whether a Kubernetes label selector (matchLabels + matchExpressions) matches `labels`; no selector matches all. */
export function labelSelectorMatches(selector: any, labels: Record<string, string>): boolean {
    if (!selector) return true;
    const okLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const okExpr = (selector.matchExpressions ?? []).every((e: any) => {
        const v = labels[e.key];
        switch (e.operator) {
            case "In":
                return v !== undefined && e.values.includes(v);
            case "NotIn":
                return v === undefined || !e.values.includes(v);
            case "Exists":
                return v !== undefined;
            case "DoesNotExist":
                return v === undefined;
            default:
                return false;
        }
    });
    return okLabels && okExpr;
}
