/**
 * The mesh model of validate:gitops (issue 20 §1): with the Istio add-on (aks.serviceMesh, stg/prd) every workload
 * namespace runs mTLS STRICT with a default-deny AuthorizationPolicy, and the allows say exactly what the
 * NetworkPolicies admit — each ingress flow of a NetworkPolicy (destination pods, source namespaces, ports) has one
 * AuthorizationPolicy rule and each rule one flow. Sources inside the mesh are matched by namespace identity (mTLS);
 * sources outside it (Prometheus, Flagger, the CloudNativePG operator) have no identity, so their flows need a rule
 * without `from` on named ports plus a port-level PERMISSIVE PeerAuthentication for the same pods and ports — and
 * nothing else may be PERMISSIVE. Without the add-on (dev) no Istio object or revision label may be rendered.
 *
 * Granularity: namespaces, not ServiceAccounts (NetworkPolicy peers select namespaces and pod labels, not accounts);
 * a NetworkPolicy pod selector with matchExpressions maps to a namespace-wide AuthorizationPolicy (selectors there
 * are matchLabels only) — the NetworkPolicy keeps narrowing it.
 */
import { idOf, labelSelectorMatches, type Located, type Problem } from "./checks";
import type { K8sObject } from "./render";

/** Workload namespaces: every namespace of these tiers must be in the mesh unless it says why not. */
export const MESH_TIERS = ["ai", "tenant"] as const;
/** Namespace annotation naming why a workload namespace stays out of the mesh. */
export const EXEMPTION = "aiplatform.io/mesh-exemption";
/** Namespace annotation of a mesh namespace whose sidecars capture no inbound traffic (the ingress controllers). */
export const INBOUND_NOT_CAPTURED = "aiplatform.io/mesh-inbound";
export const REVISION_LABEL = "istio.io/rev";
/** Ports the sidecar never intercepts (agent health and merged metrics, Envoy's own stats): no mTLS applies. */
export const UNCAPTURED_PORTS = new Set(["15020", "15021", "15090"]);

interface Flow {
    ns: string;
    /** Canonical destination selector: "{}" for the whole namespace. */
    selector: string;
    /** Sorted ports; [] = every port. */
    ports: string[];
    /** Sorted source namespaces (mTLS identity), or "plaintext" for callers outside the mesh. */
    sources: string[] | "plaintext";
    /** The NetworkPolicy or AuthorizationPolicy it comes from, for messages. */
    from: string;
}

const isIstio = (o: K8sObject) => /(^|\.)istio\.io\//.test(o.apiVersion);
const keyOf = (f: Flow) => `${f.ns}|${f.selector}|${f.ports.join(",")}|${f.sources === "plaintext" ? "plaintext" : f.sources.join(",")}`;
const describe = (f: Flow) =>
    `${f.sources === "plaintext" ? "plaintext callers (outside the mesh)" : `namespaces [${f.sources.join(", ")}]`} → ${f.selector === "{}" ? "every pod" : `pods ${f.selector}`} on ${f.ports.length ? `ports ${f.ports.join(", ")}` : "every port"}`;

/** A NetworkPolicy pod selector as an AuthorizationPolicy can express it. */
function npSelector(sel: any): string {
    if (!sel || sel.matchExpressions?.length) return "{}";
    return canonical(sel.matchLabels);
}

function canonical(labels: Record<string, string> | undefined): string {
    const entries = Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
    return entries.length ? JSON.stringify(Object.fromEntries(entries)) : "{}";
}

/** Istio's namespace match: exact, `prefix*`, `*suffix` or `*`. */
function namespaceMatches(pattern: string, ns: string): boolean {
    if (pattern === "*") return true;
    if (pattern.endsWith("*")) return ns.startsWith(pattern.slice(0, -1));
    if (pattern.startsWith("*")) return ns.endsWith(pattern.slice(1));
    return pattern === ns;
}

export function meshProblems(objects: Located[], mesh: boolean): Problem[] {
    const problems: Problem[] = [];
    const namespaces = objects.filter((l) => l.obj.kind === "Namespace" && l.obj.apiVersion === "v1");
    const nsLabels = new Map(namespaces.map((l) => [l.obj.metadata.name, { ...l.obj.metadata.labels, "kubernetes.io/metadata.name": l.obj.metadata.name }]));

    if (!mesh) {
        for (const l of objects) {
            if (isIstio(l.obj)) problems.push({ layer: l.layer, message: `${idOf(l.obj)}: mesh: an Istio object in a cluster without the Istio add-on (set aks.serviceMesh in the stack file, or render it only in stg/prd)` });
        }
        for (const l of namespaces) {
            if (l.obj.metadata.labels?.[REVISION_LABEL]) problems.push({ layer: l.layer, message: `${idOf(l.obj)}: mesh: label ${REVISION_LABEL} in a cluster without the Istio add-on (aks.serviceMesh)` });
        }
        return problems;
    }

    const meshNs = new Set(namespaces.filter((l) => l.obj.metadata.labels?.[REVISION_LABEL]).map((l) => l.obj.metadata.name));
    for (const l of namespaces) {
        const { labels, annotations } = l.obj.metadata;
        const rev = labels?.[REVISION_LABEL];
        if (rev && rev !== "${istio_revision}") problems.push({ layer: l.layer, message: `${idOf(l.obj)}: mesh: ${REVISION_LABEL} = ${rev}; use \${istio_revision} (cluster-vars, from aks.serviceMesh.revision) so a revision upgrade relabels every namespace` });
        if (!rev && (MESH_TIERS as readonly string[]).includes(labels?.["aiplatform.io/tier"] ?? "") && !annotations?.[EXEMPTION]) {
            problems.push({ layer: l.layer, message: `${idOf(l.obj)}: mesh: workload namespace (aiplatform.io/tier: ${labels!["aiplatform.io/tier"]}) is not in the mesh: label it ${REVISION_LABEL}: \${istio_revision}, or annotate ${EXEMPTION} with why it cannot take part` });
        }
    }

    const inNs = (kind: string, ns: string) => objects.filter((l) => l.obj.kind === kind && l.obj.metadata.namespace === ns && (kind === "NetworkPolicy" || isIstio(l.obj)));
    const layerOf = (ns: string) => namespaces.find((l) => l.obj.metadata.name === ns)?.layer ?? objects[0]?.layer ?? "infra-controllers";

    for (const ns of [...meshNs].sort()) {
        const layer = layerOf(ns);
        const pas = inNs("PeerAuthentication", ns);
        const aps = inNs("AuthorizationPolicy", ns);
        if (!pas.some((l) => !l.obj.spec?.selector && l.obj.spec?.mtls?.mode === "STRICT")) {
            problems.push({ layer, message: `Namespace ${ns}: mesh: no namespace-wide PeerAuthentication with mtls.mode STRICT` });
        }
        for (const l of pas) {
            const mode = l.obj.spec?.mtls?.mode;
            if (mode && mode !== "STRICT") problems.push({ layer: l.layer, message: `${idOf(l.obj)}: mesh: mtls.mode ${mode}; only STRICT (with port-level exemptions that mirror a NetworkPolicy flow) is allowed` });
            if (!l.obj.spec?.selector && l.obj.spec?.portLevelMtls) problems.push({ layer: l.layer, message: `${idOf(l.obj)}: mesh: portLevelMtls needs a selector (Istio ignores it namespace-wide)` });
        }
        if (!aps.some((l) => !l.obj.spec || Object.keys(l.obj.spec).length === 0)) {
            problems.push({ layer, message: `Namespace ${ns}: mesh: no default-deny AuthorizationPolicy (an ALLOW policy with an empty spec)` });
        }
        if (namespaces.find((l) => l.obj.metadata.name === ns)?.obj.metadata.annotations?.[INBOUND_NOT_CAPTURED]) continue;

        // NetworkPolicy ingress flows into this namespace.
        const expected: Flow[] = [];
        for (const l of inNs("NetworkPolicy", ns)) {
            const np = l.obj;
            const types: string[] = np.spec?.policyTypes ?? (np.spec?.ingress ? ["Ingress"] : []);
            if (!types.includes("Ingress")) continue;
            for (const rule of np.spec?.ingress ?? []) {
                const ports = [...new Set<string>((rule.ports ?? []).map((p: any) => String(p.port)))].sort();
                if (ports.length && ports.every((p) => UNCAPTURED_PORTS.has(p))) continue;
                const peers: any[] = rule.from?.length ? rule.from : [{ ipBlock: { cidr: "0.0.0.0/0" } }];
                const meshSources = new Set<string>();
                let plaintext = false;
                for (const peer of peers) {
                    const sources = peer.ipBlock ? undefined : peer.namespaceSelector ? [...nsLabels].filter(([, labels]) => labelSelectorMatches(peer.namespaceSelector, labels)).map(([n]) => n) : [ns];
                    if (!sources) plaintext = true;
                    for (const s of sources ?? []) (meshNs.has(s) ? meshSources.add(s) : (plaintext = true));
                }
                const base = { ns, selector: npSelector(np.spec?.podSelector), ports, from: idOf(np) };
                if (meshSources.size) expected.push({ ...base, sources: [...meshSources].sort() });
                if (plaintext) expected.push({ ...base, sources: "plaintext" });
            }
        }

        // AuthorizationPolicy ALLOW rules of this namespace.
        const actual: Flow[] = [];
        for (const l of aps) {
            const ap = l.obj;
            if ((ap.spec?.action ?? "ALLOW") !== "ALLOW" || !ap.spec?.rules?.length) continue;
            const selector = canonical(ap.spec.selector?.matchLabels);
            for (const rule of ap.spec.rules) {
                const ports = [...new Set<string>((rule.to ?? []).flatMap((t: any) => (t.operation?.ports ?? []).map(String)))].sort();
                const base = { ns, selector, ports, from: idOf(ap) };
                if (!rule.from?.length) {
                    actual.push({ ...base, sources: "plaintext" });
                    continue;
                }
                const sources = new Set<string>();
                for (const f of rule.from) {
                    const src = f.source ?? {};
                    const other = Object.keys(src).filter((k) => k !== "namespaces");
                    if (other.length) problems.push({ layer: l.layer, message: `${idOf(ap)}: mesh: source ${other.join(", ")}: this model matches sources by namespace only (as the NetworkPolicies do)` });
                    for (const pattern of src.namespaces ?? []) {
                        const hits = [...nsLabels.keys()].filter((n) => namespaceMatches(String(pattern), n));
                        const outside = hits.filter((n) => !meshNs.has(n));
                        if (outside.length) problems.push({ layer: l.layer, message: `${idOf(ap)}: mesh: source namespace ${pattern} matches [${outside.join(", ")}], outside the mesh: they have no mTLS identity, so the rule never matches them` });
                        for (const n of hits) if (meshNs.has(n)) sources.add(n);
                    }
                }
                actual.push({ ...base, sources: [...sources].sort() });
            }
        }

        const actualKeys = new Set(actual.map(keyOf));
        const expectedKeys = new Set(expected.map(keyOf));
        for (const f of expected) {
            if (!actualKeys.has(keyOf(f))) problems.push({ layer, message: `${f.from}: mesh: admits ${describe(f)}, but no AuthorizationPolicy rule of namespace ${ns} allows exactly that` });
        }
        for (const f of actual) {
            if (!expectedKeys.has(keyOf(f))) problems.push({ layer, message: `${f.from}: mesh: allows ${describe(f)}, which no NetworkPolicy of namespace ${ns} admits` });
        }

        // Plaintext flows need their ports PERMISSIVE on the same pods; nothing else may be.
        const permissive = new Set<string>();
        for (const l of pas) {
            for (const [port, v] of Object.entries<any>(l.obj.spec?.portLevelMtls ?? {})) if (v?.mode === "PERMISSIVE") permissive.add(`${canonical(l.obj.spec?.selector?.matchLabels)}|${port}`);
        }
        const plainPorts = new Set<string>();
        for (const f of expected.filter((x) => x.sources === "plaintext")) {
            if (!f.ports.length) {
                problems.push({ layer, message: `${f.from}: mesh: admits callers outside the mesh on every port of ${f.selector === "{}" ? "every pod" : `pods ${f.selector}`}: name the ports (only those can be exempt from mTLS)` });
                continue;
            }
            for (const p of f.ports) {
                plainPorts.add(`${f.selector}|${p}`);
                if (!permissive.has(`${f.selector}|${p}`)) problems.push({ layer, message: `${f.from}: mesh: admits callers outside the mesh on port ${p} of pods ${f.selector}, but no PeerAuthentication of namespace ${ns} makes that port PERMISSIVE (they cannot do mTLS)` });
            }
        }
        for (const k of permissive) {
            if (!plainPorts.has(k)) {
                const [sel, port] = [k.slice(0, k.lastIndexOf("|")), k.slice(k.lastIndexOf("|") + 1)];
                problems.push({ layer, message: `Namespace ${ns}: mesh: port ${port} of pods ${sel} is PERMISSIVE, but no NetworkPolicy admits a caller outside the mesh there` });
            }
        }
    }
    return problems;
}
