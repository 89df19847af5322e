/**
 * Whole-stack rules: private endpoints (W1), prd protection (W2), diagnostic settings and blob data protection,
 * decided by ARM id when ids are known (offline plan) and by property dependencies when they are not (preview).
 */
import type { PolicyInputResource } from "../../tools/policy/evaluate";
import { UNKNOWN_STRING } from "../../policies/lib/values";
import { compliantStack, evaluate, FIXTURE_IDS, firedRules, mutated, urnOf } from "./fixtures";

const without = (stack: PolicyInputResource[], name: string) => stack.filter((r) => r.name !== name);

describe("W1 private endpoint per vault, storage account and registry", () => {
    test.each([
        ["kv-pe", "kv"],
        ["st-pe", "st"],
        ["acr-pe", "acr"],
    ])("removing %s flags %s", (pe, target) => {
        const report = evaluate(without(compliantStack("prd"), pe));
        expect(firedRules(report)).toEqual(["w1-private-endpoint-required"]);
        expect(report.violations.map((v) => v.name)).toEqual([target]);
        expect(report.violations[0].type).toMatch(/^azure-native:/);
    });

    test("an endpoint pointing elsewhere doesn't count", () => {
        const report = evaluate(mutated(compliantStack("dev"), "kv-pe", (p) => (p.privateLinkServiceConnections[0].privateLinkServiceId = FIXTURE_IDS.registry)));
        expect(report.violations.map((v) => [v.policyName, v.name])).toEqual([["w1-private-endpoint-required", "kv"]]);
    });

    test("ARM ids compare case-insensitively", () => {
        const report = evaluate(mutated(compliantStack("prd"), "kv-pe", (p) => (p.privateLinkServiceConnections[0].privateLinkServiceId = FIXTURE_IDS.vault.toUpperCase())));
        expect(report.violations).toEqual([]);
    });

    /** `pulumi preview` of a new stack: ids are computed, the endpoint's property dependencies name the target. */
    function previewShape(stack: PolicyInputResource[], depsFor: Record<string, string>): PolicyInputResource[] {
        return stack.map((r) => {
            const copy = structuredClone(r);
            delete copy.id;
            if (r.type === "azure-native:network:PrivateEndpoint") {
                copy.props.privateLinkServiceConnections = [{ ...(r.props.privateLinkServiceConnections as any[])[0], privateLinkServiceId: UNKNOWN_STRING }];
                const target = depsFor[r.name];
                copy.propertyDependencies = target ? { privateLinkServiceConnections: [target] } : {};
            }
            if (r.type === "azure-native:monitor:DiagnosticSetting") copy.props.resourceUri = UNKNOWN_STRING;
            return copy;
        });
    }
    const deps = {
        "kv-pe": urnOf("azure-native:keyvault:Vault", "kv"),
        "st-pe": urnOf("azure-native:storage:StorageAccount", "st"),
        "acr-pe": urnOf("azure-native:containerregistry:Registry", "acr"),
    };

    test("preview: property dependencies decide while ids are computed", () => {
        expect(evaluate(previewShape(compliantStack("prd"), deps)).violations).toEqual([]);
        const report = evaluate(previewShape(compliantStack("prd"), { ...deps, "kv-pe": urnOf("azure-native:storage:StorageAccount", "st") }));
        expect(report.violations.map((v) => [v.policyName, v.name])).toEqual([["w1-private-endpoint-required", "kv"]]);
    });

    test("preview without property dependencies can't tell: silent", () => {
        expect(evaluate(previewShape(compliantStack("prd"), {})).violations).toEqual([]);
    });
});

describe("W2 prd stateful resources are protected", () => {
    test.each(["aks", "kv", "st", "acr"])("unprotected %s in prd fires", (name) => {
        const stack = compliantStack("prd").map((r) => (r.name === name ? { ...r, protect: false } : r));
        const report = evaluate(stack);
        expect(report.violations.map((v) => [v.policyName, v.name])).toEqual([["w2-prd-stateful-protected", name]]);
        expect(report.violations[0].message).toBe("set the resource option protect: true (prd stateful resource)");
    });

    test("dev needs no protection", () => {
        expect(compliantStack("dev").some((r) => r.protect)).toBe(false);
        expect(evaluate(compliantStack("dev")).violations).toEqual([]);
    });
});

describe("diagnostic settings for cluster, firewall, vault and registry (advisory)", () => {
    test.each([
        ["aks-diag", "aks"],
        ["afw-diag", "afw"],
        ["kv-diag", "kv"],
        ["acr-diag", "acr"],
    ])("removing %s flags %s as advisory", (diag, target) => {
        const report = evaluate(without(compliantStack("prd"), diag));
        expect(report.violations.map((v) => [v.policyName, v.enforcementLevel, v.name])).toEqual([["diagnostic-settings-present", "advisory", target]]);
        expect(report.mandatory).toBe(0);
        expect(report.advisory).toBe(1);
    });
});

describe("blob data protection (advisory)", () => {
    test("an account without blob service properties is flagged", () => {
        const report = evaluate(without(compliantStack("prd"), "st-blob"));
        expect(report.violations.map((v) => [v.policyName, v.name])).toEqual([["storage-blob-data-protection", "st"]]);
    });

    test("blob service properties of another account don't count", () => {
        const report = evaluate(mutated(compliantStack("prd"), "st-blob", (p) => (p.accountName = "other")));
        expect(firedRules(report)).toEqual(["storage-blob-data-protection"]);
    });

    test("a computed account name with a property dependency on the account matches it", () => {
        const stack = mutated(compliantStack("prd"), "st-blob", (p, r) => {
            p.accountName = UNKNOWN_STRING;
            r.propertyDependencies = { accountName: [urnOf("azure-native:storage:StorageAccount", "st")] };
        });
        expect(evaluate(stack).violations).toEqual([]);
    });
});
