/**
 * A small compliant cluster (objects as kustomize would render them) for the validator's negative tests: every test
 * starts from it and applies ONE mutation.
 */
import type { Located } from "../../tools/gitops/checks";
import type { K8sObject } from "../../tools/gitops/render";
import type { ChartFactsFile } from "../../tools/gitops/vendor-chart-facts";

export function compliantCluster(): Located[] {
    const controllers: K8sObject[] = [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "demo", labels: { "aiplatform.io/tier": "platform" } } },
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a", labels: { "aiplatform.io/tier": "tenant" } } },
        { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "HelmRepository", metadata: { name: "charts", namespace: "flux-system" }, spec: { interval: "12h", url: "https://charts.example.com" } },
        {
            apiVersion: "source.toolkit.fluxcd.io/v1",
            kind: "OCIRepository",
            metadata: { name: "oci-chart", namespace: "flux-system" },
            spec: { interval: "12h", url: "oci://ghcr.io/example/charts/thing", ref: { tag: "1.0.0" } },
        },
        helmRelease("base", { chart: { spec: { chart: "base", version: "1.2.3", sourceRef: { kind: "HelmRepository", name: "charts" } } } }),
        helmRelease("app", {
            chart: { spec: { chart: "app", version: "4.5.6", sourceRef: { kind: "HelmRepository", name: "charts" } } },
            dependsOn: [{ name: "base" }],
            values: { identity: "${eso_client_id}", vault: "${key_vault_url}" },
        }),
        helmRelease("oci", { chartRef: { kind: "OCIRepository", name: "oci-chart" } }),
    ];
    const configs: K8sObject[] = [
        {
            apiVersion: "external-secrets.io/v1",
            kind: "ClusterSecretStore",
            metadata: { name: "azure-key-vault" },
            spec: {
                provider: { azurekv: { authType: "WorkloadIdentity", vaultUrl: "${key_vault_url}", tenantId: "${tenant_id}", serviceAccountRef: { name: "external-secrets", namespace: "demo" } } },
                conditions: [{ namespaceSelector: { matchExpressions: [{ key: "aiplatform.io/tier", operator: "In", values: ["platform", "ai"] }] } }],
            },
        },
        {
            apiVersion: "external-secrets.io/v1",
            kind: "ExternalSecret",
            metadata: { name: "token", namespace: "demo" },
            spec: { secretStoreRef: { kind: "ClusterSecretStore", name: "azure-key-vault" }, target: { name: "token" }, data: [{ secretKey: "t", remoteRef: { key: "token" } }] },
        },
        {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "dashboard", namespace: "demo", labels: { grafana_dashboard: "1" }, annotations: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } },
            data: { "d.json": '{"templating":{"list":[{"name":"datasource","query":"${datasource}"}]},"expr":"rate(x[${__rate_interval}])"}' },
        },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "escaped", namespace: "demo" }, data: { note: "literal $${not_a_var} stays as text" } },
        ...["demo", "team-a"].map((ns) => ({
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "default-deny-all", namespace: ns },
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        })),
    ];
    return [...controllers.map((obj) => ({ layer: "infra-controllers", obj })), ...configs.map((obj) => ({ layer: "infra-configs", obj }))];
}

export function helmRelease(name: string, spec: Record<string, unknown>): K8sObject {
    return {
        apiVersion: "helm.toolkit.fluxcd.io/v2",
        kind: "HelmRelease",
        metadata: { name, namespace: "flux-system" },
        spec: {
            interval: "30m",
            releaseName: name,
            targetNamespace: "demo",
            serviceAccountName: "flux-applier",
            install: { strategy: { name: "RetryOnFailure", retryInterval: "2m" } },
            upgrade: { remediation: { retries: 3, strategy: "rollback", remediateLastFailure: true } },
            ...spec,
        },
    };
}

/** The object of the fixture called `name` (kind optional), for mutation. */
export function find(cluster: Located[], name: string, kind?: string): any {
    const hit = cluster.find((l) => l.obj.metadata.name === name && (!kind || l.obj.kind === kind));
    if (!hit) throw new Error(`fixture has no ${kind ?? "object"} ${name}`);
    return hit.obj;
}

/** What the fixture's charts install (the order model's facts): "base" brings the ESO CRDs the configs layer uses. */
export const FIXTURE_CHART_FACTS: ChartFactsFile = {
    retrieved: "2026-01-01",
    horizonDays: 120,
    platform: { source: "fixture", groups: [] },
    charts: [
        { chart: "base", version: "1.2.3", source: "fixture", crds: ["external-secrets.io/ClusterSecretStore", "external-secrets.io/ExternalSecret"], webhooks: [], creates: [] },
        { chart: "app", version: "4.5.6", source: "fixture", crds: [], webhooks: [], creates: [] },
        { chart: "thing", version: "1.0.0", source: "fixture", crds: [], webhooks: [], creates: [] },
    ],
    bundles: [],
};
