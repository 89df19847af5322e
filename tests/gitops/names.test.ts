/**
 * Names shared by Pulumi and the GitOps tree come from one source (issue 15 §10): every federated credential subject
 * (WORKLOAD_IDENTITIES) is a ServiceAccount that rendered pods — or the ESO store — actually use, and the data-lake
 * containers MLflow and Argo write are the cluster-vars whose values are the lake's own container names.
 */
import { CLUSTER_VAR_KEYS } from "../../components/flux-bootstrap/cluster-vars";
import { federatedTenantNamespaces, subjectsOf, WORKLOAD_IDENTITIES } from "../../components/identity";
import { LAKE_CONTAINERS } from "../../components/storage";
import { renderCluster } from "../../tools/gitops/validate";
import type { K8sObject } from "../../tools/gitops/render";
import { podSpecs, profileSpecs } from "../../tools/workloads/checks";
import { stackFacts } from "../../tools/workloads/scheduling";

/** namespace/serviceAccount pairs a cluster's workloads run as (pods, chart values, JupyterHub profiles, secret stores). */
export function serviceAccountsInUse(objects: K8sObject[]): Set<string> {
    const used = new Set<string>();
    for (const o of objects) {
        for (const { spec } of podSpecs(o as any)) if (spec.serviceAccountName) used.add(`${o.metadata.namespace}/${spec.serviceAccountName}`);
        // A profile's server runs in the namespace and as the ServiceAccount its kubespawner_override names.
        for (const { spec, namespace } of profileSpecs(o as any)) if (spec.serviceAccountName) used.add(`${namespace}/${spec.serviceAccountName}`);
        if (o.kind === "HelmRelease") {
            const ns = o.spec?.targetNamespace;
            const walk = (v: any) => {
                if (!v || typeof v !== "object") return;
                if (v.serviceAccount?.name) used.add(`${ns}/${v.serviceAccount.name}`);
                for (const x of Object.values(v)) walk(x);
            };
            walk(o.spec?.values);
        }
        const ref = o.spec?.provider?.azurekv?.serviceAccountRef;
        if (ref?.name) used.add(`${ref.namespace ?? o.metadata.namespace}/${ref.name}`);
    }
    return used;
}

describe.each(["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"])("%s: names from one source", (stack) => {
    let objects: K8sObject[];
    beforeAll(async () => {
        objects = (await renderCluster(stack)).flatMap((l) => l.objects);
    });

    test("every federated credential subject is a ServiceAccount the cluster's workloads run as", () => {
        const used = serviceAccountsInUse(objects);
        const tenants = federatedTenantNamespaces(stackFacts(stack).config);
        const subjects = Object.entries(WORKLOAD_IDENTITIES).flatMap(([id, w]) => subjectsOf(w, tenants).map((s) => `${id}: ${s.namespace}/${s.serviceAccount}`));
        expect(subjects).toContain(`notebook: ${tenants[0]}/notebook`);
        expect(subjects.filter((s) => !used.has(s.split(": ")[1]))).toEqual([]);
    });

    test("MLflow and Argo write the lake containers their identities are granted, named through cluster-vars", () => {
        const mlflow = objects.find((o) => o.kind === "HelmRelease" && o.metadata.name === "mlflow")!;
        const argo = objects.find((o) => o.kind === "HelmRelease" && o.metadata.name === "argo-workflows")!;
        expect(mlflow.spec.values.artifactRoot.azureBlob.container).toBe("${mlflow_container}");
        expect(argo.spec.values.artifactRepository.azure.container).toBe("${argo_container}");
        expect(CLUSTER_VAR_KEYS).toEqual(expect.arrayContaining(["mlflow_container", "argo_container"]));
        const grants = (id: keyof typeof WORKLOAD_IDENTITIES) => WORKLOAD_IDENTITIES[id].grants.filter((g) => g.role === "blobDataWriter").map((g) => g.scope.kind === "container" && LAKE_CONTAINERS[g.scope.container].name);
        expect(grants("mlflow")).toEqual([LAKE_CONTAINERS.mlflow.name]);
        expect(grants("argo")).toEqual([LAKE_CONTAINERS.argo.name]);
    });
});
