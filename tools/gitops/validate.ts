/**
 * The offline GitOps validator: for every cluster (spoke stack) it renders the layer entry points
 * gitops-bootstrap/clusters/<stack>/<layer> (FLUX_LAYERS) with `kubectl kustomize`, validates every
 * object against its schema, runs the graph/convention checks over the cluster's objects, runs the policy pack's
 * Kubernetes rules on workloads, and checks that generated files are current.
 *
 * API (used by the plan tool and tests): `validateGitops({ envs })` → GitopsReport; `renderOverlay(path)`.
 */
import * as fs from "fs";
import * as path from "path";
import { namespaceValues, readStackConfig, REPO_ROOT } from "../../config/stack-files";
import { clusterPssVersion } from "../policy/cluster-version";
import type { PoolFacts } from "../../components/gpu-pools/facts";
import { CLUSTER_VAR_KEYS } from "../../components/flux-bootstrap/cluster-vars";
import { envOf, FLUX_LAYERS, type FluxLayer, layerPath } from "../../components/flux-bootstrap/layers";
import type { PolicyReport } from "../policy/evaluate";
import { checkCluster, idOf, type Located, publicHostProblems } from "./checks";
import { checkEgress, type FirewallRule, hubRevisionProblems } from "./egress";
import { digestPinning, loadDigestLock, lockProblems } from "./image-digests";
import { generateGitops, spokeStacks, staleGenerated } from "./generate";
import { meshProblems } from "./mesh";
import { layerTimingProblems, loadChartFacts, orderProblems } from "./order";
import { runtimeFitProblems } from "./runtime-fit";
import { stackFacts } from "../workloads/scheduling";
import type { ChartFactsFile } from "./vendor-chart-facts";
import { type K8sObject, KubectlMissingError, RenderError, renderOverlay } from "./render";
import { ChartValuesRegistry, SchemaRegistry } from "./schemas";
import { ConfigError } from "../../config/problems";

export { renderOverlay, KubectlMissingError, RenderError } from "./render";
export type { K8sObject } from "./render";

export interface OverlayReport {
    /** Cluster (stack) name, e.g. dev-uaenorth. */
    env: string;
    /** Entry point rendered, repository-relative. */
    path: string;
    /** Objects rendered. */
    objects: number;
    errors: string[];
    /** Advisory findings (advisory policy violations); they do not fail validation. */
    warnings: string[];
}

export interface GitopsReport {
    overlays: OverlayReport[];
    /** Total errors over all overlays. */
    errors: number;
}

export interface ValidateOptions {
    /** Clusters to validate: stack names (dev-uaenorth) or environments (dev); default every spoke stack. */
    envs?: string[];
    root?: string;
    /** Skip the policy pack (tests of the validator itself). */
    policy?: boolean;
    /** The stale-generated-file lines (staleGeneratedLines), when a caller validating one cluster at a time computed them once. */
    stale?: string[];
}

/** Bad input (unknown environment): the CLI prints the message and exits 2. */
export class GitopsUsageError extends Error {}

type PolicyFn = (objects: object[], opts?: { source?: string; pssVersion?: string }) => PolicyReport;

/** The policy engineer's evaluator, or why it cannot be used (the validator reports that instead of crashing). */
export function loadPolicyEvaluator(): PolicyFn | string {
    const file = path.join(__dirname, "..", "policy", "evaluate");
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(file);
        if (typeof mod.evaluateKubernetesObjects !== "function") return "policy pack not available (tools/policy/evaluate.ts exports no evaluateKubernetesObjects)";
        return mod.evaluateKubernetesObjects as PolicyFn;
    } catch (e) {
        return `policy pack not available (${((e as Error).message ?? String(e)).split("\n")[0]})`;
    }
}

export function selectStacks(envs: string[] | undefined, root = REPO_ROOT): string[] {
    const all = spokeStacks(root);
    if (!envs?.length) return all;
    const picked: string[] = [];
    for (const e of envs) {
        const m = all.filter((s) => s === e || envOf(s) === e);
        if (!m.length) throw new GitopsUsageError(`unknown environment '${e}'; valid: ${all.join(", ")}`);
        picked.push(...m.filter((s) => !picked.includes(s)));
    }
    return picked;
}

export interface Rendered {
    stack: string;
    layer: FluxLayer["name"];
    path: string;
    objects: K8sObject[];
    error?: string;
}

async function renderLayer(stack: string, layer: FluxLayer["name"], root: string): Promise<Rendered> {
    const entry = layerPath(stack, layer).replace(/^\.\//, "");
    const base: Rendered = { stack, layer, path: entry, objects: [] };
    if (!fs.existsSync(path.join(root, entry))) return { ...base, error: `${entry}: missing cluster entry point; run npx tsx tools/gitops/generate.ts` };
    const includes = FLUX_LAYERS.find((l) => l.name === layer)!.includes(stack);
    if (!fs.existsSync(path.join(root, includes))) {
        const owner = includes.startsWith("workloads/") ? " (the AI stack's overlay, issue 9)" : "";
        return { ...base, error: `${entry}: includes ${includes}, which does not exist yet${owner}` };
    }
    try {
        return { ...base, objects: await renderOverlay(path.join(root, entry)) };
    } catch (e) {
        if (e instanceof KubectlMissingError) throw e;
        if (e instanceof RenderError) return { ...base, error: e.message };
        throw e;
    }
}

const chartValues = new ChartValuesRegistry();
let sharedRegistry: SchemaRegistry | undefined;
/** One schema registry per process: each vendored validator is loaded once, whoever validates. */
export function schemaRegistry(): SchemaRegistry {
    return (sharedRegistry ??= new SchemaRegistry());
}

/** Chart name and version a HelmRelease installs (chart.spec, or the OCIRepository its chartRef names). */
export function releaseChart(hr: K8sObject, objects: K8sObject[]): { chart: string; version: string } | undefined {
    const spec = hr.spec?.chart?.spec;
    if (spec?.chart && spec.version) return { chart: spec.chart, version: String(spec.version) };
    const ref = hr.spec?.chartRef;
    if (ref?.kind === "OCIRepository") {
        const oci = objects.find((o) => o.kind === "OCIRepository" && o.metadata.name === ref.name && o.metadata.namespace === (ref.namespace ?? hr.metadata.namespace));
        const tag = oci?.spec?.ref?.tag;
        if (oci && tag) return { chart: String(oci.spec.url).split("/").pop()!, version: String(tag) };
    }
    return undefined;
}

/** The hub firewall's allow rules for `location`, or why they cannot be read (then every flow is reported). */
export function loadFirewallRules(location: string): FirewallRule[] | string {
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(path.join(__dirname, "..", "..", "components", "hub", "egress-rules"));
        return (mod.egressGroups(location) as { rules: FirewallRule[] }[]).flatMap((g) => g.rules);
    } catch (e) {
        return `hub egress rules not available (${((e as Error).message ?? String(e)).split("\n")[0]})`;
    }
}

/**
 * The object as the API server sees it after Flux's substitution, for CRD patterns that check a value holding a
 * variable (an image `${acr_login_server}/…` against an image-reference pattern): the ACR variable becomes a
 * login server of the same shape.
 */
function asSubstituted(o: K8sObject): K8sObject {
    const text = JSON.stringify(o);
    return text.includes("${acr_login_server}") ? JSON.parse(text.replaceAll("${acr_login_server}", "acr.azurecr.io")) : o;
}

/** Validates the rendered objects of one cluster (its layers); exported for fixture-based tests. */
export async function validateRendered(
    stack: string,
    layers: Rendered[],
    opts: {
        registry?: SchemaRegistry;
        policy?: PolicyFn | string | false;
        egress?: FirewallRule[] | string | false;
        /** The cluster's Pod Security version label (v1.N): the pss-* rules judge at it, as the cluster's PSA would. */
        pssVersion?: string;
        /** What the charts install (order model); default the vendored schemas/runtime/chart-facts.json. */
        chartFacts?: ChartFactsFile;
        /** Whether the cluster runs the Istio add-on (aks.serviceMesh); default from the stack file. */
        mesh?: boolean;
        /** The edge's public host labels and the stack file they come from; checked against the public Ingresses. */
        edge?: { file: string; hostnames: string[] };
    } = {},
): Promise<OverlayReport[]> {
    const registry = opts.registry ?? schemaRegistry();
    const reports = new Map<string, OverlayReport>(layers.map((l) => [l.layer, { env: stack, path: l.path, objects: l.objects.length, errors: l.error ? [l.error] : [], warnings: [] }]));

    // Schemas.
    await Promise.all(
        layers.flatMap((l) =>
            l.objects.map(async (o) => {
                const problems = await registry.validate(asSubstituted(o));
                for (const p of problems) reports.get(l.layer)!.errors.push(`${idOf(o)}: schema: ${p}`);
            }),
        ),
    );

    // HelmRelease values against the chart's own values schema, where it ships one.
    const everything = layers.flatMap((l) => l.objects);
    for (const l of layers) {
        for (const hr of l.objects.filter((o) => o.kind === "HelmRelease" && o.apiVersion.startsWith("helm.toolkit.fluxcd.io/"))) {
            const c = releaseChart(hr, everything);
            const problems = c ? chartValues.validate(c.chart, c.version, hr.spec?.values) : undefined;
            for (const p of problems ?? []) reports.get(l.layer)!.errors.push(`${idOf(hr)}: values of ${c!.chart} ${c!.version}: ${p}`);
        }
    }

    // A layer that did not render leaves its objects out: the checks below would report their absence (a namespace
    // without its default-deny, a dependsOn to nothing) on top of the real error. Report that error alone.
    const unrendered = layers.filter((l) => l.error);
    if (unrendered.length) {
        for (const l of layers.filter((x) => !x.error)) reports.get(l.layer)!.warnings.push(`cluster-wide checks and the policy pack skipped until ${unrendered.map((u) => u.layer).join(", ")} renders`);
        return [...reports.values()];
    }

    // Graph and conventions, over the whole cluster.
    const located: Located[] = layers.flatMap((l) => l.objects.map((obj) => ({ layer: l.layer, obj })));
    for (const p of checkCluster(located, { environment: envOf(stack), clusterVarKeys: CLUSTER_VAR_KEYS })) {
        (reports.get(p.layer) ?? reports.values().next().value!).errors.push(p.message);
    }

    // Order: CRD kinds and webhook-admitted objects behind a dependsOn chain to what installs them.
    const order = orderProblems(located, FLUX_LAYERS, opts.chartFacts ?? loadChartFacts(), (hr) => releaseChart(hr, everything));
    for (const p of order.errors) (reports.get(p.layer) ?? reports.values().next().value!).errors.push(p.message);
    for (const p of order.warnings) (reports.get(p.layer) ?? reports.values().next().value!).warnings.push(p.message);
    for (const p of layerTimingProblems(located, FLUX_LAYERS)) (reports.get(p.layer) ?? reports.values().next().value!).errors.push(p.message);

    // Runtime fit: scaled workloads without replicas, image users, monitor ports, model sizes against GPU memory.
    const fit = runtimeFitProblems(located, poolsOf(stack));
    for (const p of fit.errors) (reports.get(p.layer) ?? reports.values().next().value!).errors.push(p.message);
    for (const p of fit.warnings) (reports.get(p.layer) ?? reports.values().next().value!).warnings.push(p.message);
    for (const p of hubRevisionProblems(located, envOf(stack))) (reports.get(p.layer) ?? reports.values().next().value!).errors.push(p.message);

    // Mesh: STRICT and default deny in every workload namespace, authorization allows = NetworkPolicy flows.
    for (const p of meshProblems(located, opts.mesh ?? meshOf(stack))) (reports.get(p.layer) ?? reports.values().next().value!).errors.push(p.message);

    // Every published public name has exactly one Ingress, and every public Ingress a published name (only when every
    // layer rendered: a missing ai layer is reported above, not as missing Ingresses).
    if (opts.edge && layers.every((l) => !l.error)) {
        for (const p of publicHostProblems(located, opts.edge.hostnames, opts.edge.file)) (reports.get(p.layer) ?? reports.values().next().value!).errors.push(p.message);
    }

    // prd pulls mirrored upstream images by locked digest (or a locked tag); the rest are listed as UNPINNED (issue 22 §3).
    if (envOf(stack) === "prd") {
        const first = reports.values().next().value!;
        const lock = loadDigestLock();
        first.errors.push(...lockProblems(lock));
        const pins = digestPinning(located, (hr) => releaseChart(hr, everything), lock);
        for (const p of pins.errors) (reports.get(p.layer) ?? first).errors.push(p.message);
        for (const p of pins.warnings) (reports.get(p.layer) ?? first).warnings.push(p.message);
    }

    // The egress model: every external flow admitted by the hub firewall and the namespace's NetworkPolicies.
    if (opts.egress !== false) {
        const rules = opts.egress ?? loadFirewallRules(stack.split("-").slice(1).join("-"));
        if (typeof rules === "string") reports.values().next().value!.errors.push(`egress: ${rules}`);
        else for (const p of checkEgress(located, rules, (hr) => releaseChart(hr, everything))) (reports.get(p.layer) ?? reports.values().next().value!).errors.push(p.message);
    }

    // Policy pack on every rendered object: its Kubernetes rules find the pod specs themselves (pod controllers and
    // the pod templates inside KServe InferenceServices and Argo workflows) and skip objects without one.
    if (opts.policy !== false) {
        const evaluate = opts.policy ?? loadPolicyEvaluator();
        for (const l of layers) {
            const workloads = l.objects;
            if (!workloads.length) continue;
            const r = reports.get(l.layer)!;
            if (typeof evaluate === "string") {
                r.errors.push(`${evaluate}: ${workloads.length} object(s) not checked`);
                continue;
            }
            let report: PolicyReport;
            try {
                report = evaluate(workloads, { source: `${stack}/${l.layer}`, pssVersion: opts.pssVersion });
            } catch (e) {
                r.errors.push(`policy pack failed: ${(e as Error).message.split("\n")[0]}`);
                continue;
            }
            for (const v of report.violations) {
                const line = `policy ${v.policyName} (${v.enforcementLevel}): ${v.type.replace(/^kubernetes:/, "")} ${v.name}: ${v.message}`;
                (v.enforcementLevel === "mandatory" ? r.errors : r.warnings).push(line);
            }
        }
    }
    return [...reports.values()];
}

const pools = new Map<string, PoolFacts[]>();
/** The stack's pool facts (GPU memory for the model-fit check), read once per process. */
function poolsOf(stack: string): PoolFacts[] {
    if (!pools.has(stack)) pools.set(stack, stackFacts(stack).pools);
    return pools.get(stack)!;
}

/** Whether the stack file turns on the Istio add-on (aks.serviceMesh); an unreadable file is config validation's error. */
function meshOf(stack: string): boolean {
    try {
        const cfg = namespaceValues(readStackConfig(`Pulumi.${stack}.yaml`)) as { aks?: { serviceMesh?: unknown } };
        return Boolean(cfg.aks?.serviceMesh);
    } catch {
        return false;
    }
}

const renderCache = new Map<string, Promise<Rendered>>();

/**
 * The rendered layers of one cluster, each entry point built once per process (the plan validates each spoke,
 * tests inspect the same objects): kubectl runs at most three at a time.
 */
export function renderCluster(stack: string, root = REPO_ROOT): Promise<Rendered[]> {
    return Promise.all(
        FLUX_LAYERS.map((l) => {
            const k = `${root}|${stack}|${l.name}`;
            if (!renderCache.has(k)) renderCache.set(k, limit(() => renderLayer(stack, l.name, root)));
            return renderCache.get(k)!;
        }),
    );
}

/** Forgets a cluster's rendered layers: the plan validates each spoke once, so it keeps one spoke's objects at a time. */
export function releaseCluster(stack: string, root = REPO_ROOT): void {
    for (const l of FLUX_LAYERS) renderCache.delete(`${root}|${stack}|${l.name}`);
}

let running = 0;
const waiting: (() => void)[] = [];
/** At most three kubectl processes at once (the machine has few cores; kustomize is CPU-bound). */
async function limit<T>(fn: () => Promise<T>): Promise<T> {
    if (running >= 3) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
        return await fn();
    } finally {
        running--;
        waiting.shift()?.();
    }
}

/**
 * Starts rendering the clusters' layers now (kubectl runs in child processes) and then loading the schema modules
 * they need, so a caller with other work to do first — the plan runs the Pulumi programs — finds both done when it
 * validates. Bad input is left for validateGitops to report; render failures are reported there too.
 */
export function prefetchGitops(envs?: string[], root = REPO_ROOT): void {
    let stacks: string[];
    try {
        stacks = selectStacks(envs, root);
    } catch {
        return;
    }
    for (const s of stacks) {
        renderCluster(s, root).then(
            (layers) => schemaRegistry().preload(layers.flatMap((l) => l.objects)),
            () => undefined,
        );
    }
}

/** Generated files that differ from what the generator writes now (or why it cannot generate), one line each. */
export function staleGeneratedLines(root = REPO_ROOT): string[] {
    try {
        return staleGenerated(root, generateGitops(root));
    } catch (e) {
        const err = e as Error & { messages?: string[] };
        return (err.messages ?? [err.message]).map((m) => `cannot generate: ${m}`);
    }
}

export async function validateGitops(opts: ValidateOptions = {}): Promise<GitopsReport> {
    const root = opts.root ?? REPO_ROOT;
    const stacks = selectStacks(opts.envs, root);
    const rendered = (await Promise.all(stacks.map((s) => renderCluster(s, root)))).flat();

    // Generated files: each stale one is reported on the layers that include it.
    const stale = opts.stale ?? staleGeneratedLines(root);

    const registry = schemaRegistry();
    const policy = opts.policy === false ? false : loadPolicyEvaluator();
    const overlays: OverlayReport[] = [];
    for (const stack of stacks) {
        const layers = rendered.filter((r) => r.stack === stack);
        let reports: OverlayReport[];
        try {
            reports = await validateRendered(stack, layers, { registry, policy, pssVersion: clusterPssVersion(stack, root), edge: edgeHostnames(stack, root) });
        } catch (e) {
            // This cluster's own stack file is invalid: that is its one error; the other clusters are still checked.
            if (!(e instanceof ConfigError)) throw e;
            reports = layers.map((l, i) => ({ env: stack, path: l.path, objects: l.objects.length, errors: i ? [] : e.messages.map((m) => `cannot validate: ${m}`), warnings: [] }));
        }
        for (const line of stale) {
            const target = staleTarget(line, stack, reports);
            target?.errors.push(line);
        }
        overlays.push(...reports);
    }
    return { overlays, errors: overlays.reduce((n, o) => n + o.errors.length, 0) };
}

/** The public host labels the stack's edge publishes (none without the edge); undefined when the file cannot be read. */
function edgeHostnames(stack: string, root: string): { file: string; hostnames: string[] } | undefined {
    const file = `Pulumi.${stack}.yaml`;
    try {
        const cfg = namespaceValues(readStackConfig(file, root)) as { features?: { edge?: boolean }; edge?: { hostnames?: unknown } };
        const hostnames = cfg.features?.edge === false ? [] : cfg.edge?.hostnames;
        return Array.isArray(hostnames) ? { file, hostnames: hostnames.map(String) } : { file, hostnames: [] };
    } catch {
        return undefined; // the config's own validation reports an unreadable stack file
    }
}

/** Which overlay of `stack` a stale-generated-file line belongs to (cluster files: that cluster only). */
function staleTarget(line: string, stack: string, reports: OverlayReport[]): OverlayReport | undefined {
    // A generator that stopped on a spoke's stack file concerns that spoke only.
    const file = /^cannot generate: Pulumi\.([^.]+)\.yaml:/.exec(line);
    if (file) return file[1] === stack ? reports[0] : undefined;
    const m = /^gitops-bootstrap\/clusters\/([^/:]+)(?:\/([^/:]+))?/.exec(line);
    if (m) {
        if (m[1] !== stack) return undefined;
        return reports.find((r) => r.path.endsWith(`/${m[2] ?? "infra-controllers"}`)) ?? reports[0];
    }
    if (line.includes("/controllers/")) return reports.find((r) => r.path.endsWith("/infra-controllers"));
    if (line.includes("/configs/")) return reports.find((r) => r.path.endsWith("/infra-configs"));
    return reports[0];
}
