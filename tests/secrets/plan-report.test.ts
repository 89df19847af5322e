/**
 * The plan's secrets reporter (tools/plan/reports/secrets.ts) and the vaultSecret() helper, on small fixtures:
 * a compliant stack passes, one planted plaintext copy or a vault secret without expiry fails it.
 */
import * as pulumi from "@pulumi/pulumi";
import { expiresEpochSeconds, expiryFrom, vaultSecret } from "../../components/secrets/vault-secret";
import report from "../../tools/plan/reports/secrets";
import { SECRET_SIG, SIG_KEY } from "../../tools/plan/monitor";
import { loadSummary } from "../support/plan";

const VALUE = "s3cr3t-Value-For-Test-0123456789";
const env = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });
const redacted = { [SIG_KEY]: SECRET_SIG, ciphertext: "offline-plan:redacted" };

function ctx(opts: { leakInOutputs?: boolean; expires?: number | undefined }) {
    const props = { contentType: "text/plain", attributes: { enabled: true, ...(opts.expires === undefined ? {} : { expires: opts.expires }) } };
    const secret = { urn: "urn:pulumi:s::p::azure-native:keyvault:Secret::x", type: "azure-native:keyvault:Secret", custom: true, inputs: { vaultName: "kv-aip-dev-uaen", secretName: "x", properties: { ...props, value: env(VALUE) } }, outputs: { properties: env({ ...props, value: VALUE }) } };
    const stack = { urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", type: "pulumi:pulumi:Stack", custom: false, inputs: {}, outputs: opts.leakInOutputs ? { password: VALUE } : { name: "x" } };
    const exported = {
        version: 3,
        deployment: {
            manifest: {},
            secrets_providers: {},
            resources: [stack, { ...secret, inputs: { ...secret.inputs, properties: { ...props, value: redacted } }, outputs: { properties: redacted } }],
        },
    };
    return { planned: { resources: [stack, secret], now: new Date("2026-11-26T00:00:00Z") }, exported } as any;
}

describe("secrets plan reporter", () => {
    const expires = expiresEpochSeconds(new Date("2027-04-30T00:00:00Z"));

    it("passes a stack whose secret stays an envelope, and lists the vault entry with days to expiry", () => {
        const r = (report as any)(ctx({ expires }));
        expect(r.failures).toBe(0);
        expect(r.lines).toContain("kv-aip-dev-uaen/x: text/plain, expires 2027-04-30 (155 days)");
        expect(JSON.stringify(r)).not.toContain(VALUE);
    });

    it("fails when the value reaches a stack output in plaintext", () => {
        const r = (report as any)(ctx({ expires, leakInOutputs: true }));
        expect(r.failures).toBe(2); // the outputs, and the plan JSON that contains them
        expect(r.lines.join("\n")).toMatch(/LEAK: 1 secret value\(s\) in plaintext in the stack outputs/);
        expect(JSON.stringify(r)).not.toContain(VALUE);
    });

    it("fails a vault secret without expiry", () => {
        const r = (report as any)(ctx({ expires: undefined }));
        expect(r.failures).toBe(1);
        expect(r.lines).toContain("kv-aip-dev-uaen/x: text/plain, NO EXPIRY");
    });

    it("fails a vault secret that has already expired (Key Vault refuses to serve it), naming the key that rotates it", () => {
        const r = (report as any)(ctx({ expires: expiresEpochSeconds(new Date("2026-11-20T00:00:00Z")) }));
        expect(r.failures).toBe(1);
        expect(r.lines).toContain("kv-aip-dev-uaen/x: text/plain, expires 2026-11-20 (-6 days)");
        expect(r.lines.join("\n")).toMatch(/EXPIRED 6 days ago: set aiplatform:keyVault\.rotation/);
    });

    it("ran on every planned spoke without failures", () => {
        for (const s of loadSummary().stacks.filter((x) => !x.stack.startsWith("hub"))) {
            const rep = s.reports.find((x) => x.title.startsWith("secrets:"));
            expect(rep).toBeDefined();
            expect(rep!.failures).toBe(0);
        }
    });
});

describe("vaultSecret()", () => {
    const parent = {} as pulumi.Resource;
    const base = { vaultName: "kv", resourceGroupName: "rg", value: "v", contentType: "text/plain", expiresOn: new Date("2027-01-01T00:00:00Z") };

    it("derives expiry from the rotation date, never from the clock", () => {
        expect(expiryFrom("2026-11-01", 90).toISOString()).toBe("2027-01-30T00:00:00.000Z");
        expect(expiryFrom("2024-02-28", 1).toISOString()).toBe("2024-02-29T00:00:00.000Z");
        expect(() => expiryFrom("01/11/2026", 90)).toThrow(/YYYY-MM-DD/);
        expect(expiresEpochSeconds(new Date("2027-01-30T00:00:00Z"))).toBe(1801267200);
    });

    it("refuses names Key Vault would reject and a missing content type, before declaring anything", () => {
        expect(() => vaultSecret("s", { ...base, secretName: "bad_name" }, parent)).toThrow(/must be 1-127 letters, digits or hyphens/);
        expect(() => vaultSecret("s", { ...base, secretName: "ok", contentType: "" }, parent)).toThrow(/needs a contentType/);
    });
});
