/**
 * The order model: every object a layer (Flux Kustomization) or a HelmRelease applies whose kind comes from a CRD, or
 * that an admission webhook with failurePolicy Fail admits, must sit behind a dependsOn chain to what installs that
 * CRD or webhook — otherwise Flux's dry-run (Kustomization) or Helm's install fails, or, for charts that check
 * .Capabilities, the object is silently left out. What each pinned chart installs is vendored in
 * schemas/runtime/chart-facts.json (tools/gitops/vendor-chart-facts.ts).
 *
 * "Behind a chain": the installer is the release itself; or it is reachable through the release's spec.dependsOn
 * (transitively); or it lives in a layer the object's layer depends on (layers wait: true, so an earlier layer's
 * releases are Ready before a later layer is applied). A chart that reads a Secret with Helm `lookup` (vendored per
 * chart) is out of order by construction: the lookup runs before the Secret exists.
 */
import * as fs from "fs";
import * as path from "path";
import type { FluxLayer } from "../../components/flux-bootstrap/layers";
import { podSpecs } from "../workloads/checks";
import { REPO_ROOT } from "../../config/stack-files";
import { idOf, type Located, type Problem } from "./checks";
import { KUBERNETES_GROUPS } from "./kubernetes-groups";
import type { K8sObject } from "./render";
import type { ChartFacts, ChartFactsFile } from "./vendor-chart-facts";

export const CHART_FACTS_FILE = "schemas/runtime/chart-facts.json";

let cached: ChartFactsFile | undefined;
export function loadChartFacts(root = REPO_ROOT): ChartFactsFile {
    if (root !== REPO_ROOT) return JSON.parse(fs.readFileSync(path.join(root, CHART_FACTS_FILE), "utf8"));
    return (cached ??= JSON.parse(fs.readFileSync(path.join(root, CHART_FACTS_FILE), "utf8")));
}

const FLUX_GROUP = /\.toolkit\.fluxcd\.io$/;

const groupOf = (o: K8sObject) => (o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : "");
const kindKey = (o: K8sObject) => `${groupOf(o)}/${o.kind}`;
export function plural(kind: string): string {
    const k = kind.toLowerCase();
    return k.endsWith("y") ? `${k.slice(0, -1)}ies` : k.endsWith("s") ? `${k}es` : `${k}s`;
}

function valueAt(values: unknown, key: string): unknown {
    let v: any = values;
    for (const k of key.split(".")) v = v && typeof v === "object" ? v[k] : undefined;
    return v;
}
/** Go template truthiness of a value (false, 0, "", nil, empty map/list are false). */
function truthy(v: unknown): boolean {
    if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
    if (Array.isArray(v)) return v.length > 0;
    if (typeof v === "object") return Object.keys(v as object).length > 0;
    return true;
}
const enabled = (when: { key: string; default: unknown }[], values: unknown) => when.every((w) => truthy(valueAt(values, w.key) ?? w.default));

interface Installer {
    at: Located;
    /** Several installs by one object are reported together. */
    /** What it installs, for messages: "CRD of x (chart y)" or "webhook ... (template)". */
    what: string;
}

export interface OrderResult {
    errors: Problem[];
    warnings: Problem[];
}

/**
 * @param chartOf chart name and version a HelmRelease installs (tools/gitops/validate.ts releaseChart)
 */
export function orderProblems(
    objects: Located[],
    layers: readonly Pick<FluxLayer, "name" | "dependsOn">[],
    facts: ChartFactsFile,
    chartOf: (hr: K8sObject) => { chart: string; version: string } | undefined,
): OrderResult {
    const errors: Problem[] = [];
    const warnings: Problem[] = [];
    const ancestors = (layer: string): Set<string> => {
        const out = new Set<string>();
        const walk = (n: string) => {
            for (const d of layers.find((l) => l.name === n)?.dependsOn ?? []) if (!out.has(d)) (out.add(d), walk(d));
        };
        walk(layer);
        return out;
    };
    const platform = new Set(facts.platform.groups);
    const crdInstaller = new Map<string, Installer>();
    const webhookInstallers: { resource: string; inst: Installer }[] = [];
    const factsOf = new Map<Located, ChartFacts>();
    const flux = (o: K8sObject, kind: string) => o.kind === kind && FLUX_GROUP.test(groupOf(o));

    for (const l of objects) {
        const o = l.obj;
        if (flux(o, "HelmRelease")) {
            const c = chartOf(o);
            const f = c && facts.charts.find((x) => x.chart === c.chart && x.version === c.version);
            if (!f) {
                warnings.push({ layer: l.layer, message: `${idOf(o)}: order: no vendored facts for chart ${c ? `${c.chart} ${c.version}` : "(unresolved)"} (${CHART_FACTS_FILE}): the kinds it creates are not order-checked` });
                continue;
            }
            factsOf.set(l, f);
            const skipCrds = o.spec?.install?.crds === "Skip" || o.spec?.install?.skipCRDs === true;
            if (!skipCrds) for (const k of f.crds) crdInstaller.set(k, { at: l, what: `the CRD of ${k} (chart ${f.chart} ${f.version}, ${f.source})` });
            for (const w of f.webhooks) {
                if (!enabled(w.when, o.spec?.values)) continue;
                for (const r of w.resources) webhookInstallers.push({ resource: r, inst: { at: l, what: `the admission webhook for ${r} (chart ${f.chart} ${f.version}, ${w.template})` } });
            }
        }
        if (flux(o, "Kustomization") && o.spec?.sourceRef?.kind === "GitRepository") {
            const src = objects.find((x) => flux(x.obj, "GitRepository") && x.obj.metadata.name === o.spec.sourceRef.name)?.obj;
            const b = src && facts.bundles.find((x) => String(src.spec?.url).replace(/\.git$/, "") === x.url && src.spec?.ref?.tag === x.ref);
            if (b) for (const k of b.crds) crdInstaller.set(k, { at: l, what: `the CRD of ${k} (${b.source})` });
        }
    }

    // HelmRelease dependsOn closure (within flux-system).
    const releases = new Map(objects.filter((l) => flux(l.obj, "HelmRelease")).map((l) => [l.obj.metadata.name, l]));
    const reachable = (from: Located): Set<Located> => {
        const out = new Set<Located>();
        const walk = (l: Located) => {
            for (const d of l.obj.spec?.dependsOn ?? []) {
                const t = releases.get(d.name);
                if (t && !out.has(t)) (out.add(t), walk(t));
            }
        };
        walk(from);
        return out;
    };

    /** Why `inst` is not guaranteed Ready before `at` applies its object, or undefined when it is. */
    const gap = (at: Located, inst: Installer, release?: Located): string | undefined => {
        if (release && (inst.at === release || reachable(release).has(inst.at))) return undefined;
        if (ancestors(at.layer).has(inst.at.layer)) return undefined;
        const who = idOf(inst.at.obj);
        if (release) {
            const fix = inst.at.layer === at.layer || !ancestors(inst.at.layer).has(at.layer) ? `add spec.dependsOn [{name: ${inst.at.obj.metadata.name}}]` : `move it to a later layer`;
            return `${who} installs ${inst.what}, and no dependsOn chain from this release reaches it: ${fix}`;
        }
        if (inst.at.layer === at.layer) return `${who} installs ${inst.what} in the same layer (${at.layer}): Flux's dry-run of this object fails until that release is Ready; move the object to a layer that depends on ${at.layer}`;
        return `${who} installs ${inst.what} in layer ${inst.at.layer}, which layer ${at.layer} does not depend on`;
    };
    /** What one object needs, one entry per installing object (its CRD and webhook merged into one line). */
    const byInstaller = (n: { crd?: Installer; webhooks: Installer[] }): Installer[] => {
        const m = new Map<Located, string[]>();
        for (const i of [...(n.crd ? [n.crd] : []), ...n.webhooks]) m.set(i.at, [...(m.get(i.at) ?? []), i.what]);
        return [...m].map(([at, w]) => ({ at, what: w.join(" and ") }));
    };
    const needs = (kind: string): { crd?: Installer; webhooks: Installer[]; missing?: string } => {
        const [group, k] = [kind.slice(0, kind.lastIndexOf("/")), kind.slice(kind.lastIndexOf("/") + 1)];
        const webhooks = webhookInstallers.filter((w) => w.resource === `${group}/*` || w.resource === `${group}/${plural(k)}`).map((w) => w.inst);
        // Served before Flux applies anything: Kubernetes itself and the Flux extension.
        if (group === "" || KUBERNETES_GROUPS.has(group) || FLUX_GROUP.test(group) || platform.has(group)) return { webhooks };
        const crd = crdInstaller.get(kind);
        return crd ? { crd, webhooks } : { webhooks, missing: `kind ${kind} comes from a CRD that no release or CRD bundle of this cluster installs (${CHART_FACTS_FILE})` };
    };

    // Objects the layers apply directly.
    for (const l of objects) {
        const n = needs(kindKey(l.obj));
        if (n.missing) errors.push({ layer: l.layer, message: `${idOf(l.obj)}: order: ${n.missing}` });
        for (const inst of byInstaller(n)) {
            if (inst.at === l) continue;
            const why = gap(l, inst);
            if (why) errors.push({ layer: l.layer, message: `${idOf(l.obj)}: order: ${why}` });
        }
    }
    // Objects the charts render, and Secrets they read at render time (Helm lookup runs before any ExternalSecret of
    // the same apply exists, and never again once the release is installed).
    for (const [l, f] of factsOf) {
        for (const k of f.lookups ?? []) {
            if (!enabled(k.when, l.obj.spec?.values)) continue;
            errors.push({
                layer: l.layer,
                message: `${idOf(l.obj)}: order: with values ${k.when.map((w) => w.key).join(" + ")}, chart ${f.chart} ${f.version} reads a Secret by Helm lookup at render time (${k.template}): on the first install it does not exist yet (the release starts without it) and later changes never reach the release; deliver it through env[].valueFrom instead (${f.source})`,
            });
        }
        for (const c of f.creates) {
            if (!enabled(c.when, l.obj.spec?.values)) continue;
            const n = needs(c.kind);
            const what = `chart ${f.chart} ${f.version} renders ${c.kind} (${c.template}${c.when.length ? `, values ${c.when.map((w) => w.key).join(" + ")}` : ""})`;
            if (n.missing) errors.push({ layer: l.layer, message: `${idOf(l.obj)}: order: ${what}, but ${n.missing}` });
            for (const inst of byInstaller(n)) {
                const why = gap(l, inst, l);
                if (why) errors.push({ layer: l.layer, message: `${idOf(l.obj)}: order: ${what}; ${why}${c.capabilityGated ? " (the chart checks .Capabilities and silently skips it while the CRD is missing)" : ""}` });
            }
        }
    }
    return { errors, warnings };
}

/** A model server's cold start: GPU pool from zero, driver build, weights download, memory profiling. */
export const MODEL_COLD_START_SECONDS = 60 * 60;
const GPU_RESOURCE = /^(nvidia\.com\/(gpu|mig-.+)|amd\.com\/gpu)$/;

/**
 * Pods that request GPUs sit in a layer whose timeout covers a cold start, and no layer that waits depends on theirs
 * (a slow model must never hold the platform NotReady).
 */
export function layerTimingProblems(objects: Located[], layers: readonly Pick<FluxLayer, "name" | "dependsOn" | "timeoutInSeconds" | "wait">[]): Problem[] {
    const problems: Problem[] = [];
    const gpuLayers = new Set<string>();
    for (const { layer, obj } of objects) {
        const specs = podSpecs(obj as any);
        const gpu = specs.some(({ spec }) => [...(spec.initContainers ?? []), ...(spec.containers ?? [])].some((c: any) => Object.keys({ ...(c.resources?.requests ?? {}), ...(c.resources?.limits ?? {}) }).some((r) => GPU_RESOURCE.test(r))));
        if (!gpu) continue;
        gpuLayers.add(layer);
        const l = layers.find((x) => x.name === layer);
        if (l && l.timeoutInSeconds < MODEL_COLD_START_SECONDS) {
            problems.push({ layer, message: `${idOf(obj)}: order: requests GPUs in layer ${layer}, whose timeout (${l.timeoutInSeconds / 60} min) a cold start (GPU pool from zero, driver build, weights) outlasts, holding the layer NotReady; model servers belong to a layer with a timeout of at least ${MODEL_COLD_START_SECONDS / 60} min that nothing depends on` });
        }
    }
    for (const l of layers) {
        for (const d of l.dependsOn) if (gpuLayers.has(d) && l.wait) problems.push({ layer: l.name, message: `layer ${l.name}: order: depends on layer ${d}, which holds model servers: a slow cold start would hold ${l.name} back too` });
    }
    return problems;
}
