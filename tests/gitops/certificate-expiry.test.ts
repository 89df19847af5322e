/**
 * Certificate-expiry alerting as each cluster will run it (rendered entry points, kubectl kustomize):
 * x509-certificate-exporter watches every TLS secret — ingress-public's Cloudflare origin certificate included —
 * and the tls-certificates PrometheusRule turns its metrics into alerts with the agreed thresholds (warning under 30
 * days, critical under 7, expired), exporter/source health alerts, runbook links that resolve, and labels the
 * Alertmanager routes. The thresholds are checked by evaluating each rule's PromQL over synthetic series (a small
 * evaluator over Prometheus' own grammar), not by comparing strings.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { REPO_ROOT } from "../../config/stack-files";
import type { K8sObject } from "../../tools/gitops/render";
import { coalesceValues } from "../../tools/gitops/schemas";
import { renderCluster } from "../../tools/gitops/validate";
import { type Obj, promqlProblems, runbookProblems } from "../../tools/workloads/checks";
import { evaluate, firing as firingAt, type Rule, type Series } from "../support/promql-eval";

const STACKS = ["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"] as const;
const NS = "x509-exporter";
const RUNBOOK = "https://github.com/contoso/aiplatform/blob/main/docs/runbooks/alerts/tls-certificates.md";
const DAY = 86400;

async function layer(stack: string, name: string): Promise<K8sObject[]> {
    const l = (await renderCluster(stack)).find((r) => r.layer === name)!;
    if (l.error) throw new Error(l.error);
    return l.objects;
}
function one(objs: K8sObject[], kind: string, name: string, namespace?: string): any {
    const hits = objs.filter((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
    if (hits.length !== 1) throw new Error(`expected one ${kind} ${namespace ?? "*"}/${name}, found ${hits.length}`);
    return hits[0];
}

// ---------------------------------------------------------------------------------------------------------------

const NOW = 1_800_000_000;
const ORIGIN = { secret_namespace: "ingress-public", secret_name: "nginx-public-default-tls", secret_key: "tls.crt", subject_CN: "api.dev.ai.contoso.com", secret_label_controller_cert_manager_io_fao: "" };
const INTERNAL = { secret_namespace: "ingress-internal", secret_name: "nginx-internal-default-tls", secret_key: "tls.crt", subject_CN: "dev.internal.ai.contoso.com", secret_label_controller_cert_manager_io_fao: "true" };
const TARGET = { job: "x509-certificate-exporter", namespace: NS };

function certSeries(labels: Record<string, string>, daysLeft: number): Series[] {
    const l = { ...TARGET, ...labels };
    return [
        { name: "x509_cert_not_after", labels: l, value: NOW + daysLeft * DAY },
        { name: "x509_cert_expired", labels: l, value: daysLeft <= 0 ? 1 : 0 },
    ];
}
const healthy: Series[] = [
    { name: "up", labels: TARGET, value: 1 },
    { name: "x509_source_up", labels: { ...TARGET, source_kind: "kube-secret", source_name: "secrets" }, value: 1 },
];

/** Alerts (name/severity) the rules raise over `db` at NOW, each with the labels of the firing series. */
const firing = (rules: Rule[], db: Series[]) => firingAt(rules, db, NOW);
const names = (f: ReturnType<typeof firing>) => f.map((a) => `${a.alert}/${a.severity}`).sort();

describe("the PromQL evaluator used below", () => {
    it("follows Prometheus on selectors, filters, and/or/unless, aggregations, absent and vector", () => {
        const db: Series[] = [
            { name: "m", labels: { a: "1", b: "x" }, value: 5 },
            { name: "m", labels: { a: "2", b: "y" }, value: 50 },
        ];
        expect(evaluate('m{b!="y"} < 10', db, NOW).map((s) => s.labels.a)).toEqual(["1"]);
        expect(evaluate("m - 5 > 0 and m < 100", db, NOW)).toEqual([{ labels: { a: "2", b: "y" }, value: 45 }]);
        expect(evaluate("m unless m > 10", db, NOW).map((s) => s.labels.a)).toEqual(["1"]);
        expect(evaluate('absent(m{a="3", b=~"z"})', db, NOW)).toEqual([{ labels: { a: "3" }, value: 1 }]);
        expect(evaluate('absent(m{a="1"} == 5)', db, NOW)).toEqual([]);
        expect(evaluate("max(m) without (b) or vector(7)", db, NOW)).toEqual([{ labels: { a: "1" }, value: 5 }, { labels: { a: "2" }, value: 50 }, { labels: {}, value: 7 }]);
        expect(evaluate("min(m > 10) or absent(m)", db, NOW)).toEqual([{ labels: {}, value: 50 }]);
        expect(evaluate("sum by (b) (m) and count(m) > 1", db, NOW)).toEqual([]);
        expect(() => evaluate("rate(m[5m])", db, NOW)).toThrow(/not supported/);
    });
});

describe.each(STACKS)("%s: certificate-expiry alerting", (stack) => {
    let controllers: K8sObject[];
    let configs: K8sObject[];
    let ai: K8sObject[];
    let rules: Rule[];
    beforeAll(async () => {
        [controllers, configs, ai] = await Promise.all([layer(stack, "infra-controllers"), layer(stack, "infra-configs"), layer(stack, "ai")]);
        const pr = one(configs, "PrometheusRule", "tls-certificates", NS);
        rules = pr.spec.groups.flatMap((g: any) => g.rules);
    });

    describe("the exporter", () => {
        const release = () => one(controllers, "HelmRelease", "x509-certificate-exporter", "flux-system");
        /** The values Helm will render with: ours over the vendored chart defaults (schemas/charts/). */
        const effective = () => {
            const dir = path.join(REPO_ROOT, "schemas", "charts", "x509-certificate-exporter-4.2.0");
            return coalesceValues(YAML.parse(fs.readFileSync(path.join(dir, "values.yaml"), "utf8")), release().spec.values) as any;
        };

        it("is a pinned release of the enix chart from its OCI registry, rolled back on failed upgrades, after the CRDs it needs", () => {
            const hr = release();
            expect(hr.spec.chartRef).toEqual({ kind: "OCIRepository", name: "x509-certificate-exporter" });
            const src = one(controllers, "OCIRepository", "x509-certificate-exporter", "flux-system");
            expect(src.spec.url).toBe("oci://quay.io/enix/charts/x509-certificate-exporter");
            expect(src.spec.ref).toEqual({ tag: "4.2.0" });
            expect(fs.existsSync(path.join(REPO_ROOT, "schemas", "charts", `x509-certificate-exporter-${src.spec.ref.tag}`, "values.schema.json"))).toBe(true);
            expect(hr.spec).toMatchObject({ targetNamespace: NS, storageNamespace: NS, serviceAccountName: "flux-applier", dependsOn: [{ name: "kube-prometheus-stack" }] });
            expect(hr.spec.install.strategy).toEqual({ name: "RetryOnFailure", retryInterval: "2m" });
            expect(hr.spec.upgrade.remediation).toMatchObject({ strategy: "rollback", remediateLastFailure: true });
            expect(hr.spec.upgrade.remediation.retries).toBeGreaterThan(0);
        });

        it("watches ingress-public's TLS secrets: the origin certificate and the origin-pull CA, as ESO writes them", () => {
            const v = effective().secretsExporter;
            expect(v.enabled).toBe(true);
            const glob = (p: string, s: string) => new RegExp(`^${p.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`).test(s);
            const nsLabels = one(controllers, "Namespace", "ingress-public").metadata.labels ?? {};
            const labelSel = (sel: string, labels: Record<string, string>) => {
                const [k, val] = sel.split("=");
                return val === undefined ? k in labels : labels[k] === val;
            };
            // Namespace and secret filters admit ingress-public and its secrets.
            expect(!v.includeNamespaces?.length || v.includeNamespaces.some((p: string) => glob(p, "ingress-public"))).toBe(true);
            expect((v.excludeNamespaces ?? []).some((p: string) => glob(p, "ingress-public"))).toBe(false);
            expect(!v.includeNamespaceLabels?.length || v.includeNamespaceLabels.every((s: string) => labelSel(s, nsLabels))).toBe(true);
            expect((v.excludeNamespaceLabels ?? []).some((s: string) => labelSel(s, nsLabels))).toBe(false);
            expect(v.includeLabels ?? []).toEqual([]);
            const secrets = configs.filter((o) => o.kind === "ExternalSecret" && o.metadata.namespace === "ingress-public");
            expect(secrets.map((o) => o.metadata.name).sort()).toEqual(["cloudflare-origin-pull-ca", "nginx-public-default-tls"]);
            for (const es of secrets) {
                const target = es.spec.target;
                expect(!v.includeSecrets?.length || v.includeSecrets.some((p: string) => glob(p, target.name))).toBe(true);
                expect((v.excludeSecrets ?? []).some((p: string) => glob(p, target.name))).toBe(false);
                const keys = Object.keys(target.template.data);
                const watched = v.secretTypes.filter((t: any) => t.type === target.template.type && (t.format ?? "pem") === "pem" && keys.includes(t.key));
                expect([target.name, watched.length]).toEqual([target.name, 1]);
            }
            // The origin certificate's own secret type and key, exactly.
            expect(v.secretTypes).toEqual(expect.arrayContaining([{ type: "kubernetes.io/tls", key: "tls.crt" }]));
        });

        it("exposes what the rules select on and leaves alerting to our rules", () => {
            const all = effective();
            expect(all.exposeExpiredMetric).toBe(true);
            expect(all.secretsExporter.exposeSecretLabels).toEqual(["controller.cert-manager.io/fao"]);
            expect(all.prometheusServiceMonitor.create).toBe(true);
            expect(all.prometheusRules.create).toBe(false);
            // The ServiceMonitor's job label is the Service's name, which the ExporterDown rule selects.
            expect(all.fullnameOverride).toBe(TARGET.job);
            expect(all.hostPathsExporter.daemonSets).toEqual({});
        });

        it("runs alone in a restricted namespace with default deny, no egress beyond the API server and DNS, and a quota", () => {
            const ns = one(controllers, "Namespace", NS);
            expect(ns.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted", "aiplatform.io/pss": "restricted", "aiplatform.io/tier": "platform" });
            const policies = configs.filter((o) => ["NetworkPolicy", "CiliumNetworkPolicy"].includes(o.kind) && o.metadata.namespace === NS).map((o) => `${o.kind} ${o.metadata.name}`).sort();
            expect(policies).toEqual([
                "CiliumNetworkPolicy allow-apiserver",
                "NetworkPolicy allow-dns",
                "NetworkPolicy allow-prometheus-scrape",
                "NetworkPolicy allow-same-namespace",
                "NetworkPolicy default-deny-all",
            ]);
            const quota = one(controllers, "ResourceQuota", "compute", NS);
            expect(quota.spec.hard).toMatchObject({ "services.loadbalancers": "0", "services.nodeports": "0" });
            one(controllers, "LimitRange", "defaults", NS);
            const limits = effective().secretsExporter.resources.limits;
            expect(parseInt(limits.memory, 10)).toBeLessThanOrEqual(parseInt(quota.spec.hard["limits.memory"], 10) * 1024);
        });
    });

    describe("the tls-certificates rules", () => {
        it("exist, parse, select only catalogued metrics, and link to runbook headings that exist", () => {
            expect(rules.map((r) => `${r.alert}/${r.labels.severity}`).sort()).toEqual([
                "TLSCertificateExpired/critical",
                "TLSCertificateExpiringSoon/critical",
                "TLSCertificateExpiringSoon/warning",
                "TLSCertificateExporterDown/warning",
                "TLSCertificateSourceDown/warning",
            ]);
            const pr = configs.filter((o) => o.kind === "PrometheusRule") as unknown as Obj[];
            expect(promqlProblems(pr)).toEqual([]);
            expect(runbookProblems(pr, REPO_ROOT)).toEqual([]);
            for (const r of rules) expect([r.alert, r.annotations.runbook_url]).toEqual([r.alert, `${RUNBOOK}#${r.alert.toLowerCase()}`]);
        });

        it.each([
            [45, []],
            [30.5, []],
            [29.9, ["TLSCertificateExpiringSoon/warning"]],
            [7.01, ["TLSCertificateExpiringSoon/warning"]],
            [6.99, ["TLSCertificateExpiringSoon/critical"]],
            [0.1, ["TLSCertificateExpiringSoon/critical"]],
            [-0.1, ["TLSCertificateExpired/critical"]],
            [-400, ["TLSCertificateExpired/critical"]],
        ])("origin certificate with %s days left raises %j", (days, expected) => {
            const f = firing(rules, [...healthy, ...certSeries(ORIGIN, days as number)]);
            expect(names(f)).toEqual(expected);
            for (const a of f) expect(a.labels).toMatchObject({ secret_namespace: "ingress-public", secret_name: "nginx-public-default-tls", team: "platform" });
        });

        it.each([
            [20, []],
            [6, ["TLSCertificateExpiringSoon/critical"]],
            [-1, ["TLSCertificateExpired/critical"]],
        ])("a secret cert-manager renews, %s days left, raises %j (cert-manager's own alerts cover its renewal window)", (days, expected) => {
            expect(names(firing(rules, [...healthy, ...certSeries(INTERNAL, days as number)]))).toEqual(expected);
        });

        it("waits long enough not to flap, but pages the critical bands within the hour", () => {
            const forOf = (alert: string, severity: string) => rules.find((r) => r.alert === alert && r.labels.severity === severity)!.for;
            expect(forOf("TLSCertificateExpiringSoon", "warning")).toBe("1h");
            expect(forOf("TLSCertificateExpiringSoon", "critical")).toBe("15m");
            expect(forOf("TLSCertificateExpired", "critical")).toBe("5m");
        });

        it("say when the exporter or one of its sources stops watching", () => {
            const certs = certSeries(ORIGIN, 100);
            expect(names(firing(rules, [...healthy, ...certs]))).toEqual([]);
            const down = firing(rules, [{ name: "up", labels: TARGET, value: 0 }, ...certs]);
            expect(names(down)).toEqual(["TLSCertificateExporterDown/warning"]);
            expect(down[0].labels).toMatchObject({ namespace: NS, team: "platform" });
            expect(names(firing(rules, certs))).toEqual(["TLSCertificateExporterDown/warning"]); // never scraped at all
            const source = firing(rules, [{ name: "up", labels: TARGET, value: 1 }, { name: "x509_source_up", labels: { ...TARGET, source_kind: "kube-secret", source_name: "secrets" }, value: 0 }]);
            expect(names(source)).toEqual(["TLSCertificateSourceDown/warning"]);
        });

        it("reach a receiver: the ai-stack routes match their team label, from any namespace", () => {
            const kps = one(controllers, "HelmRelease", "kube-prometheus-stack", "flux-system");
            expect(kps.spec.values.alertmanager.alertmanagerSpec.alertmanagerConfigMatcherStrategy).toEqual({ type: "None" });
            const amc = one(ai, "AlertmanagerConfig", "ai-stack", "monitoring");
            const team = amc.spec.route.matchers.find((m: any) => m.name === "team");
            const re = new RegExp(`^(?:${team.value})$`);
            for (const r of rules) expect([r.alert, team.matchType, re.test(r.labels.team)]).toEqual([r.alert, "=~", true]);
            expect(amc.spec.route.routes.find((r: any) => r.receiver === "oncall").matchers).toEqual([{ name: "severity", matchType: "=", value: "critical" }]);
        });
    });
});
