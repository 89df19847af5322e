/**
 * Issue 22 §13: the internal MLflow ingress requires a login, and the platform's generated passwords are actually
 * used — each GENERATED_SECRETS entry reaches its consumer through an ExternalSecret in every cluster (read from
 * the rendered tree Flux would apply).
 */
import * as fs from "fs";
import * as path from "path";
import { GENERATED_SECRETS } from "../../components/secrets";
import { REPO_ROOT } from "../../config/stack-files";
import type { K8sObject } from "../../tools/gitops/render";
import { renderCluster } from "../../tools/gitops/validate";

const STACKS = ["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"] as const;

async function cluster(stack: string): Promise<K8sObject[]> {
    return (await renderCluster(stack)).flatMap((l) => {
        if (l.error) throw new Error(l.error);
        return l.objects;
    });
}
const one = (objs: K8sObject[], kind: string, name: string): any => {
    const hits = objs.filter((o) => o.kind === kind && o.metadata.name === name);
    if (hits.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${hits.length}`);
    return hits[0];
};
/** The ExternalSecret in `ns` that produces Secret `name`, with the Key Vault secrets it reads. */
function producer(objs: K8sObject[], ns: string, name: string): { keys: string[]; template: Record<string, string> } | undefined {
    const es: any = objs.find((o: any) => o.kind === "ExternalSecret" && o.metadata.namespace === ns && (o.spec.target?.name ?? o.metadata.name) === name);
    return es && { keys: es.spec.data.map((d: any) => d.remoteRef.key), template: es.spec.target?.template?.data ?? {} };
}

describe.each(STACKS)("%s", (stack) => {
    test("every generated Key Vault secret is read by an ExternalSecret (none generated and never wired)", async () => {
        const read = new Set((await cluster(stack)).filter((o) => o.kind === "ExternalSecret").flatMap((o: any) => o.spec.data.map((d: any) => d.remoteRef.key)));
        expect(Object.keys(GENERATED_SECRETS).filter((s) => !read.has(s))).toEqual([]);
    });

    test("the model gate's MLflow user pipeline-gate is created by the cluster with the password the release job reads from Key Vault", async () => {
        const objs = await cluster(stack);
        const job = one(objs, "CronJob", "mlflow-users").spec.jobTemplate.spec.template.spec;
        const env = Object.fromEntries(job.containers[0].env.map((e: any) => [e.name, e.valueFrom?.secretKeyRef ?? e.value]));
        expect(env.ADMIN_PASSWORD).toEqual({ name: "mlflow-admin", key: "password" });
        expect(env.GATE_PASSWORD).toEqual({ name: "mlflow-pipeline-gate", key: "password" });
        const gate = producer(objs, "mlflow", "mlflow-pipeline-gate")!;
        expect(gate.keys).toEqual(["mlflow-pipeline-gate-password"]);
        expect(gate.template.username).toBe("pipeline-gate");
        expect(Object.keys(GENERATED_SECRETS)).toContain("mlflow-pipeline-gate-password");
        // the release job logs in as that user with that Key Vault secret
        const workflow = fs.readFileSync(path.join(REPO_ROOT, ".github/workflows/pulumi-stack.yml"), "utf8");
        expect(workflow).toContain("--name mlflow-pipeline-gate-password");
        expect(workflow).toContain(`MLFLOW_TRACKING_USERNAME=${gate.template.username}`);
        // create (or reset the password), then READ — never more — on every registered model
        const script: string = one(objs, "ConfigMap", "mlflow-users").data["sync.py"];
        for (const call of ['"POST", "users/create"', '"PATCH", "users/update-password"', '"GET", f"registered-models/search', '"POST", "registered-models/permissions/create"']) expect(script).toContain(call);
        expect(script.match(/"permission": "(\w+)"/g)).toEqual(['"permission": "READ"']);
        const server = objs.find((o: any) => o.kind === "NetworkPolicy" && o.metadata.name === "mlflow-server") as any;
        expect(server.spec.ingress.flatMap((r: any) => r.from)).toContainEqual({ podSelector: { matchLabels: { "app.kubernetes.io/name": "mlflow-users" } } });
    });

    test("Grafana's admin login is the Key Vault secret grafana-admin-password", async () => {
        const objs = await cluster(stack);
        const kps = one(objs, "HelmRelease", "kube-prometheus-stack");
        const admin = kps.spec.values.grafana.admin;
        const secret = producer(objs, kps.spec.targetNamespace, admin.existingSecret);
        expect(secret?.keys).toEqual(["grafana-admin-password"]);
        expect(Object.keys(secret!.template).sort()).toEqual([admin.passwordKey, admin.userKey].sort());
        // The Secret is made by infra-configs, after this layer: only the first install may skip waiting for Grafana.
        expect(kps.spec.install.disableWait).toBe(true);
        expect(kps.spec.upgrade.disableWait).toBeUndefined();
    });

    test("MLflow behind its internal ingress requires basic-auth: admin from Key Vault, users in their own database, no default access", async () => {
        const objs = await cluster(stack);
        const hr = one(objs, "HelmRelease", "mlflow");
        const v = hr.spec.values;
        expect(v.ingress).toMatchObject({ enabled: true, className: "nginx-internal" });
        expect(v.auth).toMatchObject({ enabled: true, defaultPermission: "NO_PERMISSIONS" });
        const admin = producer(objs, hr.spec.targetNamespace, v.auth.existingAdminSecret.name);
        expect(admin?.keys).toEqual(["mlflow-admin-password"]);
        expect(Object.keys(admin!.template).sort()).toEqual([v.auth.existingAdminSecret.passwordKey, v.auth.existingAdminSecret.usernameKey].sort());
        expect(Object.keys(GENERATED_SECRETS)).toContain("mlflow-admin-password");
        const db = objs.find((o: any) => o.kind === "Database" && o.spec.name === v.auth.postgres.database) as any;
        expect(db?.spec.cluster.name).toBe(one(objs, "Cluster", "mlflow-db").metadata.name);
        expect(v.auth.postgres.database).not.toBe(v.backendStore.postgres.database);
        expect(v.auth.postgres.host).toBe(v.backendStore.postgres.host);
        expect(producer(objs, hr.spec.targetNamespace, v.auth.postgres.existingSecret.name)?.keys).toEqual(["mlflow-db-password"]);
    });
});
