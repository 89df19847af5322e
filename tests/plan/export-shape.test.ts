import { SECRET_SIG, SIG_KEY } from "../../tools/plan/monitor";
import { ALL_STACKS, loadPlan, loadSummary, planExitCode, planStdout, resources, stackOutputs } from "../support/plan";

describe.each(ALL_STACKS)("plan export of %s", (stack) => {
    test("is a version 3 stack export with a manifest and resources", () => {
        const doc = loadPlan(stack);
        expect(doc.version).toBe(3);
        expect(doc.deployment.manifest.time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
        expect(doc.deployment.resources[0].type).toBe("pulumi:pulumi:Stack");
    });

    test("every resource has a URN of this stack, a type, and parents/dependencies that exist", () => {
        const all = resources(stack);
        const urns = new Set(all.map((r) => r.urn));
        expect(urns.size).toBe(all.length);
        for (const r of all) {
            expect(r.urn.startsWith(`urn:pulumi:${stack}::`)).toBe(true);
            expect(r.urn.split("::")[2].split("$").pop()).toBe(r.type);
            if (r.parent) expect(urns.has(r.parent)).toBe(true);
            for (const d of r.dependencies ?? []) expect(urns.has(d)).toBe(true);
        }
    });

    test("custom azure resources have ARM ids and reference a provider resource that is in the file", () => {
        const all = resources(stack);
        const providers = new Set(all.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => `${r.urn}::${r.id}`));
        for (const r of all.filter((x) => x.custom && x.type.startsWith("azure-native:"))) {
            expect(r.id).toMatch(/^\/subscriptions\/[0-9a-f-]{36}\//);
            expect(providers.has(r.provider!)).toBe(true);
        }
    });

    test("non-custom resources (components, stack) have no id or provider", () => {
        for (const r of resources(stack).filter((x) => !x.custom)) {
            expect(r.id).toBeUndefined();
            expect(r.provider).toBeUndefined();
        }
    });

    test("secret values are envelopes whose plaintext is not in the file", () => {
        const text = JSON.stringify(loadPlan(stack));
        const envelopes = text.split(`"${SIG_KEY}":"${SECRET_SIG}"`).length - 1;
        const withValue = text.match(new RegExp(`"${SIG_KEY}":"${SECRET_SIG}","value"`, "g")) ?? [];
        expect(withValue).toHaveLength(0);
        if (envelopes > 0) expect(text).toContain('"ciphertext":"offline-plan:redacted"');
    });
});

describe("hub → spoke StackReference", () => {
    test.each(["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"])("%s reads the hub's planned outputs by its fully qualified name", (spoke) => {
        const ref = resources(spoke).find((r) => r.type === "pulumi:pulumi:StackReference")!;
        expect(ref.external).toBe(true);
        expect(ref.inputs.name).toBe("organization/aiplatform-hub/hub-uaenorth");
        expect((ref.outputs as any).outputs).toEqual(stackOutputs("hub-uaenorth"));
        expect(stackOutputs(spoke).hubResourceGroupName).toBe(stackOutputs("hub-uaenorth").resourceGroupName);
    });
});

test("the plan summary lists every stack of both regions with counts by type", () => {
    const summary = loadSummary();
    expect(summary.stacks.map((s) => s.stack)).toEqual(["hub-swedencentral", "hub-uaenorth", "dev-uaenorth", "stg-swedencentral", "stg-uaenorth", "prd-swedencentral", "prd-uaenorth"]);
    for (const s of summary.stacks) expect(Object.values(s.byType).reduce((a, b) => a + b, 0)).toBe(s.resources);
    // The committed stacks plan clean: a failed global plan fails here, naming the reports that failed.
    const failed = summary.stacks.flatMap((s) => s.reports.filter((r) => r.failures).map((r) => `${s.stack}: ${r.title}: ${r.lines.filter((l) => /FAIL|error|LEAK|EXPIRED|mandatory/i.test(l)).slice(0, 5).join(" | ")}`));
    expect({ exitCode: planExitCode(), failed }).toEqual({ exitCode: 0, failed: [] });
});

test("the plan prints one resource count per stack: header, counts table, policy line and summary agree with the export", () => {
    const out = planStdout();
    for (const stack of ALL_STACKS) {
        const n = resources(stack).filter((r) => !r.external).length;
        const section = out.slice(out.indexOf(`=== ${stack} `), out.indexOf("\nwrote ", out.indexOf(`=== ${stack} `)));
        expect(section).toMatch(new RegExp(`^=== ${stack} \\(.*\\) — ${n} resources( \\(\\+\\d+ read\\))? ===`));
        expect(section).toMatch(new RegExp(`\\n  total\\s+${n}\\n`));
        expect(section).toContain(`\n  ${n} resources checked`);
        expect(out).toMatch(new RegExp(`planned .*${stack} \\(${n}\\)`));
    }
});
