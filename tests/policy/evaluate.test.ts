/**
 * The evaluator's contract: pack config (levels per rule, rule settings, validation), the input formats
 * (stack export, preview --json, manifests) and the report format other tools consume.
 */
import {
    evaluateStackExport,
    formatReport,
    previewResources,
    PolicyInputError,
    resolveRules,
    stackExportResources,
    type PolicyInputResource,
} from "../../tools/policy/evaluate";
import { defaultLevels, rules } from "../../policies/pack";
import { parseInput } from "../../tools/policy/inputs";
import { compliantStack, evaluate, firedRules, mutated } from "./fixtures";

function toExport(resources: PolicyInputResource[]): unknown {
    return {
        version: 3,
        deployment: {
            manifest: { time: "2026-01-01T00:00:00Z", magic: "", version: "v3.270.0" },
            resources: resources.map((r) => ({
                urn: r.urn,
                custom: true,
                type: r.type,
                ...(r.id ? { id: r.id } : {}),
                inputs: r.props,
                outputs: r.props,
                ...(r.protect ? { protect: true } : {}),
                ...(r.propertyDependencies ? { propertyDependencies: r.propertyDependencies } : {}),
            })),
        },
    };
}

const openAks = () => mutated(compliantStack("prd"), "aks", (p) => (p.disableLocalAccounts = false));

describe("pack config", () => {
    test("the pack's default levels: every issue-7 minimum rule is mandatory", () => {
        const minimum = ["t1", ...Array.from({ length: 16 }, (_, i) => `k${i + 1}`), "r1", "r2", "r3", "r4", "v1", "v2", "v3", "s1", "s2", "s3", "s4", "n1", "n2", "n3", "n4", "w1", "w2", "w3"];
        for (const id of minimum) {
            const names = Object.keys(defaultLevels).filter((n) => n.startsWith(`${id}-`));
            expect(names).toHaveLength(1);
            expect(defaultLevels[names[0]]).toBe("mandatory");
        }
        expect(new Set(rules.map((r) => r.name)).size).toBe(rules.length);
        for (const r of rules) {
            expect(r.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
            // What the PolicyPack constructor refuses: the reserved name "all" and enforcementLevel as a setting.
            expect(r.name).not.toBe("all");
            expect(Object.keys(r.configSchema?.properties ?? {})).not.toContain("enforcementLevel");
            expect(r.description.length).toBeGreaterThan(40);
        }
    });

    test("a mandatory rule can be moved to advisory", () => {
        const report = evaluate(openAks(), { config: { "k3-aks-local-accounts-disabled": "advisory" } });
        expect(report.violations.map((v) => [v.policyName, v.enforcementLevel])).toEqual([["k3-aks-local-accounts-disabled", "advisory"]]);
        expect([report.mandatory, report.advisory]).toEqual([0, 1]);
    });

    test("a rule can be disabled (object form)", () => {
        expect(evaluate(openAks(), { config: { "k3-aks-local-accounts-disabled": { enforcementLevel: "disabled" } } }).violations).toEqual([]);
    });

    test("an advisory rule can be made mandatory", () => {
        const stack = mutated(compliantStack("prd"), "pool-cpu", (p) => (p.maxPods = 30));
        const report = evaluate(stack, { config: { "aks-max-pods": "mandatory" } });
        expect([report.mandatory, report.advisory]).toEqual([1, 0]);
    });

    test("\"all\" sets every rule's level, a rule's own entry wins", () => {
        const stack = mutated(openAks(), "pool-cpu", (p) => (p.maxPods = 30));
        const report = evaluate(stack, { config: { all: "advisory", "aks-max-pods": "mandatory" } });
        expect(report.violations.map((v) => [v.policyName, v.enforcementLevel]).sort()).toEqual([
            ["aks-max-pods", "mandatory"],
            ["k3-aks-local-accounts-disabled", "advisory"],
        ]);
    });

    test("remediate is reported as mandatory, as the analyzer does", () => {
        expect(evaluate(openAks(), { config: { "k3-aks-local-accounts-disabled": "remediate" } }).mandatory).toBe(1);
    });

    test("bad config is refused with every problem named", () => {
        expect(() => resolveRules(rules, { "no-such-rule": "advisory", "k1-aks-private-cluster": "blocking" as never, "k8s-allowed-registries": { allowedRegistries: "docker.io" }, "k8s-probes": { colour: "red" } })).toThrow(
            new PolicyInputError([
                'pack config: unknown rule "no-such-rule"',
                'pack config: k1-aks-private-cluster.enforcementLevel = "blocking" is not one of advisory, mandatory, remediate, disabled',
                "pack config: k8s-allowed-registries.allowedRegistries must be array",
                'pack config: k8s-probes must NOT have additional properties "colour"',
            ].join("\n")),
        );
    });

    test("rules get their schema defaults through getConfig", () => {
        const resolved = resolveRules(rules, {}).find((r) => r.rule.name === "k8s-allowed-registries")!;
        expect(resolved.config).toEqual({ exemptNamespaces: [], allowedRegistries: ["*.azurecr.io", "mcr.microsoft.com"] });
    });
});

describe("stack export input", () => {
    test("a compliant export: zero violations; resources counted", () => {
        const stack = compliantStack("prd");
        const report = evaluateStackExport(toExport(stack));
        expect(report).toEqual({ violations: [], mandatory: 0, advisory: 0, resources: stack.length });
    });

    test("urn, name and type reach the violation; protect reaches opts", () => {
        const doc: any = toExport(openAks());
        const report = evaluateStackExport(doc);
        expect(report.violations).toEqual([{
            policyName: "k3-aks-local-accounts-disabled",
            enforcementLevel: "mandatory",
            urn: "urn:pulumi:test::aiplatform::azure-native:containerservice:ManagedCluster::aks",
            name: "aks",
            type: "azure-native:containerservice:ManagedCluster",
            message: "set disableLocalAccounts: true",
        }]);
        for (const r of doc.deployment.resources) delete r.protect;
        expect(firedRules(evaluateStackExport(doc))).toEqual(["k3-aks-local-accounts-disabled", "w2-prd-stateful-protected"]);
    });

    test("the ids of the export let stack rules match endpoints and diagnostic settings to their targets", () => {
        const doc: any = toExport(compliantStack("prd"));
        const vault = doc.deployment.resources.find((r: any) => r.type === "azure-native:keyvault:Vault");
        vault.id = vault.id.replace("kv-aip", "kv-other");
        expect(evaluateStackExport(doc).violations.map((v) => [v.policyName, v.name])).toEqual([
            ["w1-private-endpoint-required", "kv"],
            ["diagnostic-settings-present", "kv"],
        ]);
    });

    test("pending deletions and external (read) resources are not evaluated", () => {
        const doc: any = toExport(openAks());
        const aks = doc.deployment.resources.find((r: any) => r.type === "azure-native:containerservice:ManagedCluster");
        expect(stackExportResources({ ...doc, deployment: { resources: [{ ...aks, delete: true }, { ...aks, external: true }] } })).toEqual([]);
    });

    test("other versions and shapes are refused", () => {
        expect(() => evaluateStackExport({ version: 2, deployment: { resources: [] } })).toThrow("stack export version 2 is not supported (expected 3)");
        expect(() => evaluateStackExport({ steps: [] })).toThrow(/not a pulumi stack export/);
        expect(() => evaluateStackExport({ version: 3, deployment: { resources: [{ inputs: {} }] } })).toThrow("deployment.resources[0]: a resource without a string urn and type");
    });
});

describe("preview --json input", () => {
    const steps = (resources: PolicyInputResource[]) => ({
        steps: [
            ...resources.map((r) => ({ op: "create", urn: r.urn, newState: { urn: r.urn, type: r.type, custom: true, inputs: r.props, protect: r.protect } })),
            { op: "delete", urn: "urn:pulumi:test::aiplatform::azure-native:keyvault:Vault::old", oldState: { urn: "x", type: "azure-native:keyvault:Vault", inputs: {} } },
            { op: "read", urn: "urn:pulumi:test::aiplatform::azure-native:keyvault:Vault::existing", newState: { urn: "urn:pulumi:test::aiplatform::azure-native:keyvault:Vault::existing", type: "azure-native:keyvault:Vault", inputs: {}, external: true } },
        ],
        diagnostics: [],
        duration: 1,
    });

    test("steps' newState are evaluated; deletes and reads are not", () => {
        const stack = openAks();
        const resources = previewResources(steps(stack));
        expect(resources).toHaveLength(stack.length);
        expect(parseInput("p.json", JSON.stringify(steps(stack))).kind).toBe("preview");
    });

    test("[secret] masks and unknowns in preview output never fire", () => {
        const stack = mutated(compliantStack("prd"), "acr", (p) => {
            p.adminUserEnabled = "[secret]";
            p.publicNetworkAccess = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        });
        const text = JSON.stringify(steps(stack));
        const loaded = parseInput("p.json", text);
        expect(loaded.kind).toBe("preview");
        // Preview lacks ids, so W1 decides by property dependencies, absent here: silent, not a false violation.
        expect(evaluate(loaded.resources).violations).toEqual([]);
    });
});

describe("report format", () => {
    const report = () => evaluate(mutated(openAks(), "pool-cpu", (p) => (p.maxPods = 30)));

    test("text: one line per violation, mandatory first, then the summary", () => {
        expect(formatReport(report(), "text").split("\n")).toEqual([
            "mandatory k3-aks-local-accounts-disabled  aks (urn:pulumi:test::aiplatform::azure-native:containerservice:ManagedCluster::aks): set disableLocalAccounts: true",
            "advisory  aks-max-pods  pool-cpu (urn:pulumi:test::aiplatform::azure-native:containerservice:AgentPool::pool-cpu): set maxPods to 50 or more",
            `1 mandatory, 1 advisory violation(s) in ${compliantStack("prd").length} resource(s)`,
        ]);
    });

    test("json: the PolicyReport itself", () => {
        expect(JSON.parse(formatReport(report(), "json"))).toEqual(report());
    });
});
