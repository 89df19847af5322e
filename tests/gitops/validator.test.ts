/**
 * The validator catches what would break a cluster, each with a clear message: a compliant fixture passes, and one
 * mutation per test yields exactly the expected problem.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CLUSTER_VAR_KEYS } from "../../components/flux-bootstrap/cluster-vars";
import { checkCluster, type Located, variableExpressions, variableName } from "../../tools/gitops/checks";
import { checkEgress } from "../../tools/gitops/egress";
import { EXIT, main } from "../../tools/gitops/cli";
import { KubectlMissingError, RenderError, renderOverlay } from "../../tools/gitops/render";
import { coalesceValues, SchemaRegistry } from "../../tools/gitops/schemas";
import { validateRendered } from "../../tools/gitops/validate";
import { listStacks } from "../../config/stack-files";
import { compliantCluster, find, FIXTURE_CHART_FACTS, helmRelease } from "./fixtures";

const ctx = (environment = "dev") => ({ environment, clusterVarKeys: CLUSTER_VAR_KEYS });
const messages = (cluster: Located[], environment = "dev") => checkCluster(cluster, ctx(environment)).map((p) => `${p.layer}: ${p.message}`);
const registry = new SchemaRegistry();

/** Schema + graph validation of a fixture cluster, as the validator runs it (policy pack off: no workloads here). */
async function validateFixture(cluster: Located[], stack = "dev-uaenorth"): Promise<string[]> {
    const layers = ["infra-controllers", "infra-configs"].map((layer) => ({
        stack,
        layer: layer as "infra-controllers" | "infra-configs",
        path: `fixture/${layer}`,
        objects: cluster.filter((l) => l.layer === layer).map((l) => l.obj),
    }));
    const reports = await validateRendered(stack, layers, { registry, policy: false, egress: false, chartFacts: FIXTURE_CHART_FACTS });
    return reports.flatMap((r) => r.errors);
}

describe("GitOps validator on fixtures", () => {
    test("the compliant fixture has no problems (schemas, references, variables)", async () => {
        expect(await validateFixture(compliantCluster())).toEqual([]);
    });

    test("a layer that fails to render is reported alone, not with what its absence makes the other layers look like", async () => {
        const cluster = compliantCluster();
        const layers = ["infra-controllers", "infra-configs"].map((layer) => ({
            stack: "dev-uaenorth",
            layer: layer as "infra-controllers" | "infra-configs",
            path: `fixture/${layer}`,
            objects: layer === "infra-configs" ? [] : cluster.filter((l) => l.layer === layer).map((l) => l.obj),
            ...(layer === "infra-configs" ? { error: "fixture/infra-configs: kustomize build failed: missing.yaml: no such file" } : {}),
        }));
        const reports = await validateRendered("dev-uaenorth", layers, { registry, egress: false, chartFacts: FIXTURE_CHART_FACTS });
        expect(reports.flatMap((r) => r.errors)).toEqual(["fixture/infra-configs: kustomize build failed: missing.yaml: no such file"]);
        expect(reports.find((r) => r.path === "fixture/infra-controllers")!.warnings).toEqual(["cluster-wide checks and the policy pack skipped until infra-configs renders"]);
    });

    test("broken reference: a HelmRelease whose HelmRepository does not exist", () => {
        const c = compliantCluster();
        find(c, "app").spec.chart.spec.sourceRef.name = "chartz";
        expect(messages(c)).toEqual(["infra-controllers: HelmRelease flux-system/app: spec.chart.spec.sourceRef HelmRepository flux-system/chartz does not exist"]);
    });

    test("broken reference: a chartRef to a missing OCIRepository and a dependsOn on a missing release", () => {
        const c = compliantCluster();
        find(c, "oci").spec.chartRef.name = "nope";
        find(c, "app").spec.dependsOn = [{ name: "missing" }];
        expect(messages(c)).toEqual([
            "infra-controllers: HelmRelease flux-system/app: spec.dependsOn HelmRelease flux-system/missing does not exist",
            "infra-controllers: HelmRelease flux-system/oci: spec.chartRef OCIRepository flux-system/nope does not exist",
        ]);
    });

    test("dependsOn cycle", () => {
        const c = compliantCluster();
        find(c, "base").spec.dependsOn = [{ name: "app" }];
        expect(messages(c)).toEqual(["infra-controllers: HelmRelease dependsOn cycle: base → app → base"]);
    });

    test("undefined variable: ${var} that cluster-vars does not provide", () => {
        const c = compliantCluster();
        find(c, "app").spec.values.vault = "${key_vault_uri}";
        expect(messages(c)).toEqual([
            "infra-controllers: HelmRelease flux-system/app: undefined variable ${key_vault_uri} at spec.values.vault: not a cluster-vars key (components/flux-bootstrap/cluster-vars.ts); if it is literal text (dashboard, alert template) annotate the object kustomize.toolkit.fluxcd.io/substitute: disabled",
        ]);
    });

    test("a dashboard with literal ${...} must carry substitute: disabled", () => {
        const c = compliantCluster();
        delete find(c, "dashboard").metadata.annotations;
        const m = messages(c);
        expect(m).toHaveLength(2);
        expect(m[0]).toMatch(/^infra-configs: ConfigMap demo\/dashboard: undefined variable \$\{datasource\} at data\.d\.json/);
        expect(m[1]).toMatch(/undefined variable \$\{__rate_interval\}.*annotate the object kustomize\.toolkit\.fluxcd\.io\/substitute: disabled/);
    });

    test("variable expressions: escapes, defaults and invalid names", () => {
        expect(variableExpressions("a ${x} $${y} $$${z} ${w:=d}")).toEqual(["x", "z", "w:=d"]);
        expect(variableName("w:=d")).toBe("w");
        expect(variableName("#len")).toBe("len");
        expect(variableName("foo.bar")).toBeUndefined();
        expect(variableName(" spaced ")).toBeUndefined();
    });

    test("schema violation: a HelmRelease interval the CRD's pattern rejects, and an undeclared field", async () => {
        const c = compliantCluster();
        find(c, "base").spec.interval = "five minutes";
        find(c, "base").spec.chart.spec.verison = "1.2.3";
        expect((await validateFixture(c)).sort()).toEqual([
            "HelmRelease flux-system/base: schema: spec.chart.spec must NOT have additional properties 'verison' (not declared in the HelmRelease CRD schema)",
            "HelmRelease flux-system/base: schema: spec.interval must match pattern \"^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$\"",
        ]);
    });

    test("schema violation on a core kind (kubernetes-models) and an unknown kind", async () => {
        const c = compliantCluster();
        c.push({ layer: "infra-configs", obj: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bad", namespace: "demo" }, data: { n: 3 } as any } });
        c.push({ layer: "infra-configs", obj: { apiVersion: "example.io/v1", kind: "Widget", metadata: { name: "w", namespace: "demo" } } });
        expect((await validateFixture(c)).sort()).toEqual([
            "ConfigMap demo/bad: schema: data.n must be string",
            "Widget demo/w: order: kind example.io/Widget comes from a CRD that no release or CRD bundle of this cluster installs (schemas/runtime/chart-facts.json)",
            "Widget demo/w: schema: no schema for example.io/v1 Widget: vendor its CRD (schemas/sources.json, then npx tsx tools/gitops/vendor-schemas.ts)",
        ]);
    });

    test("HelmRelease values are checked against the chart's values.schema.json, merged over its defaults", async () => {
        const c = compliantCluster();
        const app = find(c, "app");
        app.spec.chart.spec = { chart: "nginx-ingress", version: "2.6.4", sourceRef: { kind: "HelmRepository", name: "charts" } };
        app.spec.values = { controller: { replicaCount: "two", service: { externalTrafficPolicy: "Local" } } };
        expect(await validateFixture(c)).toEqual(["HelmRelease flux-system/app: values of nginx-ingress 2.6.4: controller.replicaCount must be integer"]);
        app.spec.values.controller.replicaCount = 2;
        expect(await validateFixture(c)).toEqual([]);
        expect(coalesceValues({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: null, d: 3 }, l: [9] })).toEqual({ a: { b: 1, d: 3 }, l: [9] });
    });

    test("a vendored CRD (Kyverno) rejects a value outside its enum", async () => {
        const errors = await registry.validate({
            apiVersion: "kyverno.io/v1",
            kind: "ClusterPolicy",
            metadata: { name: "p" },
            spec: { rules: [{ name: "r", match: { any: [{ resources: { kinds: ["Pod"] } }] }, validate: { failureAction: "Block", podSecurity: { level: "baseline" } } }] },
        } as any);
        expect(errors).toEqual(["spec.rules.0.validate.failureAction must be equal to one of the allowed values (Audit, Enforce)"]);
    });

    test("prd refuses chart version ranges; dev accepts them but never a missing version", () => {
        const c = compliantCluster();
        find(c, "app").spec.chart.spec.version = ">=4.0.0 <5.0.0";
        expect(messages(c, "dev")).toEqual([]);
        expect(messages(c, "prd")).toEqual(["infra-controllers: HelmRelease flux-system/app: chart version '>=4.0.0 <5.0.0' is a range: prd pins exact versions (e.g. 4.0.0)"]);
        delete find(c, "app").spec.chart.spec.version;
        expect(messages(c, "dev")).toEqual(["infra-controllers: HelmRelease flux-system/app: pin an exact chart version (spec.chart.spec.version)"]);
    });

    test("a chart version that is neither a version nor a range is refused in every environment, with the right words", () => {
        for (const bad of ["latest", "1.19.0.1"]) {
            const c = compliantCluster();
            find(c, "app").spec.chart.spec.version = bad;
            const expected = [`infra-controllers: HelmRelease flux-system/app: chart version '${bad}' is neither a semver version (1.2.3) nor a semver range (~1.2.0, 1.x)`];
            expect(messages(c, "dev")).toEqual(expected);
            expect(messages(c, "prd")).toEqual(expected);
        }
        const c = compliantCluster();
        find(c, "app").spec.chart.spec.version = "v1.19";
        expect(messages(c, "dev")).toEqual([]);
        expect(messages(c, "prd")).toEqual(["infra-controllers: HelmRelease flux-system/app: chart version 'v1.19' is a range: prd pins exact versions (e.g. 1.19.0)"]);
    });

    test("multi-tenancy: Flux objects outside flux-system, cross-namespace sources, no targetNamespace", () => {
        const c = compliantCluster();
        const app = find(c, "app");
        app.metadata.namespace = "demo";
        app.spec.chart.spec.sourceRef.namespace = "flux-system";
        const base = find(c, "base");
        delete base.spec.targetNamespace;
        base.spec.chart.spec.sourceRef.namespace = "other";
        expect(messages(c)).toEqual([
            "infra-controllers: HelmRelease flux-system/base: set spec.targetNamespace (the release's namespace; the HelmRelease itself stays in flux-system)",
            "infra-controllers: HelmRelease flux-system/base: spec.chart.spec.sourceRef points to namespace 'other': cross-namespace references are refused under multi-tenancy",
            "infra-controllers: HelmRelease flux-system/base: spec.chart.spec.sourceRef HelmRepository other/charts does not exist",
            "infra-controllers: HelmRelease demo/app: multi-tenancy is enforced: Flux objects must live in flux-system (place the workload with spec.targetNamespace)",
            "infra-controllers: HelmRelease demo/app: spec.dependsOn HelmRelease demo/base does not exist",
        ]);
    });

    test("a release without install/upgrade remediation", () => {
        const c = compliantCluster();
        const i = c.findIndex((l) => l.obj.metadata.name === "base");
        c[i] = { layer: "infra-controllers", obj: { ...helmRelease("base", { chart: find(c, "base").spec.chart }), spec: { ...find(c, "base").spec, install: {}, upgrade: { remediation: { retries: 0 } } } } };
        expect(messages(c)).toEqual([
            "infra-controllers: HelmRelease flux-system/base: set spec.install.strategy {name: RetryOnFailure, retryInterval: 2m} so a failed first install is retried until its dependencies are up (remediation retries give up after N)",
            "infra-controllers: HelmRelease flux-system/base: set spec.upgrade.remediation (retries > 0, strategy rollback) so a failed upgrade rolls back",
        ]);
    });

    test("a tenant namespace may not read Key Vault through the platform store; undeclared namespaces are caught", () => {
        const c = compliantCluster();
        find(c, "token", "ExternalSecret").metadata.namespace = "team-a";
        c.push({ layer: "infra-configs", obj: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "typo-ns" }, data: {} } });
        expect(messages(c)).toEqual([
            "infra-configs: ExternalSecret team-a/token: namespace 'team-a' may not use ClusterSecretStore azure-key-vault (its spec.conditions; label the namespace aiplatform.io/tier: platform or ai)",
            "infra-configs: ConfigMap typo-ns/x: namespace 'typo-ns' is not declared by any Namespace object of this cluster",
        ]);
    });

    test("a namespace without default-deny network policy", () => {
        const c = compliantCluster().filter((l) => !(l.obj.kind === "NetworkPolicy" && l.obj.metadata.namespace === "team-a"));
        expect(messages(c)).toEqual([
            "infra-controllers: Namespace team-a: has no default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress], no rules); add one and explicit allows",
        ]);
    });

    test("an Ingress on a class the platform does not serve", () => {
        const c = compliantCluster();
        c.push({ layer: "infra-configs", obj: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "i", namespace: "demo" }, spec: { ingressClassName: "nginx" } } });
        expect(messages(c)).toEqual(["infra-configs: Ingress demo/i: spec.ingressClassName 'nginx' is not served (use nginx-public or nginx-internal)"]);
    });

    test("sources the hub firewall does not admit are reported (Flux could not fetch them)", () => {
        const rules = [
            { kind: "application" as const, name: "charts", fqdns: ["charts.example.com", "*.github.io"], protocols: ["Https:443"] },
            { kind: "application" as const, name: "ghcr-http", fqdns: ["ghcr.io", "pkg-containers.githubusercontent.com"], protocols: ["Http:80"] },
        ];
        const c = compliantCluster();
        expect(checkEgress(c, rules, () => undefined).map((p) => p.message.split("; needed for")[0])).toEqual([
            "egress: flux-system OCIRepository flux-system/oci-chart (source-controller) image ghcr.io/example/charts/thing → ghcr.io:443: denied by the hub firewall (no Https:443 application rule or TCP 443 network rule for ghcr.io in components/hub/egress-rules.ts)",
            "egress: flux-system OCIRepository flux-system/oci-chart (source-controller) image ghcr.io/example/charts/thing → pkg-containers.githubusercontent.com:443: denied by the hub firewall (no Https:443 application rule or TCP 443 network rule for pkg-containers.githubusercontent.com in components/hub/egress-rules.ts)",
        ]);
        find(c, "charts").spec.url = "https://kyverno.github.io/kyverno/";
        expect(checkEgress(c, [...rules, { ...rules[1], protocols: ["Https:443"] }], () => undefined)).toEqual([]);
    });

    test("the policy pack runs on workloads; an unavailable pack is reported, not a crash", async () => {
        const deploy = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "web", namespace: "demo" },
            spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "docker.io/nginx:latest" }] } } },
        };
        const deny = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "deny", namespace: "demo" }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } };
        const layers = [{ stack: "dev-uaenorth", layer: "ai" as const, path: "fixture/ai", objects: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" } }, deny, deploy] as any[] }];
        const [withPack] = await validateRendered("dev-uaenorth", layers, { registry, egress: false });
        expect(withPack.errors.some((e) => /^policy [a-z0-9-]+ \(mandatory\): apps\/v1:Deployment demo\/web: /.test(e))).toBe(true);
        const [without] = await validateRendered("dev-uaenorth", layers, { registry, egress: false, policy: "policy pack not available (test)" });
        expect(without.errors).toEqual(["policy pack not available (test): 3 object(s) not checked"]);
    });
});

describe("rendering", () => {
    let dir: string;
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-render-"));
        fs.mkdirSync(path.join(dir, "good"));
        fs.writeFileSync(path.join(dir, "good/kustomization.yaml"), "resources:\n  - cm.yaml\n");
        fs.writeFileSync(path.join(dir, "good/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: b\ndata:\n  k: v\n");
        fs.mkdirSync(path.join(dir, "broken"));
        fs.writeFileSync(path.join(dir, "broken/kustomization.yaml"), "resources:\n  - missing.yaml\n");
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test("renders an overlay into objects", async () => {
        expect(await renderOverlay(path.join(dir, "good"))).toEqual([{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "b" }, data: { k: "v" } }]);
    });

    test("a broken overlay fails with its path and kustomize's error", async () => {
        const err = await renderOverlay(path.join(dir, "broken")).catch((e) => e);
        expect(err).toBeInstanceOf(RenderError);
        expect(err.message).toContain(`${path.join(dir, "broken")}: kustomize build failed: `);
        expect(err.message).toContain("missing.yaml");
        expect(err.message).not.toContain("E11"); // no klog prefix
    });

    test("a missing kubectl is one clear error", async () => {
        const err = await renderOverlay(path.join(dir, "good"), { kubectl: "/nonexistent/kubectl" }).catch((e) => e);
        expect(err).toBeInstanceOf(KubectlMissingError);
        expect(err.message).toBe("kubectl not found on PATH: install kubectl (it bundles kustomize) to render the GitOps overlays");
    });
});

describe("CLI", () => {
    let errors: string[];
    let spy: jest.SpyInstance;
    beforeEach(() => {
        errors = [];
        spy = jest.spyOn(console, "error").mockImplementation((...a) => void errors.push(a.join(" ")));
    });
    afterEach(() => spy.mockRestore());

    test("an unknown environment is bad input: one line, exit 2", async () => {
        expect(await main(["--env", "qa"])).toBe(EXIT.badInput);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toBe(`unknown environment 'qa'; valid: ${listStacks().filter((s) => s.kind === "spoke").map((s) => s.stack).join(", ")}`);
    });

    test("an unknown format is bad input", async () => {
        expect(await main(["--format", "xml"])).toBe(EXIT.badInput);
        expect(errors).toEqual(["--format must be text or json, not 'xml'"]);
    });
});
