/**
 * The upstream Kyverno pod-security test corpus, vendored in tests/fixtures/kyverno-pod-security (see its README): every
 * resource of every `*-bad.yaml` must be flagged by the matching rule of the pack, and no resource of a
 * `*-good.yaml` may be: 100 % agreement, judged per policy at the Kubernetes version the policy declares
 * (`kyverno.io/kubernetes-version`, "1.22-1.23" → the rule's `version: v1.23`): later versions relax some checks
 * (hostUsers: false and procMount from 1.35, container_engine_t from 1.31), which the corpus's bad pods use.
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { evaluateKubernetesObjects, type PackConfig } from "../../tools/policy/evaluate";
import { pssBaselineRules, pssRestrictedRules } from "../../policies/pack";
import type { Rule } from "../../policies/lib/rule";

const REPO_ROOT = path.resolve(__dirname, "../..");
const CORPUS = path.join(REPO_ROOT, "tests/fixtures/kyverno-pod-security");

/** Kyverno policy → the pack rule that implements it (and the rule config that matches the policy's variant). */
const MATCHING: Record<string, { rule: string; config?: Record<string, unknown> }> = {
    "disallow-host-ports-range": { rule: "pss-disallow-host-ports", config: { allowedHostPorts: ["5000-6000"] } },
};

/** The PSA version label of the newest Kubernetes version a Kyverno policy targets. */
function targetVersion(level: string, policy: string): string {
    const text = fs.readFileSync(path.join(CORPUS, level, policy, "policy.yaml"), "utf8");
    const range = /kyverno\.io\/kubernetes-version:\s*"?([0-9.-]+)"?/.exec(text)?.[1];
    if (!range) throw new Error(`${level}/${policy}/policy.yaml declares no kyverno.io/kubernetes-version`);
    return `v${range.split("-").pop()}`;
}

function ruleFor(c: Pick<Case, "level" | "policy">): { rule: Rule; config: PackConfig } {
    const m = MATCHING[c.policy] ?? { rule: `pss-${c.policy}` };
    const rule = [...pssBaselineRules, ...pssRestrictedRules].find((r) => r.name === m.rule);
    if (!rule) throw new Error(`no pack rule matches Kyverno policy ${c.policy} (looked for ${m.rule})`);
    return { rule, config: { [m.rule]: { ...m.config, version: targetVersion(c.level, c.policy) } } as PackConfig };
}

interface Case {
    file: string;
    level: string;
    policy: string;
    bad: boolean;
    object: Record<string, any>;
}

function loadCorpus(): Case[] {
    const cases: Case[] = [];
    for (const level of ["baseline", "restricted"]) {
        for (const policy of fs.readdirSync(path.join(CORPUS, level)).sort()) {
            for (const name of ["pod-bad.yaml", "pod-good.yaml", "podcontroller-bad.yaml", "podcontroller-good.yaml"]) {
                const file = path.join(CORPUS, level, policy, name);
                for (const doc of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
                    const object = doc.toJS();
                    if (object) cases.push({ file: path.relative(CORPUS, file), level, policy, bad: name.includes("-bad"), object });
                }
            }
        }
    }
    return cases;
}

describe("Kyverno pod-security corpus", () => {
    const cases = loadCorpus();

    test("the corpus is the one the README describes (18 policies, 509 bad, 528 good resources)", () => {
        expect(new Set(cases.map((c) => c.policy)).size).toBe(18);
        expect(cases.filter((c) => c.bad)).toHaveLength(509);
        expect(cases.filter((c) => !c.bad)).toHaveLength(528);
    });

    test("every resource is judged as Kyverno judges it by the matching rule (100 % agreement)", () => {
        const disagreements: string[] = [];
        for (const c of cases) {
            const { rule, config } = ruleFor(c);
            const report = evaluateKubernetesObjects([c.object], { rules: [rule], config });
            const flagged = report.violations.length > 0;
            if (flagged !== c.bad) {
                disagreements.push(`${c.file} ${c.object.kind}/${c.object.metadata?.name}: ${c.bad ? "not flagged" : `flagged: ${report.violations.map((v) => v.message).join("; ")}`}`);
            }
        }
        expect(disagreements).toEqual([]);
    });

    test("bad resources are flagged by their own rule, which names the offending field", () => {
        const c = cases.find((x) => x.policy === "disallow-privileged-containers" && x.bad && x.object.kind === "Deployment")!;
        const { rule, config } = ruleFor(c);
        const messages = evaluateKubernetesObjects([c.object], { rules: [rule], config }).violations.map((v) => v.message);
        expect(messages.length).toBeGreaterThan(0);
        expect(messages.every((m) => m.startsWith("spec.template.spec.") && m.includes("securityContext.privileged: false"))).toBe(true);
    });
});
