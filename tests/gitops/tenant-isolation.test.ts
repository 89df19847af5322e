/**
 * Issue 22: what a tenant team namespace can reach in each cluster, read from the rendered tree (the objects Flux
 * would apply): Key Vault only through the platform's ClusterSecretStore, no certificates from the internal CA, the
 * Kubernetes role its Azure persona allows, images from the registry only, nothing on the public ingress.
 */
import { WORKLOAD_IDENTITIES } from "../../components/identity";
import { PERSONA_GRANTS } from "../../components/rbac/personas";
import type { K8sObject } from "../../tools/gitops/render";
import { renderCluster } from "../../tools/gitops/validate";

const STACKS = ["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"] as const;

async function layers(stack: string, names = ["infra-controllers", "infra-configs"]): Promise<K8sObject[]> {
    const out: K8sObject[] = [];
    for (const l of (await renderCluster(stack)).filter((r) => names.includes(r.layer))) {
        if (l.error) throw new Error(l.error);
        out.push(...l.objects);
    }
    return out;
}
const one = (objs: K8sObject[], kind: string, name: string, ns?: string): any => {
    const hits = objs.filter((o) => o.kind === kind && o.metadata.name === name && (ns === undefined || o.metadata.namespace === ns));
    if (hits.length !== 1) throw new Error(`expected one ${kind} ${ns ? `${ns}/` : ""}${name}, found ${hits.length}`);
    return hits[0];
};
const rule = (policy: any, name: string): any => policy.spec.rules.find((r: any) => r.name === name);
const tenantNamespaces = (objs: K8sObject[]) => objs.filter((o) => o.kind === "Namespace" && o.metadata.labels?.["aiplatform.io/tier"] === "tenant");

describe.each(STACKS)("%s: tenants and Key Vault (§2)", (stack) => {
    test("the ESO controller pod holds no Azure identity and its rights are not aggregated into edit/admin", async () => {
        const v = one(await layers(stack), "HelmRelease", "external-secrets").spec.values;
        expect(v.rbac).toEqual({ aggregateToEdit: false, aggregateToAdmin: false, serviceAccountTokenCreate: false });
        expect(v.processSecretStore).toBe(false);
        expect(v.processPushSecret).toBe(false);
        expect(JSON.stringify(v)).not.toContain("azure.workload.identity");
    });

    test("the store authenticates as its own ServiceAccount, federated in Pulumi, that only the controller may mint tokens for", async () => {
        const objs = await layers(stack);
        const ref = one(objs, "ClusterSecretStore", "azure-key-vault").spec.provider.azurekv.serviceAccountRef;
        const controllerSa = one(objs, "HelmRelease", "external-secrets").spec.values.serviceAccount.name;
        expect(ref.name).not.toBe(controllerSa);
        const sa = one(objs, "ServiceAccount", ref.name, ref.namespace);
        expect(sa.metadata.annotations["azure.workload.identity/client-id"]).toBe("${eso_client_id}");
        expect(sa.automountServiceAccountToken).toBe(false);
        expect(WORKLOAD_IDENTITIES.eso.subjects).toEqual([{ namespace: ref.namespace, serviceAccount: ref.name }]);
        const bindings = objs.filter((o: any) => o.kind === "RoleBinding" && o.metadata.namespace === ref.namespace && o.roleRef.kind === "Role");
        const tokenRules = bindings.flatMap((b: any) => {
            const role = one(objs, "Role", b.roleRef.name, ref.namespace);
            return role.rules.filter((r: any) => r.resources.includes("serviceaccounts/token")).map((r: any) => ({ subjects: b.subjects, resourceNames: r.resourceNames, verbs: r.verbs }));
        });
        expect(tokenRules).toEqual([{ subjects: [{ kind: "ServiceAccount", name: controllerSa, namespace: "external-secrets" }], resourceNames: [ref.name], verbs: ["create"] }]);
    });

    test("admission refuses every namespaced SecretStore", async () => {
        const p = one(await layers(stack), "ClusterPolicy", "restrict-secret-stores");
        const r = rule(p, "no-namespaced-secret-stores");
        expect(r.match.any).toEqual([{ resources: { kinds: ["external-secrets.io/*/SecretStore"], operations: ["CREATE", "UPDATE"] } }]);
        expect(r.exclude).toBeUndefined();
        expect(r.validate).toMatchObject({ failureAction: "Enforce", deny: {} });
        // ...and no pod may run as the store's ServiceAccount (it would hold the vault identity itself).
        const ref = one(await layers(stack), "ClusterSecretStore", "azure-key-vault").spec.provider.azurekv.serviceAccountRef;
        const pods = rule(p, "no-pods-as-key-vault-reader");
        expect(pods.match.any[0].resources).toMatchObject({ kinds: ["Pod"], namespaces: [ref.namespace] });
        expect(pods.validate.failureAction).toBe("Enforce");
        expect(pods.validate.deny.conditions.any).toEqual([{ key: "{{ request.object.spec.serviceAccountName || 'default' }}", operator: "Equals", value: ref.name }]);
    });

    test("tenant namespaces are outside the store's conditions", async () => {
        const objs = await layers(stack);
        const allowed = one(objs, "ClusterSecretStore", "azure-key-vault").spec.conditions.flatMap((c: any) => c.namespaceSelector.matchExpressions.flatMap((e: any) => e.values));
        expect(tenantNamespaces(objs).length).toBeGreaterThan(0);
        for (const ns of tenantNamespaces(objs)) expect(allowed).not.toContain(ns.metadata.labels!["aiplatform.io/tier"]);
    });
});

describe.each(STACKS)("%s: the internal CA (§9)", (stack) => {
    test("cert-manager's roles are not aggregated into edit/admin; name constraints are enabled in controller and webhook", async () => {
        const v = one(await layers(stack), "HelmRelease", "cert-manager").spec.values;
        expect(v.global.rbac.aggregateClusterRoles).toBe(false);
        expect(v.featureGates).toContain("NameConstraints=true");
        expect(v.webhook.featureGates).toContain("NameConstraints=true");
    });

    test("the root CA is name-constrained to the internal zone, and every certificate it signs fits inside", async () => {
        const objs = await layers(stack);
        const root = one(objs, "Certificate", "internal-root-ca", "cert-manager");
        expect(root.spec.nameConstraints).toEqual({ critical: true, permitted: { dnsDomains: ["${internal_dns_zone}"] } });
        const issued = objs.filter((o: any) => o.kind === "Certificate" && o.spec.issuerRef?.name === "internal-ca");
        expect(issued.length).toBeGreaterThan(0);
        for (const c of issued as any[]) for (const n of c.spec.dnsNames) expect(n).toMatch(/(^|\.)\$\{internal_dns_zone\}$/);
    });

    test("outside platform and ai namespaces no Certificate or CertificateRequest may name a ClusterIssuer", async () => {
        const objs = await layers(stack);
        const r = rule(one(objs, "ClusterPolicy", "restrict-cluster-issuers"), "no-cluster-issuer-outside-platform");
        const res = r.match.any[0].resources;
        expect(res.kinds).toEqual(["cert-manager.io/*/Certificate", "cert-manager.io/*/CertificateRequest"]);
        expect(res.namespaceSelector.matchExpressions).toEqual([{ key: "aiplatform.io/tier", operator: "NotIn", values: ["platform", "ai"] }]);
        expect(r.validate.failureAction).toBe("Enforce");
        expect(r.validate.deny.conditions.any).toEqual([{ key: "{{ request.object.spec.issuerRef.kind || 'Issuer' }}", operator: "Equals", value: "ClusterIssuer" }]);
        for (const ns of tenantNamespaces(objs)) expect(res.namespaceSelector.matchExpressions[0].values).not.toContain(ns.metadata.labels!["aiplatform.io/tier"]);
    });
});

describe.each(STACKS)("%s: tenant write access and images (§7)", (stack) => {
    const env = stack.split("-")[0] as keyof typeof PERSONA_GRANTS;

    test("developers get the Kubernetes role of their Azure persona: edit only where they are writers (never in prd)", async () => {
        const objs = await layers(stack);
        const writer = PERSONA_GRANTS[env].developers.some((g) => g.role === "aksRbacWriter");
        const inTenants = objs.filter((o: any) => o.kind === "RoleBinding" && tenantNamespaces(objs).some((n) => n.metadata.name === o.metadata.namespace)) as any[];
        // People are bound through their Entra groups; the only other binding lets JupyterHub's hub spawn servers there.
        const bindings = inTenants.filter((b) => b.subjects.some((s: any) => s.kind === "Group"));
        expect(bindings.length).toBe(tenantNamespaces(objs).length);
        for (const b of inTenants.filter((x) => !bindings.includes(x))) {
            expect([b.roleRef, b.subjects]).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "jupyterhub-spawner" }, [{ kind: "ServiceAccount", name: "hub", namespace: "notebooks" }]]);
        }
        for (const b of bindings as any[]) expect(b.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: writer ? "edit" : "view" });
        if (env === "prd") expect(bindings.map((b: any) => b.roleRef.name)).not.toContain("edit");
    });

    test("tenant pods run images from the environment's registry only", async () => {
        const r = rule(one(await layers(stack), "ClusterPolicy", "restrict-tenant-images"), "registry-allow-list");
        expect(r.match.any).toEqual([{ resources: { kinds: ["Pod"], namespaceSelector: { matchLabels: { "aiplatform.io/tier": "tenant" } } } }]);
        expect(r.validate.failureAction).toBe("Enforce");
        const image = "${acr_login_server}/*";
        expect(r.validate.pattern.spec).toEqual({
            "=(ephemeralContainers)": [{ image }],
            "=(initContainers)": [{ image }],
            containers: [{ image }],
        });
    });
});

describe.each(STACKS)("%s: the public ingress (§6)", (stack) => {
    test("nginx-public watches only its own and the serving namespace; Kyverno refuses the class elsewhere and pins hosts", async () => {
        const objs = await layers(stack);
        const watched = one(objs, "HelmRelease", "nginx-public").spec.values.controller.watchNamespace.split(",");
        expect(watched).toEqual(["ingress-public", "ai-serving"]);
        for (const ns of tenantNamespaces(objs)) expect(watched).not.toContain(ns.metadata.name);
        const p = one(objs, "ClusterPolicy", "restrict-public-ingress");
        const where = rule(p, "public-ingress-namespaces");
        expect(where.exclude.any[0].resources.namespaces).toEqual(watched);
        expect(where.validate.failureAction).toBe("Enforce");
        expect(where.match.any[0].resources.kinds).toEqual(expect.arrayContaining(["networking.k8s.io/*/Ingress", "k8s.nginx.org/*/VirtualServer"]));
        expect(rule(p, "public-ingress-hosts").validate.pattern.spec.rules).toEqual([{ host: "?*.${environment}.${dns_zone}" }]);
    });

    test("every public Ingress the tree renders sits in a watched namespace with a host of the environment's domain", async () => {
        const objs = await layers(stack, ["infra-controllers", "infra-configs", "ai"]);
        const watched = one(objs, "HelmRelease", "nginx-public").spec.values.controller.watchNamespace.split(",");
        for (const ing of objs.filter((o: any) => o.kind === "Ingress" && o.spec.ingressClassName === "nginx-public") as any[]) {
            expect(watched).toContain(ing.metadata.namespace);
            for (const r of ing.spec.rules) expect(r.host).toMatch(/^[a-z0-9-]+\.\$\{environment\}\.\$\{dns_zone\}$/);
        }
    });
});
