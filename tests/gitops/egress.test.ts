/**
 * The egress model (tools/gitops/egress.ts) on the real rendered clusters and the real hub firewall rules: every
 * external flow is admitted by both layers today, and one mutation per test brings back exactly the flow issue 15
 * found (a Docker Hub image in a chart, the driver's HTTP to the Ubuntu archive, Hugging Face downloads, alert
 * receivers). Plus the matching semantics (Azure Firewall FQDN wildcards, NetworkPolicy and CiliumNetworkPolicy).
 */
import { egressGroups } from "../../components/hub/egress-rules";
import { EGRESS_HOSTS, egressHostsAgeDays } from "../../config/upstream/egress-hosts";
import type { Located } from "../../tools/gitops/checks";
import { chartImages, checkEgress, fqdnMatches, type FirewallRule, policiesAdmit, releaseImages } from "../../tools/gitops/egress";
import { type K8sObject, releaseChart, renderCluster, validateRendered } from "../../tools/gitops/validate";
import { chartImageSources } from "../../tools/gitops/vendor-chart-images";

const STACKS = ["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"];
const rules = (): FirewallRule[] => egressGroups("uaenorth").flatMap((g) => g.rules as FirewallRule[]);
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

async function cluster(stack: string): Promise<Located[]> {
    return (await renderCluster(stack)).flatMap((l) => l.objects.map((obj) => clone({ layer: l.layer, obj })));
}
const egress = (c: Located[], r = rules()) => {
    const objs = c.map((l) => l.obj);
    return checkEgress(c, r, (hr) => releaseChart(hr, objs)).map((p) => p.message);
};
const find = (c: Located[], kind: string, name: string): K8sObject => c.find((l) => l.obj.kind === kind && l.obj.metadata.name === name)!.obj;

describe.each(STACKS)("egress of %s", (stack) => {
    it("every flow (images, chart default images, Flux sources, model weights, driver packages, receivers) is admitted", async () => {
        expect(egress(await cluster(stack))).toEqual([]);
    });
});

describe("one mutation, one denied flow", () => {
    it("a Docker Hub image in a chart makes validate:gitops fail, naming the release, the value and the denying layer", async () => {
        const layers = clone(await renderCluster("dev-uaenorth"));
        const kps = layers.flatMap((l) => l.objects).find((o) => o.kind === "HelmRelease" && o.metadata.name === "kube-prometheus-stack")!;
        kps.spec.values.grafana.image.registry = "docker.io";
        const reports = await validateRendered("dev-uaenorth", layers, { policy: false });
        const errors = reports.flatMap((r) => r.errors);
        expect(errors).toContain(
            "egress: monitoring HelmRelease flux-system/kube-prometheus-stack (chart kube-prometheus-stack 88.5.3, values grafana.image) image docker.io/grafana/grafana → docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com:443: denied by the hub firewall (no Https:443 application rule or TCP 443 network rule for docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com in components/hub/egress-rules.ts); needed for image pull from docker.io: " +
                `${EGRESS_HOSTS.registries["docker.io"].note} (${EGRESS_HOSTS.registries["docker.io"].source})`,
        );
        expect(errors.every((e) => e.startsWith("egress: monitoring HelmRelease flux-system/kube-prometheus-stack"))).toBe(true);
    });

    it("an image from a registry without published blob hosts must come through ACR", async () => {
        const c = await cluster("prd-uaenorth");
        find(c, "HelmRelease", "node-problem-detector").spec.values.image.repository = "registry.k8s.io/node-problem-detector/node-problem-detector";
        expect(egress(c)).toEqual([
            expect.stringMatching(/^egress: node-agents HelmRelease flux-system\/node-problem-detector \(chart node-problem-detector 2\.4\.1, values image\): image registry\.k8s\.io\/.*pulls cannot be admitted by FQDN .*pull it through the platform ACR/),
        ]);
    });

    it("the NVIDIA driver container needs HTTP to the Ubuntu archive in the gpu-operator NetworkPolicies", async () => {
        const c = (await cluster("stg-uaenorth")).filter((l) => !(l.obj.kind === "NetworkPolicy" && l.obj.metadata.name === "allow-driver-apt"));
        expect(egress(c)).toEqual(
            ["archive.ubuntu.com", "security.ubuntu.com"].map((h) => expect.stringContaining(`egress: gpu-operator HelmRelease flux-system/gpu-operator nvidia-driver-daemonset → ${h}:80: denied by the NetworkPolicies of namespace gpu-operator`)),
        );
    });

    it("and the firewall must admit it on Http:80 (Https:443 is not enough)", async () => {
        const r = rules().map((x) => (x.name === "ubuntu-archive" ? { ...x, protocols: ["Https:443"] } : x));
        expect(egress(await cluster("stg-uaenorth"), r)).toEqual(
            ["archive.ubuntu.com", "security.ubuntu.com"].map((h) => expect.stringContaining(`nvidia-driver-daemonset → ${h}:80: denied by the hub firewall (no Http:80 application rule`)),
        );
    });

    it("model weights from Hugging Face need every Hub download host through the firewall", async () => {
        const r = rules().filter((x) => x.name !== "huggingface-hub");
        const errors = egress(await cluster("dev-uaenorth"), r);
        expect(errors.length).toBeGreaterThan(0);
        expect(new Set(errors.map((e) => /→ ([^:]+):443/.exec(e)![1]))).toEqual(new Set(EGRESS_HOSTS.huggingface.hosts));
        expect(errors.some((e) => e.startsWith("egress: ai-serving Deployment ai-serving/vllm-"))).toBe(true);
    });

    it("the RAG app's TEI fetches its model from the Hub: without its NetworkPolicy's 443 egress each Hub host is denied", async () => {
        const c = (await cluster("stg-uaenorth")).filter((l) => !(l.obj.kind === "NetworkPolicy" && l.obj.metadata.namespace === "rag" && l.obj.metadata.name === "tei"));
        expect(egress(c)).toEqual(EGRESS_HOSTS.huggingface.hosts.map((h) => expect.stringContaining(`egress: rag Deployment rag/tei container tei → ${h}:443: denied by the NetworkPolicies of namespace rag`)));
    });

    it("alert receivers: hosts must be declared on the AlertmanagerConfig and admitted by the firewall", async () => {
        const c = await cluster("dev-uaenorth");
        const amc = find(c, "AlertmanagerConfig", "ai-stack") as any;
        delete amc.metadata.annotations["aiplatform.io/egress-hosts"];
        expect(egress(c)).toEqual(
            ["ml-platform", "oncall", "finops"].map((r) => expect.stringContaining(`egress: monitoring AlertmanagerConfig monitoring/ai-stack receiver ${r}: its URL is a secret, so name the receivers' hosts in annotation aiplatform.io/egress-hosts`)),
        );
        amc.metadata.annotations["aiplatform.io/egress-hosts"] = "hooks.slack.com";
        expect(egress(c)).toEqual([expect.stringContaining("egress: monitoring AlertmanagerConfig monitoring/ai-stack receivers → hooks.slack.com:443: denied by the hub firewall")]);
    });

    it("the monitoring NetworkPolicies must let Alertmanager out", async () => {
        const out = ["allow-alertmanager-egress", "allow-egress-azure"];
        const c = (await cluster("dev-uaenorth")).filter((l) => !(l.obj.kind === "NetworkPolicy" && l.obj.metadata.namespace === "monitoring" && out.includes(l.obj.metadata.name)));
        expect(egress(c)).toEqual([
            expect.stringContaining("egress: monitoring AlertmanagerConfig monitoring/ai-stack receivers → *.logic.azure.com:443: denied by the NetworkPolicies of namespace monitoring"),
            expect.stringContaining("receivers → *.environment.api.powerplatform.com:443: denied by the NetworkPolicies of namespace monitoring"),
        ]);
    });
});

describe("matching semantics", () => {
    it("Azure Firewall FQDNs: exact, or a leftmost wildcard for names at any depth below it (not the apex)", () => {
        expect(fqdnMatches("*.hf.co", "cdn-lfs-us-1.hf.co")).toBe(true);
        expect(fqdnMatches("*.hf.co", "us.aws.cdn.hf.co")).toBe(true);
        expect(fqdnMatches("*.hf.co", "hf.co")).toBe(false);
        expect(fqdnMatches("quay.io", "cdn.quay.io")).toBe(false);
        expect(fqdnMatches("*.logic.azure.com", "*.logic.azure.com")).toBe(true);
    });

    const np = (egress: unknown[], podSelector: object = {}): K8sObject => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "p", namespace: "n" }, spec: { podSelector, policyTypes: ["Egress"], egress } });
    it("NetworkPolicy: a selected pod is isolated; 0.0.0.0/0 with the port admits, another port or peer does not", () => {
        const internet443 = [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }], ports: [{ protocol: "TCP", port: 443 }] }];
        expect(policiesAdmit([np(internet443)], { app: "x" }, "h", 443)).toEqual({ isolated: true, admitted: true });
        expect(policiesAdmit([np(internet443)], { app: "x" }, "h", 80)).toEqual({ isolated: true, admitted: false });
        expect(policiesAdmit([np([{ to: [{ namespaceSelector: {} }] }])], { app: "x" }, "h", 443)).toEqual({ isolated: true, admitted: false });
        expect(policiesAdmit([np(internet443, { matchLabels: { app: "y" } })], { app: "x" }, "h", 443)).toEqual({ isolated: false, admitted: false });
    });

    it("CiliumNetworkPolicy (kept next to NetworkPolicies): toEntities world or a toFQDNs match, with toPorts", () => {
        const cnp = (rule: object): K8sObject => ({ apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name: "c", namespace: "n" }, spec: { endpointSelector: {}, egress: [rule] } });
        const p443 = { toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] };
        expect(policiesAdmit([cnp({ toEntities: ["world"], ...p443 })], {}, "huggingface.co", 443).admitted).toBe(true);
        expect(policiesAdmit([cnp({ toFQDNs: [{ matchPattern: "*.hf.co" }], ...p443 })], {}, "cdn-lfs-us-1.hf.co", 443).admitted).toBe(true);
        expect(policiesAdmit([cnp({ toFQDNs: [{ matchName: "huggingface.co" }], ...p443 })], {}, "cdn-lfs-us-1.hf.co", 443)).toEqual({ isolated: true, admitted: false });
        expect(policiesAdmit([cnp({ toEntities: ["kube-apiserver"] })], {}, "huggingface.co", 443)).toEqual({ isolated: true, admitted: false });
    });
});

describe("vendored facts", () => {
    it("every pinned chart of the tree has its default image fields vendored, with source commit", async () => {
        const c = await cluster("prd-uaenorth");
        const objs = c.map((l) => l.obj);
        for (const hr of objs.filter((o) => o.kind === "HelmRelease")) {
            const ch = releaseChart(hr, objs)!;
            const facts = chartImages(ch.chart, ch.version);
            expect(facts).not.toBeNull();
            expect(facts!.source.commit).toMatch(/^[0-9a-f]{40}$/);
        }
        expect(chartImageSources().length).toBeGreaterThanOrEqual(20);
    });

    it("chart defaults resolve as the charts' templates do (registry/repository, NVIDIA repository/image, cert-manager namespace)", () => {
        const refs = (chart: string, version: string, values: object = {}) => releaseImages(chartImages(chart, version)!, values).map((i) => `${i.path}=${i.ref}`);
        expect(refs("cert-manager", "v1.21.1")).toContain("image=quay.io/jetstack/cert-manager-controller");
        expect(refs("gpu-operator", "v26.7.0")).toContain("driver=nvcr.io/nvidia/driver");
        expect(refs("gpu-operator", "v26.7.0")).not.toContain("sandboxDevicePlugin=nvcr.io/nvidia/kubevirt-gpu-device-plugin");
        expect(refs("kube-prometheus-stack", "88.5.3")).toContain("grafana.image=docker.io/grafana/grafana");
        expect(refs("kube-prometheus-stack", "88.5.3", { grafana: { enabled: false } }).some((r) => r.startsWith("grafana."))).toBe(false);
        expect(refs("kube-prometheus-stack", "88.5.3")).not.toContain("thanosRuler.thanosRulerSpec.image=quay.io/thanos/thanos");
        expect(refs("kyverno", "3.9.0")).toContain("admissionController.container.image=reg.kyverno.io/kyverno/kyverno");
    });

    it(`host lists were compared with their sources less than ${EGRESS_HOSTS.horizonDays} days before the facts' own date + horizon`, () => {
        // Age relative to a date derived from the snapshot itself: fails once the horizon has passed since retrieval.
        const due = new Date(Date.parse(`${EGRESS_HOSTS.retrieved}T00:00:00Z`) + EGRESS_HOSTS.horizonDays * 86_400_000);
        expect(egressHostsAgeDays(due)).toBe(EGRESS_HOSTS.horizonDays);
        expect(egressHostsAgeDays(new Date())).toBeLessThanOrEqual(EGRESS_HOSTS.horizonDays);
        for (const f of [...Object.values(EGRESS_HOSTS.registries), EGRESS_HOSTS.huggingface, EGRESS_HOSTS.ubuntuArchive]) expect(f.source).toMatch(/^(https:\/\/|none published)/);
    });
});
