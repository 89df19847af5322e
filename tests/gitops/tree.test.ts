/**
 * The real tree: every cluster's platform layers render and validate with zero errors, and what they render matches
 * the stack config (GPU operators per vendor and MIG profile, enforcement per environment, Cloudflare-only public
 * ingress, pinned charts that retry installs and roll back upgrades). Each cluster is rendered once for the whole file.
 */
import { cloudflareIpv4Ranges } from "../../components/edge/cloudflare-ips";
import { CLUSTER_VAR_KEYS } from "../../components/flux-bootstrap/cluster-vars";
import { clientIdVar, WORKLOAD_IDENTITIES } from "../../components/identity";
import { variableExpressions, variableName } from "../../tools/gitops/checks";
import type { K8sObject } from "../../tools/gitops/render";
import { type GitopsReport, renderCluster, validateGitops } from "../../tools/gitops/validate";

const STACKS = ["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"] as const;
const PLATFORM_LAYERS = ["infra-controllers", "infra-configs"] as const;

let reportP: Promise<GitopsReport> | undefined;
const report = () => (reportP ??= validateGitops({}));

/** The objects validateGitops rendered (each entry point is built once per process). */
async function rendered(stack: string, layer: string): Promise<K8sObject[]> {
    const l = (await renderCluster(stack)).find((r) => r.layer === layer)!;
    if (l.error) throw new Error(l.error);
    return l.objects;
}
async function platform(stack: string): Promise<K8sObject[]> {
    return [...(await rendered(stack, "infra-controllers")), ...(await rendered(stack, "infra-configs"))];
}
const one = (objs: K8sObject[], kind: string, name: string): any => {
    const hits = objs.filter((o) => o.kind === kind && o.metadata.name === name);
    if (hits.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${hits.length}`);
    return hits[0];
};
const has = (objs: K8sObject[], kind: string, name: string) => objs.some((o) => o.kind === kind && o.metadata.name === name);

describe.each(STACKS)("%s platform layers", (stack) => {
    test.each(PLATFORM_LAYERS)("%s renders and validates with zero errors", async (layer) => {
        const o = (await report()).overlays.find((r) => r.env === stack && r.path === `gitops-bootstrap/clusters/${stack}/${layer}`)!;
        expect(o.errors).toEqual([]);
        expect(o.objects).toBeGreaterThan(30);
    });

    test("every HelmRelease pins an exact chart version and rolls back failed upgrades", async () => {
        const objs = await platform(stack);
        const releases = objs.filter((o) => o.kind === "HelmRelease" && o.apiVersion.startsWith("helm.toolkit.fluxcd.io/"));
        expect(releases.length).toBeGreaterThanOrEqual(14);
        for (const hr of releases) {
            if (hr.spec.chart) expect(`${hr.metadata.name} ${hr.spec.chart.spec.version}`).toMatch(/ v?\d+\.\d+\.\d+$/);
            else expect(one(objs, "OCIRepository", hr.spec.chartRef.name).spec.ref.tag).toMatch(/^v?\d+\.\d+\.\d+$/);
            expect(hr.metadata.namespace).toBe("flux-system");
            expect(hr.spec.targetNamespace).toBeTruthy();
            expect(hr.spec.install.strategy.name).toBe("RetryOnFailure");
            expect(hr.spec.upgrade.remediation).toMatchObject({ strategy: "rollback" });
        }
    });

    test("every ${var} the platform uses is a cluster-vars key", async () => {
        const used = new Set<string>();
        for (const o of await platform(stack)) {
            if (o.metadata.annotations?.["kustomize.toolkit.fluxcd.io/substitute"] === "disabled") continue;
            for (const e of variableExpressions(JSON.stringify(o))) used.add(variableName(e)!);
        }
        expect([...used].filter((v) => !(CLUSTER_VAR_KEYS as readonly string[]).includes(v))).toEqual([]);
        expect(used).toEqual(expect.objectContaining({}));
        expect([...used]).toEqual(expect.arrayContaining(["key_vault_url", "eso_client_id", "ingress_internal_subnet", "private_endpoints_cidr", "storage_account"]));
    });

    test("the cluster-vars ConfigMap carries every key for nested Flux objects", async () => {
        const cm = one(await rendered(stack, "infra-controllers"), "ConfigMap", "cluster-vars");
        expect(cm.metadata.namespace).toBe("flux-system");
        expect(Object.keys(cm.data).sort()).toEqual([...CLUSTER_VAR_KEYS].sort());
        expect(cm.data.key_vault_url).toBe("${key_vault_url}");
    });

    test("public NGINX: Azure public LB on the Pulumi IP, 443 only, from Cloudflare's ranges only; internal NGINX on an internal LB", async () => {
        const objs = await platform(stack);
        const pub = one(objs, "HelmRelease", "nginx-public").spec.values.controller;
        expect(pub.service.loadBalancerSourceRanges).toEqual(cloudflareIpv4Ranges());
        expect(pub.service.httpPort.enable).toBe(false);
        expect(pub.service.annotations["service.beta.kubernetes.io/azure-pip-name"]).toBe("${ingress_public_ip_name}");
        expect(pub.config.entries["set-real-ip-from"]).toBe(cloudflareIpv4Ranges().join(","));
        expect(pub.defaultTLS.secret).toBe("ingress-public/nginx-public-default-tls");
        const es = one(objs, "ExternalSecret", "nginx-public-default-tls");
        expect(es.spec.target.template.type).toBe("kubernetes.io/tls");
        const internal = one(objs, "HelmRelease", "nginx-internal").spec.values.controller;
        expect(internal.service.annotations).toMatchObject({
            "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
            "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "${ingress_internal_subnet}",
        });
        expect(internal.ingressClass).toMatchObject({ name: "nginx-internal", setAsDefaultIngress: true });
        expect(one(objs, "HelmRelease", "nginx-public").spec.chart.spec).toMatchObject({ chart: "nginx-ingress", sourceRef: { name: "nginx-stable" } });
        expect(one(objs, "HelmRepository", "nginx-stable").spec.url).toBe("https://helm.nginx.com/stable");
    });

    test("Key Vault through ESO with workload identity; internal CA issuer for internal hostnames", async () => {
        const objs = await platform(stack);
        const store = one(objs, "ClusterSecretStore", "azure-key-vault");
        expect(store.apiVersion).toBe("external-secrets.io/v1");
        expect(store.spec.provider.azurekv).toMatchObject({ authType: "WorkloadIdentity", vaultUrl: "${key_vault_url}", serviceAccountRef: { name: "key-vault-reader", namespace: "external-secrets" } });
        expect(one(objs, "ServiceAccount", "key-vault-reader").metadata.annotations["azure.workload.identity/client-id"]).toBe("${eso_client_id}");
        expect(one(objs, "ClusterIssuer", "internal-ca").spec.ca.secretName).toBe("internal-root-ca");
        expect(one(objs, "Certificate", "nginx-internal-default-tls").spec.dnsNames).toContain("*.${internal_dns_zone}");
    });

    test("platform workload identities match the federated subjects Pulumi creates (namespace, service account, client id var)", async () => {
        const objs = await platform(stack);
        // ESO's identity sits on the ClusterSecretStore's ServiceAccount, not the controller (tenant-isolation.test.ts).
        const releases: Record<string, string> = { loki: "loki", tempo: "tempo" };
        for (const [workload, release] of Object.entries(releases)) {
            const hr = one(objs, "HelmRelease", release);
            const sa = hr.spec.values.serviceAccount;
            const subject = WORKLOAD_IDENTITIES[workload as keyof typeof WORKLOAD_IDENTITIES].subjects[0];
            expect({ namespace: hr.spec.targetNamespace, serviceAccount: sa.name }).toEqual(subject);
            expect(sa.annotations["azure.workload.identity/client-id"]).toBe(`\${${clientIdVar(workload as keyof typeof WORKLOAD_IDENTITIES)}}`);
        }
    });

    test("every platform and tenant namespace starts from default deny", async () => {
        const objs = await platform(stack);
        const namespaces = objs.filter((o) => ["platform", "tenant"].includes(o.metadata.labels?.["aiplatform.io/tier"] ?? "")).map((o) => o.metadata.name);
        expect(namespaces.length).toBeGreaterThanOrEqual(10);
        const denied = new Set(objs.filter((o) => o.kind === "NetworkPolicy" && o.metadata.name === "default-deny-all").map((o) => o.metadata.namespace));
        expect(namespaces.filter((n) => !denied.has(n))).toEqual([]);
    });
});

describe("per-environment differences come from config", () => {
    test("Pod Security: baseline enforced everywhere; restricted audited in dev, enforced in stg and prd", async () => {
        const action = async (stack: string, policy: string) => one(await platform(stack), "ClusterPolicy", policy).spec.rules[0].validate.failureAction;
        expect(await Promise.all(STACKS.map((s) => action(s, "pss-baseline")))).toEqual(["Enforce", "Enforce", "Enforce"]);
        expect(await Promise.all(STACKS.map((s) => action(s, "pss-restricted")))).toEqual(["Audit", "Enforce", "Enforce"]);
    });

    test("dev (T4 spot): NVIDIA operator without MIG, tolerating spot; no AMD operator", async () => {
        const objs = await platform("dev-uaenorth");
        const v = one(objs, "HelmRelease", "gpu-operator").spec.values;
        expect(v.mig.strategy).toBe("single");
        expect(v.migManager.enabled).toBe(false);
        expect(v.driver.enabled).toBe(true);
        expect(v.daemonsets.tolerations.map((t: any) => t.key)).toEqual(["nvidia.com/gpu", "kubernetes.azure.com/scalesetpriority"]);
        expect(has(objs, "HelmRelease", "amd-gpu-operator")).toBe(false);
        expect(has(objs, "DeviceConfig", "amd-gpu")).toBe(false);
    });

    test("stg (H100 MIG3g): mixed MIG strategy with the MIG manager; tenant GPU quota in MIG slices", async () => {
        const objs = await platform("stg-uaenorth");
        const v = one(objs, "HelmRelease", "gpu-operator").spec.values;
        expect(v.mig.strategy).toBe("mixed");
        expect(v.migManager.enabled).toBe(true);
        expect(v.dcgmExporter.serviceMonitor.enabled).toBe(true);
        expect(has(objs, "HelmRelease", "amd-gpu-operator")).toBe(false);
        const quota = objs.find((o) => o.kind === "ResourceQuota" && o.metadata.namespace === "team-nlp") as any;
        expect(quota.spec.hard["requests.nvidia.com/mig-3g.47gb"]).toBe("4");
    });

    test("prd (H100 MIG3g + MI300X): both operators, one node-feature-discovery, AMD DeviceConfig on the AMD pools", async () => {
        const objs = await platform("prd-uaenorth");
        expect(one(objs, "HelmRelease", "gpu-operator").spec.values.mig.strategy).toBe("mixed");
        const amd = one(objs, "HelmRelease", "amd-gpu-operator");
        expect(amd.spec.values["node-feature-discovery"].enabled).toBe(false);
        expect(amd.spec.dependsOn).toEqual([{ name: "kube-prometheus-stack" }, { name: "gpu-operator" }]);
        const dc = one(objs, "DeviceConfig", "amd-gpu");
        expect(dc.spec.selector).toEqual({ "aiplatform.io/gpu-vendor": "amd" });
        expect(dc.spec.devicePlugin.enableNodeLabeller).toBe(true);
        expect(dc.spec.metricsExporter.prometheus.serviceMonitor.enable).toBe(true);
        expect(one(objs, "HelmRelease", "kube-prometheus-stack").spec.values.prometheus.prometheusSpec.retention).toBe("30d");
    });

    test("the ai layer of each cluster points at workloads/overlays/<stack> and is reported (rendered or why not)", async () => {
        const r = await report();
        for (const stack of STACKS) {
            const ai = r.overlays.find((o) => o.path === `gitops-bootstrap/clusters/${stack}/ai`)!;
            expect(ai).toBeDefined();
            if (ai.objects === 0) expect(ai.errors.join("\n")).toMatch(new RegExp(`workloads/overlays/${stack}`));
        }
    });
});
