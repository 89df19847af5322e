/**
 * The hub firewall must let the clusters fetch every source Flux reconciles: each HelmRepository, OCIRepository and
 * GitRepository host in gitops-bootstrap/ and workloads/, and each spoke's Flux repository, must match an HTTPS
 * application rule of the hub's egress groups (exact FQDN or a leftmost `*.` wildcard). Otherwise Flux fails at
 * runtime behind the firewall's implicit deny — which no other offline check would notice.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { egressGroups } from "../../components/hub/egress-rules";
import { namespaceValues, readStackConfig, REPO_ROOT } from "../../config/stack-files";

const SOURCE_KINDS = new Set(["HelmRepository", "OCIRepository", "GitRepository"]);

function yamlFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e.name) ? [p] : [];
    });
}

function sourceHosts(): Map<string, string[]> {
    const hosts = new Map<string, string[]>();
    const add = (url: string, where: string) => {
        const host = new URL(url.replace(/^oci:\/\//, "https://")).hostname;
        hosts.set(host, [...(hosts.get(host) ?? []), where]);
    };
    for (const file of [...yamlFiles(path.join(REPO_ROOT, "gitops-bootstrap")), ...yamlFiles(path.join(REPO_ROOT, "workloads"))]) {
        for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, "utf8"))) {
            const o = doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { url?: string } } | null;
            if (o && SOURCE_KINDS.has(o.kind ?? "") && typeof o.spec?.url === "string" && !o.spec.url.includes("${")) {
                add(o.spec.url, `${path.relative(REPO_ROOT, file)} ${o.kind}/${o.metadata?.name}`);
            }
        }
    }
    for (const stack of ["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"]) {
        const flux = namespaceValues(readStackConfig(`Pulumi.${stack}.yaml`)).flux as { repoUrl: string };
        add(flux.repoUrl, `Pulumi.${stack}.yaml aiplatform:flux.repoUrl`);
    }
    return hosts;
}

function allowedHttps(): string[] {
    return egressGroups("uaenorth").flatMap((g) =>
        g.rules.flatMap((r) => (r.kind === "application" && r.protocols.includes("Https:443") ? (r.fqdns ?? []) : [])),
    );
}

function allows(patterns: string[], host: string): boolean {
    return patterns.some((p) => (p.startsWith("*.") ? host.endsWith(p.slice(1)) && host.split(".").length > p.split(".").length - 1 : p === host));
}

test("the GitOps tree has Flux sources to check", () => {
    expect(sourceHosts().size).toBeGreaterThan(10);
});

test("every Flux source host is allowed through the hub firewall on HTTPS", () => {
    const patterns = allowedHttps();
    const denied = [...sourceHosts()].filter(([host]) => !allows(patterns, host)).map(([host, where]) => `${host} (used by ${where[0]})`);
    expect(denied).toEqual([]);
});

test("the matcher itself: wildcards cover subdomains only, exact names only themselves", () => {
    expect(allows(["*.example.com"], "a.example.com")).toBe(true);
    expect(allows(["*.example.com"], "example.com")).toBe(false);
    expect(allows(["example.com"], "a.example.com")).toBe(false);
});
