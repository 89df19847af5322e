/**
 * Pod Security rules at each upstream version boundary (k8s.io/pod-security-admission policy/check_*.go): a
 * compliant restricted pod, one mutation, judged at the version just before and at the version that changes the
 * verdict. The version is the rules' `version` setting (the PSA label: "latest" or "v1.N").
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { listStacks, namespaceValues, readStackConfig } from "../../config/stack-files";
import { main } from "../../tools/policy/cli";
import { clusterPssVersion } from "../../tools/policy/cluster-version";
import { evaluateKubernetesObjects, type PackConfig } from "../../tools/policy/evaluate";
import { validateRendered } from "../../tools/gitops/validate";
import policyReport from "../../tools/plan/reports/policy";
import { pssBaselineRules, pssRestrictedRules } from "../../policies/pack";
import { pssMinor, pssVersionOfCluster } from "../../policies/lib/pss-version";

const PSS = [...pssBaselineRules, ...pssRestrictedRules];

const container = (extra: Record<string, unknown> = {}) => ({
    name: "app",
    image: "acraip.azurecr.io/app:1.0.0",
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] }, ...((extra.securityContext as object) ?? {}) },
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== "securityContext")),
});

function pod(spec: Record<string, unknown> = {}, c: Record<string, unknown> = {}): object {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "app", namespace: "apps" },
        spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }, containers: [container(c)], ...spec },
    };
}

/** PSS rules that fire on `object` at `version` (every PSS rule gets the version, as the plan passes it). */
function fired(object: object, version: string): string[] {
    const config = Object.fromEntries(PSS.map((r) => [r.name, { version }])) as PackConfig;
    return [...new Set(evaluateKubernetesObjects([object], { rules: PSS, config }).violations.map((v) => v.policyName))].sort();
}

test("the compliant pod passes every PSS rule at every version", () => {
    for (const v of ["v1.0", "v1.22", "v1.25", "v1.33", "v1.34", "v1.35", "v1.37", "latest"]) expect(fired(pod(), v)).toEqual([]);
});

describe("probe and lifecycle host (baseline since 1.34)", () => {
    const mutations: [string, Record<string, unknown>][] = [
        ["readinessProbe.httpGet.host", { readinessProbe: { httpGet: { host: "169.254.169.254", path: "/", port: 80 } } }],
        ["livenessProbe.tcpSocket.host", { livenessProbe: { tcpSocket: { host: "10.0.0.1", port: 22 } } }],
        ["startupProbe.httpGet.host", { startupProbe: { httpGet: { host: "example.com", port: 80 } } }],
        ["lifecycle.preStop.httpGet.host", { lifecycle: { preStop: { httpGet: { host: "10.0.0.1", port: 80 } } } }],
        ["lifecycle.postStart.tcpSocket.host", { lifecycle: { postStart: { tcpSocket: { host: "10.0.0.1", port: 80 } } } }],
    ];
    test.each(mutations)("%s: allowed at v1.33, refused from v1.34", (_, c) => {
        expect(fired(pod({}, c), "v1.33")).toEqual([]);
        expect(fired(pod({}, c), "v1.34")).toEqual(["pss-disallow-host-probes"]);
        expect(fired(pod({}, c), "latest")).toEqual(["pss-disallow-host-probes"]);
    });
    test("an empty host is allowed (upstream's allowed values: \"\", unset)", () => {
        expect(fired(pod({}, { readinessProbe: { httpGet: { host: "", port: 80 } } }), "latest")).toEqual([]);
    });
    test("the message names the container, the field and the host", () => {
        const v = evaluateKubernetesObjects([pod({}, { readinessProbe: { httpGet: { host: "169.254.169.254", port: 80 } } })], { rules: PSS }).violations;
        expect(v.map((x) => x.message)).toEqual(["spec.containers[0] (app): remove readinessProbe.httpGet.host 169.254.169.254 (the kubelet would connect to that host; probe the pod's own IP)"]);
    });
});

describe("user-namespaced pods (hostUsers: false) from 1.35", () => {
    const unmasked = { securityContext: { procMount: "Unmasked" } };
    test("procMount Unmasked: baseline refuses it before 1.35; from 1.35 only restricted does", () => {
        expect(fired(pod({ hostUsers: false }, unmasked), "v1.34")).toEqual(["pss-disallow-proc-mount"]);
        expect(fired(pod({ hostUsers: false }, unmasked), "v1.35")).toEqual(["pss-disallow-proc-mount-strict"]);
        expect(pssBaselineRules.map((r) => r.name)).not.toContain("pss-disallow-proc-mount-strict");
    });
    test("procMount Unmasked without a user namespace stays a baseline violation", () => {
        expect(fired(pod({}, unmasked), "v1.35")).toEqual(["pss-disallow-proc-mount"]);
        expect(fired(pod({ hostUsers: true }, unmasked), "latest")).toEqual(["pss-disallow-proc-mount"]);
    });
    test("runAsUser: 0 is allowed for a user-namespaced pod from 1.35", () => {
        const root = { securityContext: { runAsUser: 0 } };
        expect(fired(pod({ hostUsers: false }, root), "v1.34")).toEqual(["pss-require-run-as-non-root-user"]);
        expect(fired(pod({ hostUsers: false }, root), "v1.35")).toEqual([]);
        expect(fired(pod({}, root), "v1.35")).toEqual(["pss-require-run-as-non-root-user"]);
    });
    test("runAsNonRoot unset is allowed for a user-namespaced pod from 1.35", () => {
        const spec = { hostUsers: false, securityContext: { seccompProfile: { type: "RuntimeDefault" } } };
        const c = { securityContext: { runAsNonRoot: undefined } };
        expect(fired(pod(spec, c), "v1.34")).toEqual(["pss-require-run-as-nonroot"]);
        expect(fired(pod(spec, c), "v1.35")).toEqual([]);
    });
});

describe("Windows pods (spec.os.name: windows) from 1.25", () => {
    const windows = { os: { name: "windows" }, securityContext: { runAsNonRoot: true } };
    const bare = { securityContext: { allowPrivilegeEscalation: undefined, capabilities: undefined } };
    test("exempt from restricted capabilities, privilege escalation and seccomp from 1.25", () => {
        expect(fired(pod(windows, bare), "v1.24")).toEqual(["pss-disallow-capabilities-strict", "pss-disallow-privilege-escalation", "pss-restrict-seccomp-strict"]);
        expect(fired(pod(windows, bare), "v1.25")).toEqual([]);
    });
    test("a Linux pod gets no such exemption", () => {
        expect(fired(pod({ os: { name: "linux" }, securityContext: { runAsNonRoot: true } }, bare), "latest")).toEqual(["pss-disallow-capabilities-strict", "pss-disallow-privilege-escalation", "pss-restrict-seccomp-strict"]);
    });
    test("the exemption is not from runAsNonRoot", () => {
        expect(fired(pod({ os: { name: "windows" }, securityContext: {} }, { securityContext: { runAsNonRoot: undefined } }), "latest")).toEqual(["pss-require-run-as-nonroot"]);
    });
});

describe("safe sysctls per version", () => {
    const boundaries: [string, number][] = [
        ["net.ipv4.ip_local_reserved_ports", 27],
        ["net.ipv4.tcp_keepalive_time", 29],
        ["net.ipv4.tcp_fin_timeout", 29],
        ["net.ipv4.tcp_keepalive_intvl", 29],
        ["net.ipv4.tcp_keepalive_probes", 29],
        ["net.ipv4.tcp_rmem", 32],
        ["net.ipv4.tcp_wmem", 32],
        ["net.ipv4.tcp_slow_start_after_idle", 37],
        ["net.ipv4.tcp_notsent_lowat", 37],
    ];
    test.each(boundaries)("%s: refused before 1.%i, allowed from it", (name, minor) => {
        const p = pod({ securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, sysctls: [{ name, value: "1" }] } });
        expect(fired(p, `v1.${minor - 1}`)).toEqual(["pss-restrict-sysctls"]);
        expect(fired(p, `v1.${minor}`)).toEqual([]);
    });
    test("the original five are safe at every version; others never", () => {
        for (const name of ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range"]) {
            expect(fired(pod({ securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, sysctls: [{ name, value: "1" }] } }), "v1.0")).toEqual([]);
        }
        expect(fired(pod({ securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, sysctls: [{ name: "kernel.msgmax", value: "1" }] } }), "latest")).toEqual(["pss-restrict-sysctls"]);
    });
});

test("SELinux type container_engine_t is allowed from 1.31", () => {
    const p = pod({}, { securityContext: { seLinuxOptions: { type: "container_engine_t" } } });
    expect(fired(p, "v1.30")).toEqual(["pss-disallow-selinux"]);
    expect(fired(p, "v1.31")).toEqual([]);
});

test("restricted checks start where upstream's do: seccomp 1.19, capabilities 1.22, runAsUser 1.23", () => {
    const noSeccomp = pod({ securityContext: { runAsNonRoot: true } });
    expect(fired(noSeccomp, "v1.18")).toEqual([]);
    expect(fired(noSeccomp, "v1.19")).toEqual(["pss-restrict-seccomp-strict"]);
    const noDrop = pod({}, { securityContext: { capabilities: undefined } });
    expect(fired(noDrop, "v1.21")).toEqual([]);
    expect(fired(noDrop, "v1.22")).toEqual(["pss-disallow-capabilities-strict"]);
    const root = pod({}, { securityContext: { runAsUser: 0 } });
    expect(fired(root, "v1.22")).toEqual([]);
    expect(fired(root, "v1.23")).toEqual(["pss-require-run-as-non-root-user"]);
});

describe("the version setting", () => {
    test("defaults to latest (the newest behaviour the pack knows)", () => {
        const p = pod({}, { readinessProbe: { httpGet: { host: "10.0.0.1", port: 80 } } });
        expect(evaluateKubernetesObjects([p], { rules: PSS }).violations.map((v) => v.policyName)).toEqual(["pss-disallow-host-probes"]);
    });
    test("every PSS rule takes it, and only the PSA label forms", () => {
        for (const r of PSS) expect(r.configSchema?.properties?.version).toMatchObject({ type: "string", default: "latest" });
        expect(() => evaluateKubernetesObjects([pod()], { rules: PSS, config: { "pss-restrict-sysctls": { version: "1.33" } } as PackConfig })).toThrow(/pss-restrict-sysctls.version must match pattern/);
    });
    test("labels and cluster versions", () => {
        expect(pssMinor("v1.34")).toBe(34);
        expect(pssMinor("latest")).toBe(Infinity);
        expect(pssVersionOfCluster("1.33")).toBe("v1.33");
        expect(pssVersionOfCluster("1.34.2")).toBe("v1.34");
        expect(() => pssVersionOfCluster("latest")).toThrow(/not a Kubernetes version/);
    });
});

describe("upstream's verdicts where Kyverno's patterns were looser", () => {
    test("runAsNonRoot: false on the pod fails even when every container sets true", () => {
        expect(fired(pod({ securityContext: { runAsNonRoot: false, seccompProfile: { type: "RuntimeDefault" } } }), "latest")).toEqual(["pss-require-run-as-nonroot"]);
    });
    test("empty SELinux type, user and role are allowed (upstream's allowed values include \"\")", () => {
        expect(fired(pod({}, { securityContext: { seLinuxOptions: { type: "", user: "", role: "" } } }), "v1.23")).toEqual([]);
    });
});

describe("where the version comes from", () => {
    const probeHost = pod({}, { readinessProbe: { httpGet: { host: "10.0.0.1", port: 80 } } });

    test("plan: each spoke's aks.kubernetesVersion, as the PSA label", () => {
        for (const s of listStacks().filter((x) => x.kind === "spoke")) {
            const k8s = (namespaceValues(readStackConfig(s.file)).aks as { kubernetesVersion: string }).kubernetesVersion;
            expect(clusterPssVersion(s.stack)).toBe(`v${k8s.split(".").slice(0, 2).join(".")}`);
        }
        expect(clusterPssVersion("hub-uaenorth")).toBeUndefined();
    });

    test("plan: the policy report judges a stack's pods at its cluster's version", async () => {
        const [k8sStack] = listStacks().filter((x) => x.kind === "spoke");
        const minor = Number(clusterPssVersion(k8sStack.stack)!.slice(3));
        const exported = { version: 3, deployment: { resources: [{ urn: "urn:pulumi:s::p::kubernetes:core/v1:Pod::app", type: "kubernetes:core/v1:Pod", inputs: probeHost }] } };
        const report = (await policyReport({ planned: { stack: k8sStack } as never, exported: exported as never }))!;
        const names = (report.data as { violations: { policyName: string }[] }).violations.map((v) => v.policyName);
        expect(names.includes("pss-disallow-host-probes")).toBe(minor >= 34);
    });

    test("evaluate: pssVersion fills every PSS rule's version; a pack config's own version wins", () => {
        expect(evaluateKubernetesObjects([probeHost], { rules: PSS, pssVersion: "v1.33" }).violations).toEqual([]);
        expect(evaluateKubernetesObjects([probeHost], { rules: PSS, pssVersion: "v1.34" }).violations).toHaveLength(1);
        expect(evaluateKubernetesObjects([probeHost], { rules: PSS, pssVersion: "v1.33", config: { "pss-disallow-host-probes": { version: "latest" } } }).violations).toHaveLength(1);
    });

    test("GitOps validation hands the cluster's version to the pack", async () => {
        const seen: (string | undefined)[] = [];
        const spy = (_objects: object[], opts?: { pssVersion?: string }) => {
            seen.push(opts?.pssVersion);
            return { violations: [], mandatory: 0, advisory: 0, resources: 0 };
        };
        await validateRendered("dev-uaenorth", [{ stack: "dev-uaenorth", layer: "ai", path: "fixture/ai", objects: [probeHost as never] }], { policy: spy, egress: false, pssVersion: "v1.33" });
        expect(seen).toEqual(["v1.33"]);
    });

    test("npm run policy: --k8s-version (default latest); anything but latest or v1.N exits 2", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pss-version-"));
        const file = path.join(dir, "pod.json");
        fs.writeFileSync(file, JSON.stringify(probeHost));
        const run = (...argv: string[]) => {
            const out: string[] = [];
            const err: string[] = [];
            return { code: main([file, ...argv], { out: (l) => out.push(l), err: (l) => err.push(l) }), out: out.join("\n"), err };
        };
        try {
            expect(run().out).toContain("pss-disallow-host-probes");
            expect(run("--k8s-version", "v1.33").out).not.toContain("pss-disallow-host-probes");
            expect(run("--k8s-version=v1.34").out).toContain("pss-disallow-host-probes");
            expect(run("--k8s-version", "1.33")).toMatchObject({ code: 2, err: ['policy: --k8s-version must be "latest" or "v1.N" (the PSA version label, e.g. v1.33), not "1.33"'] });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
