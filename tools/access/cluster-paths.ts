/**
 * Forbidden paths inside a cluster, from its rendered GitOps tree (tools/gitops renderCluster, the objects Flux
 * applies): P2 for prd's Kubernetes RBAC (a binding that lets anyone but the platform group write in prd) and P6, a
 * tenant namespace able to read a secret it does not own — through a ClusterSecretStore whose conditions admit the
 * tenant, or through a SecretStore it may create (ESO's chart aggregates SecretStore create into `edit`) that
 * authenticates as the controller's workload identity, which reads the whole vault.
 */
import type { K8sObject } from "../gitops/render";
import type { PathFinding } from "./paths";

const WRITER_ROLES = new Set(["edit", "admin", "cluster-admin"]);
const TENANT_LABEL = ["aiplatform.io/tier", "tenant"] as const;

type Labels = Record<string, string>;
interface Selector {
    matchLabels?: Labels;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Kubernetes label-selector semantics (an empty selector matches everything). */
export function selects(selector: Selector, labels: Labels): boolean {
    const exprs = selector.matchExpressions ?? [];
    return (
        Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
        exprs.every((e) => {
            const has = e.key in labels;
            switch (e.operator) {
                case "In":
                    return has && (e.values ?? []).includes(labels[e.key]);
                case "NotIn":
                    return !has || !(e.values ?? []).includes(labels[e.key]);
                case "Exists":
                    return has;
                case "DoesNotExist":
                    return !has;
                default:
                    return false;
            }
        })
    );
}

const meta = (o: K8sObject) => (o.metadata ?? {}) as { name?: string; namespace?: string; labels?: Labels };

/** Whether a ClusterSecretStore's `conditions` admit namespace `ns` (no conditions: every namespace). */
function storeAdmits(store: K8sObject, ns: string, labels: Labels): boolean {
    const conditions = ((store as any).spec?.conditions ?? []) as { namespaceSelector?: Selector; namespaces?: string[]; namespaceRegexes?: string[] }[];
    if (!conditions.length) return true;
    return conditions.some(
        (c) =>
            (c.namespaceSelector !== undefined && selects(c.namespaceSelector, labels)) ||
            (c.namespaces ?? []).includes(ns) ||
            (c.namespaceRegexes ?? []).some((r) => new RegExp(r).test(ns)),
    );
}

export function clusterPathFindings(objects: K8sObject[], environment: string, platformGroups: string[]): PathFinding[] {
    const out: PathFinding[] = [];
    const tenants = objects.filter((o) => o.kind === "Namespace" && meta(o).labels?.[TENANT_LABEL[0]] === TENANT_LABEL[1]).map((o) => ({ name: meta(o).name!, labels: meta(o).labels ?? {} }));
    const bindings = objects.filter((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding");
    const writerBinding = (b: K8sObject) => (b as any).roleRef?.kind === "ClusterRole" && WRITER_ROLES.has((b as any).roleRef?.name);

    if (environment === "prd") {
        for (const b of bindings.filter(writerBinding)) {
            for (const s of ((b as any).subjects ?? []) as { kind: string; name: string }[]) {
                if (s.kind === "Group" && platformGroups.includes(s.name)) continue;
                if (s.kind === "ServiceAccount") continue;
                out.push({ rule: "P2", message: `prd: ${s.kind} ${s.name} can write ${meta(b).namespace ? `namespace ${meta(b).namespace}` : "the cluster"} through ${b.kind} ${meta(b).name} (${(b as any).roleRef.name})` });
            }
        }
    }

    for (const store of objects.filter((o) => o.kind === "ClusterSecretStore")) {
        for (const t of tenants.filter((x) => storeAdmits(store, x.name, x.labels))) {
            out.push({ rule: "P6", message: `${environment}: tenant namespace ${t.name} can read every secret ClusterSecretStore ${meta(store).name} serves (its conditions admit the namespace)` });
        }
    }

    const eso = objects.find((o) => o.kind === "HelmRelease" && /external-secrets/.test(String((o as any).spec?.chart?.spec?.chart ?? meta(o).name)));
    const values = ((eso as any)?.spec?.values ?? {}) as { rbac?: { aggregateToEdit?: boolean }; serviceAccount?: { annotations?: Labels } };
    const controllerIdentity = values.serviceAccount?.annotations?.["azure.workload.identity/client-id"];
    if (eso && values.rbac?.aggregateToEdit !== false && controllerIdentity) {
        for (const t of tenants) {
            const writer = bindings.find((b) => meta(b).namespace === t.name && writerBinding(b));
            if (writer) {
                out.push({
                    rule: "P6",
                    message: `${environment}: tenant namespace ${t.name} may create a SecretStore (ESO aggregates SecretStore create into edit; ${writer.kind} ${meta(writer).name}) that authenticates as the ESO controller's workload identity, which reads the whole vault`,
                });
            }
        }
    }
    return out;
}
