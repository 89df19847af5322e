/**
 * The in-cluster half of the edge, as Flux will apply it: each cluster's rendered infra-controllers and
 * infra-configs entry points (kubectl kustomize) must carry the origin certificate from Key Vault as nginx-public's
 * TLS, the origin-pull verification, and Cloudflare-only source ranges — for every environment.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { cloudflareIpv4Ranges } from "../../components/edge/cloudflare-ips";
import { EDGE_SECRET_NAMES } from "../../components/edge/names";
import { REPO_ROOT } from "../../config/stack-files";
import { type K8sObject, renderOverlay } from "../../tools/gitops/render";

const STACKS = ["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"] as const;
const rendered: Record<string, { controllers: K8sObject[]; configs: K8sObject[]; ai: K8sObject[] }> = {};

beforeAll(async () => {
    await Promise.all(
        STACKS.map(async (s) => {
            const [controllers, configs, ai] = await Promise.all([
                renderOverlay(`gitops-bootstrap/clusters/${s}/infra-controllers`),
                renderOverlay(`gitops-bootstrap/clusters/${s}/infra-configs`),
                renderOverlay(`workloads/overlays/${s}`),
            ]);
            rendered[s] = { controllers, configs, ai };
        }),
    );
});

function find(objs: K8sObject[], kind: string, name: string, namespace?: string): K8sObject {
    const hits = objs.filter((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
    if (hits.length !== 1) throw new Error(`expected one ${kind} ${namespace ?? "*"}/${name}, found ${hits.length}`);
    return hits[0];
}

/** Kyverno's string pattern: `*` any run, `?` one character. */
function globMatches(pattern: string, value: string): boolean {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    return re.test(value);
}

describe.each(STACKS)("%s: edge TLS wiring in the rendered tree", (stack) => {
    const configs = () => rendered[stack].configs;
    const nginxPublic = () => find(configs(), "HelmRelease", "nginx-public", "flux-system").spec.values.controller;

    it("the origin certificate and key from Key Vault become nginx-public's kubernetes.io/tls secret", () => {
        const es = find(configs(), "ExternalSecret", "nginx-public-default-tls", "ingress-public");
        expect(es.spec.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: "azure-key-vault" });
        expect(es.spec.target.template.type).toBe("kubernetes.io/tls");
        expect(Object.keys(es.spec.target.template.data).sort()).toEqual(["tls.crt", "tls.key"]);
        // Flux substitutes these from cluster-vars, which the stack fills from Edge.secretNames.
        const keys = Object.fromEntries(es.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key]));
        expect(es.spec.target.template.data["tls.crt"]).toBe("{{ .cert }}");
        expect(es.spec.target.template.data["tls.key"]).toBe("{{ .key }}");
        expect(keys).toEqual({ cert: "${origin_cert_secret}", key: "${origin_key_secret}" });
    });

    it("nginx-public serves that secret as its default and wildcard certificate, on 443 only", () => {
        const c = nginxPublic();
        expect(c.defaultTLS.secret).toBe("ingress-public/nginx-public-default-tls");
        expect(c.wildcardTLS.secret).toBe("ingress-public/nginx-public-default-tls");
        expect(c.service.httpPort.enable).toBe(false);
        expect(c.service.httpsPort).toMatchObject({ enable: true, port: 443 });
        expect(c.enableSnippets).toBe(false);
    });

    it("only Cloudflare's ranges reach the load balancer, and only they may set the client address", () => {
        const c = nginxPublic();
        expect(c.service.loadBalancerSourceRanges).toEqual(cloudflareIpv4Ranges());
        expect(c.service.externalTrafficPolicy).toBe("Local");
        expect(c.config.entries["set-real-ip-from"].split(",")).toEqual(cloudflareIpv4Ranges());
        expect(c.config.entries["real-ip-header"]).toBe("CF-Connecting-IP");
    });

    it("the origin-pull CA comes from Key Vault as an nginx.org/ca secret", () => {
        const es = find(configs(), "ExternalSecret", "cloudflare-origin-pull-ca", "ingress-public");
        expect(es.spec.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: "azure-key-vault" });
        expect(es.spec.target).toMatchObject({ name: "cloudflare-origin-pull-ca", template: { type: "nginx.org/ca", data: { "ca.crt": "{{ .ca }}" } } });
        expect(es.spec.data).toEqual([{ secretKey: "ca", remoteRef: { key: EDGE_SECRET_NAMES.originPullCa } }]);
    });

    it("an IngressMTLS Policy requires Cloudflare's origin-pull client certificate", () => {
        const p = find(configs(), "Policy", "cloudflare-origin-pull", "ingress-public");
        expect(p.apiVersion).toBe("k8s.nginx.org/v1");
        expect(p.spec.ingressMTLS).toEqual({ clientCertSecret: "cloudflare-origin-pull-ca", verifyClient: "on", verifyDepth: 1 });
    });

    it("Kyverno enforces the Policy on every nginx-public Ingress and VirtualServer", () => {
        const cp = find(configs(), "ClusterPolicy", "require-cloudflare-origin-pull");
        const rules = Object.fromEntries(cp.spec.rules.map((r: any) => [r.name, r]));
        const ing = rules["ingress-attaches-origin-pull-policy"];
        expect(ing.validate.failureAction).toBe("Enforce");
        expect(ing.match.any[0].resources.kinds).toEqual(["networking.k8s.io/v1/Ingress"]);
        expect(ing.preconditions.all[0]).toMatchObject({ operator: "Equals", value: "nginx-public" });
        const pattern = ing.validate.pattern.metadata.annotations["nginx.org/policies"];
        expect(globMatches(pattern, "ingress-public/cloudflare-origin-pull")).toBe(true);
        expect(globMatches(pattern, "ai-serving/cors, ingress-public/cloudflare-origin-pull")).toBe(true);
        expect(globMatches(pattern, "ai-serving/cors")).toBe(false);
        const vs = rules["virtualserver-attaches-origin-pull-policy"];
        expect(vs.validate.failureAction).toBe("Enforce");
        expect(vs.match.any[0].resources.kinds).toEqual(["k8s.nginx.org/v1/VirtualServer"]);
    });

    it("the public NGINX runs on the CRDs installed one layer earlier (Flux would otherwise fail on the Policy)", () => {
        const crds = find(rendered[stack].controllers, "Kustomization", "nginx-ingress-crds", "flux-system");
        expect(crds.spec).toMatchObject({ prune: false, wait: true, sourceRef: { kind: "GitRepository", name: "nginx-ingress-crds" } });
        const repo = find(rendered[stack].controllers, "GitRepository", "nginx-ingress-crds", "flux-system");
        for (const name of ["nginx-public", "nginx-internal"]) {
            const hr = find(configs(), "HelmRelease", name, "flux-system");
            expect(hr.spec.install.crds).toBe("Skip");
            expect(hr.spec.upgrade.crds).toBe("Skip");
            // The CRD bundle's tag is the chart's appVersion (chart 2.6.4 ships NGINX Ingress Controller 5.5.4).
            expect({ chart: hr.spec.chart.spec.version, crds: repo.spec.ref.tag }).toEqual({ chart: "2.6.4", crds: "v5.5.4" });
        }
    });

    it("every nginx-public Ingress of the AI stack attaches the Policy and terminates TLS", () => {
        for (const ing of rendered[stack].ai.filter((o) => o.kind === "Ingress" && o.spec?.ingressClassName === "nginx-public")) {
            expect(ing.metadata.annotations?.["nginx.org/policies"]).toContain("ingress-public/cloudflare-origin-pull");
            expect(ing.spec.tls?.length).toBeGreaterThan(0);
        }
    });
});

describe("the opt-in public-ingress component of the AI stack", () => {
    it("passes the Kyverno rule: its Ingress attaches the origin-pull Policy and lists its hosts under tls", () => {
        const file = path.join(REPO_ROOT, "workloads/components/public-ingress/ingress.yaml");
        // Flux's ${var} inside a YAML flow sequence trips strict parsers; the values don't matter here.
        const ing = YAML.parse(fs.readFileSync(file, "utf8").replace(/\$\{(\w+)\}/g, "$1"));
        const cp = find(rendered["prd-uaenorth"].configs, "ClusterPolicy", "require-cloudflare-origin-pull");
        const pattern = cp.spec.rules[0].validate.pattern.metadata.annotations["nginx.org/policies"];
        expect(ing.spec.ingressClassName).toBe("nginx-public");
        expect(globMatches(pattern, ing.metadata.annotations["nginx.org/policies"])).toBe(true);
        expect(ing.spec.tls[0].hosts).toEqual(ing.spec.rules.map((r: any) => r.host));
    });
});

describe.each(STACKS)("%s: nginx-public runs only where the public path is open", (stack) => {
    it("is pinned to the stack's ingress pool (the pool in the ingressPublic subnet) and tolerates its taint", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { validateSpokeConfig } = require("../../config") as typeof import("../../config");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { namespaceValues, readStackConfig } = require("../../config/stack-files") as typeof import("../../config/stack-files");
        const cfg = validateSpokeConfig(stack, `Pulumi.${stack}.yaml`, namespaceValues(readStackConfig(`Pulumi.${stack}.yaml`)));
        const pools = cfg.nodePools.filter((p) => p.subnet === "ingressPublic");
        expect(pools).toHaveLength(1);
        const c = find(rendered[stack].configs, "HelmRelease", "nginx-public", "flux-system").spec.values.controller;
        // Every node the selector admits is in the ingress pool...
        expect(Object.entries(c.nodeSelector).every(([k, v]) => pools[0].labels[k] === v)).toBe(true);
        expect(Object.keys(c.nodeSelector).length).toBeGreaterThan(0);
        // ...and the pool's NoSchedule taints are all tolerated.
        for (const taint of pools[0].taints) {
            const m = /^([^=:]+)(?:=([^:]*))?:(\w+)$/.exec(taint)!;
            expect(c.tolerations).toContainEqual(expect.objectContaining({ key: m[1], effect: m[3], ...(m[2] ? { value: m[2], operator: "Equal" } : {}) }));
        }
    });
});
