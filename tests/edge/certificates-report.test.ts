/**
 * The certificates plan report on hand-made exports: counts days from the plan's now, warns under 30 days, fails
 * the plan once the deployed certificate has expired, and stays silent for stacks without an origin certificate.
 */
import report, { WARN_DAYS } from "../../tools/plan/reports/certificates";
import type { ExportResource, StackExport } from "../../tools/plan/export";
import type { PlannedStack } from "../../tools/plan/run";
import { expiryFrom } from "../../components/secrets/vault-secret";

const NOW = new Date("2027-10-20T00:00:00Z");

function ctx(rotation: string, resources: ExportResource[]) {
    const planned = { stack: { stack: "dev-uaenorth" }, config: { "aiplatform:edge": { rotation } }, now: NOW } as unknown as PlannedStack;
    const exported = { version: 3, deployment: { manifest: { time: NOW.toISOString(), magic: "", version: "" }, secrets_providers: { type: "", state: {} }, resources } } as StackExport;
    return { planned, exported };
}

function edgeResources(rotation: string, validityDays: number): ExportResource[] {
    const expires = expiryFrom(rotation, validityDays).getTime() / 1000;
    return [
        {
            urn: "urn:pulumi:dev-uaenorth::aiplatform::aiplatform:edge:Edge$cloudflare:index/originCaCertificate:OriginCaCertificate::edge-origin-cert",
            custom: true,
            type: "cloudflare:index/originCaCertificate:OriginCaCertificate",
            inputs: { hostnames: ["api.dev.ai.contoso.com"], requestedValidity: validityDays },
            outputs: { expiresOn: new Date(NOW.getTime() + validityDays * 86_400_000).toISOString() },
        },
        {
            urn: "urn:pulumi:dev-uaenorth::aiplatform::aiplatform:edge:Edge$azure-native:keyvault:Secret::edge-origin-cert-secret",
            custom: true,
            type: "azure-native:keyvault:Secret",
            inputs: { secretName: "edge-origin-cert", properties: { contentType: "application/x-pem-file", attributes: { enabled: true, expires } } },
            outputs: {},
        },
    ];
}

describe("certificates plan report", () => {
    it("counts the deployed certificate's days from the plan's now", async () => {
        const r = (await report(ctx("2027-01-01", edgeResources("2027-01-01", 365))))!;
        expect(r.failures).toBe(0);
        expect(r.data).toEqual([expect.objectContaining({ daysToExpiry: 73, vaultExpiresOn: "2028-01-01T00:00:00.000Z" })]);
        expect(r.lines.join("\n")).toContain("expires 2028-01-01 — 73 days to expiry");
        expect(r.lines.join("\n")).not.toContain("WARNING");
    });

    it(`warns under ${WARN_DAYS} days`, async () => {
        const r = (await report(ctx("2026-11-01", edgeResources("2026-11-01", 365))))!;
        expect(r.failures).toBe(0);
        expect(r.lines.join("\n")).toMatch(/12 days to expiry[\s\S]*WARNING: fewer than 30 days left/);
    });

    it("fails the plan once it has expired, naming the key to change", async () => {
        const r = (await report(ctx("2026-10-01", edgeResources("2026-10-01", 7))))!;
        expect(r.failures).toBe(1);
        expect(r.lines.join("\n")).toContain("EXPIRED: set aiplatform:edge.rotation to today's date in Pulumi.dev-uaenorth.yaml");
    });

    it("says nothing for a stack without an origin certificate", async () => {
        expect(await report(ctx("2027-01-01", []))).toBeUndefined();
    });
});
