/**
 * `npm run policy`: input detected by content (stack export, preview --json, YAML/JSON manifests), exit codes
 * 0 / 1 (mandatory violation) / 2 (bad input, one line naming the file), text and JSON output.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../tools/policy/cli";
import { compliantStack, mutated } from "./fixtures";
import type { PolicyInputResource } from "../../tools/policy/evaluate";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-cli-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
}

const exportOf = (resources: PolicyInputResource[]) =>
    JSON.stringify({ version: 3, deployment: { manifest: {}, resources: resources.map((r) => ({ urn: r.urn, type: r.type, custom: true, id: r.id, inputs: r.props, outputs: {}, protect: r.protect })) } });

const previewOf = (resources: PolicyInputResource[]) =>
    JSON.stringify({ steps: resources.map((r) => ({ op: "create", urn: r.urn, newState: { urn: r.urn, type: r.type, inputs: r.props, protect: r.protect } })) });

function run(...argv: string[]): { code: number; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(argv, { out: (l) => out.push(...l.split("\n")), err: (l) => err.push(l) });
    return { code, out, err };
}

const DEPLOYMENT_YAML = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: apps }
spec:
  template:
    spec:
      securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
      containers:
        - name: web
          image: IMAGE
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
          resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { memory: 128Mi } }
          readinessProbe: { httpGet: { path: /, port: 8080 } }
          livenessProbe: { httpGet: { path: /, port: 8080 } }
`;

describe("exit codes and input kinds", () => {
    test("compliant stack export: exit 0 and the summary", () => {
        const r = run(write("ok.json", exportOf(compliantStack("prd"))));
        expect(r.code).toBe(0);
        expect(r.out).toEqual([`0 mandatory, 0 advisory violation(s) in ${compliantStack("prd").length} resource(s)`]);
        expect(r.err).toEqual([]);
    });

    test("a stack export saved with a UTF-8 byte-order mark is read like any other", () => {
        const r = run(write("bom.json", "\uFEFF" + exportOf(compliantStack("prd"))));
        expect(r.err).toEqual([]);
        expect(r.code).toBe(0);
        expect(r.out).toEqual([`0 mandatory, 0 advisory violation(s) in ${compliantStack("prd").length} resource(s)`]);
    });

    test("mandatory violation in a stack export: exit 1, one line per violation", () => {
        const r = run(write("bad.json", exportOf(mutated(compliantStack("prd"), "kv", (p) => (p.properties.enablePurgeProtection = false)))));
        expect(r.code).toBe(1);
        expect(r.out[0]).toBe("mandatory v2-kv-purge-protection  kv (urn:pulumi:test::aiplatform::azure-native:keyvault:Vault::kv): set properties.enablePurgeProtection: true");
        expect(r.out.at(-1)).toMatch(/^1 mandatory, 0 advisory violation\(s\)/);
    });

    test("advisory-only violations keep exit 0", () => {
        const r = run(write("adv.json", exportOf(mutated(compliantStack("prd"), "pool-cpu", (p) => (p.maxPods = 10)))));
        expect(r.code).toBe(0);
        expect(r.out[0]).toMatch(/^advisory  aks-max-pods  pool-cpu/);
    });

    test("pulumi preview --json output is recognised by content", () => {
        const stack = mutated(compliantStack("dev"), "nsg", (p) => (p.securityRules[0].destinationPortRange = "3389"));
        const r = run(write("preview.out", previewOf(stack)));
        expect(r.code).toBe(1);
        expect(r.out.filter((l) => l.startsWith("mandatory")).map((l) => l.split(/\s+/)[1])).toEqual(["n1-nsg-no-internet-management-ports", "n5-nsg-internet-inbound-allowlist"]);
    });

    test("multi-document YAML manifests (file name says nothing)", () => {
        const good = DEPLOYMENT_YAML.replace("IMAGE", "acraip.azurecr.io/web:1.0.0");
        const bad = DEPLOYMENT_YAML.replace("IMAGE", "nginx:latest").replace("name: web,", "name: web2,");
        const r = run(write("manifests.txt", `${good}\n---\n${bad}\n---\n`));
        expect(r.code).toBe(1);
        expect(r.out.filter((l) => l.startsWith("mandatory")).map((l) => l.split(/\s+/).slice(1, 3).join(" ")).sort()).toEqual([
            "k8s-allowed-registries apps/web2",
            "k8s-image-pinned apps/web2",
        ]);
        expect(r.out.at(-1)).toMatch(/in 2 resource\(s\)$/);
    });

    test("a JSON kind: List of manifests", () => {
        const item = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { hostPID: true, containers: [{ name: "c", image: "acraip.azurecr.io/c:1", securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } }, resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } }, readinessProbe: {}, livenessProbe: {} }] } };
        const r = run(write("list.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: [item] })));
        expect(r.code).toBe(1);
        expect(r.out[0]).toContain("pss-disallow-host-namespaces");
    });

    test("several files: one merged report, whole-stack rules per file", () => {
        const r = run(write("a.json", exportOf(compliantStack("prd"))), write("b.yaml", DEPLOYMENT_YAML.replace("IMAGE", "acraip.azurecr.io/web:1")));
        expect(r.code).toBe(0);
        expect(r.out).toEqual([`0 mandatory, 0 advisory violation(s) in ${compliantStack("prd").length + 1} resource(s)`]);
    });

    test("--format json prints the PolicyReport", () => {
        const r = run(write("bad2.json", exportOf(mutated(compliantStack("prd"), "acr", (p) => (p.adminUserEnabled = true)))), "--format", "json");
        expect(r.code).toBe(1);
        const report = JSON.parse(r.out.join("\n"));
        expect(report.mandatory).toBe(1);
        expect(report.violations[0]).toMatchObject({ policyName: "r1-acr-admin-disabled", name: "acr", enforcementLevel: "mandatory" });
    });

    test("--config moves a rule per stack", () => {
        const stack = write("bad3.json", exportOf(mutated(compliantStack("prd"), "acr", (p) => (p.adminUserEnabled = true))));
        const cfg = write("pack.yaml", "r1-acr-admin-disabled: advisory\n");
        expect(run(stack, "--config", cfg).code).toBe(0);
        expect(run(stack, `--config=${write("pack.json", JSON.stringify({ "r1-acr-admin-disabled": { enforcementLevel: "disabled" } }))}`).out).toEqual([`0 mandatory, 0 advisory violation(s) in ${compliantStack("prd").length} resource(s)`]);
    });
});

describe("bad input: exit 2 with one line naming the file and why", () => {
    test.each([
        ["missing file", () => path.join(dir, "nope.json"), /^policy: .*nope\.json: no such file$/],
        ["a directory", () => dir, /^policy: .*: is a directory$/],
        ["empty file", () => write("empty.json", "  \n"), /^policy: .*empty\.json: empty file$/],
        ["unknown JSON shape", () => write("other.json", '{"name":"x"}'), /^policy: .*other\.json: document #1 has no apiVersion\/kind: not a stack export, preview --json output or Kubernetes manifest$/],
        ["broken YAML", () => write("broken.yaml", "a: [1,\nb"), /^policy: .*broken\.yaml: neither JSON nor valid YAML \(line \d+\): /],
        ["YAML that isn't a manifest", () => write("cfg.yaml", "foo: bar\n"), /^policy: .*cfg\.yaml: document #1 has no apiVersion\/kind/],
        ["stack export of another version", () => write("v1.json", '{"version":1,"deployment":{"resources":[]}}'), /^policy: .*v1\.json: stack export version 1 is not supported \(expected 3\)$/],
    ])("%s", (_t, file, message) => {
        const r = run(file());
        expect(r.code).toBe(2);
        expect(r.out).toEqual([]);
        expect(r.err).toHaveLength(1);
        expect(r.err[0]).toMatch(message);
    });

    test.each([
        [[], /^policy: no input file$/],
        [["x.json", "--format", "xml"], /^policy: --format must be text or json, not "xml"$/],
        [["x.json", "--bogus"], /^policy: unknown option --bogus$/],
        [["x.json", "--config"], /^policy: --config needs a value$/],
    ])("arguments %j", (argv, message) => {
        const r = run(...(argv as string[]));
        expect(r.code).toBe(2);
        expect(r.err[0]).toMatch(message);
    });

    test("an invalid pack config names the problem", () => {
        const cfg = write("badcfg.yaml", "k1-aks-private-cluster: sometimes\n");
        const r = run(write("ok2.json", exportOf(compliantStack("dev"))), "--config", cfg);
        expect(r.code).toBe(2);
        expect(r.err).toEqual(['policy: pack config: k1-aks-private-cluster.enforcementLevel = "sometimes" is not one of advisory, mandatory, remediate, disabled']);
    });
});

describe("as a process (npm run policy runs tools/policy/cli.ts with tsx)", () => {
    const root = path.resolve(__dirname, "../..");
    const cli = (...args: string[]) => spawnSync(process.execPath, [require.resolve("tsx/cli"), "tools/policy/cli.ts", ...args], { cwd: root, encoding: "utf8" });

    test("exit 1 on a mandatory violation, exit 2 on unreadable input, no stack trace", () => {
        const bad = cli(write("proc.json", exportOf(mutated(compliantStack("prd"), "st", (p) => (p.allowSharedKeyAccess = true)))));
        expect(bad.status).toBe(1);
        expect(bad.stdout).toContain("s2-storage-no-public-blob-no-shared-key");
        const missing = cli(path.join(dir, "missing.yaml"));
        expect(missing.status).toBe(2);
        expect(missing.stderr.trim()).toBe(`policy: ${path.join(dir, "missing.yaml")}: no such file`);
    });
});
