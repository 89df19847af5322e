/**
 * Key Vault and generated secrets on the planned spokes: RBAC mode, purge protection, soft delete from config, no
 * public access, private endpoint, audit logs; exactly the declared grants on the vault; every generated secret a
 * Pulumi secret with a content type and the deterministic expiry rotation + secretExpiryDays.
 */
import { EXTERNAL_SECRETS, gatewayKeyName, GENERATED_SECRETS } from "../../components/secrets";
import { expiryFrom } from "../../components/secrets/vault-secret";
import { BUILT_IN_ROLES } from "../../components/rbac/roles";
import { stackOutputs as outputsOf } from "../support/plan";
import { assignmentsAt, cfgOf, endpointsFor, hubZoneIds, isSecret, nameOf, ofType, one, roleGuid, SPOKES, T } from "./support";

describe.each(SPOKES)("vault in %s", (stack) => {
    const cfg = cfgOf(stack);
    const vault = () => one(stack, T.vault);

    it("authorizes by RBAC, keeps purge protection and soft delete, refuses public access", () => {
        const i = vault().inputs as any;
        expect(i.vaultName).toBe(`kv-aip-${cfg.environment}-uaen`);
        expect(i.properties).toMatchObject({
            enableRbacAuthorization: true,
            enablePurgeProtection: true,
            enableSoftDelete: true,
            softDeleteRetentionInDays: cfg.keyVault.softDeleteRetentionDays,
            publicNetworkAccess: "Disabled",
            // Trusted services (disk encryption set, storage) reach customer-managed keys through the firewall.
            networkAcls: { defaultAction: "Deny", bypass: cfg.keyVault.customerManagedKeys ? "AzureServices" : "None", ipRules: [], virtualNetworkRules: [] },
            enabledForTemplateDeployment: false,
        });
        expect(i.properties.accessPolicies).toBeUndefined();
    });

    it("has one private endpoint (group vault) in the hub's privatelink.vaultcore.azure.net zone", () => {
        const eps = endpointsFor(stack, vault().id);
        expect(eps.map((e) => e.groupIds)).toEqual([["vault"]]);
        expect((eps[0].zoneGroup.inputs.privateDnsZoneConfigs as any[])[0].privateDnsZoneId).toBe(hubZoneIds().vault);
    });

    it("sends audit events to the workspace", () => {
        const diag = ofType(stack, T.diag).filter((d) => d.inputs.resourceUri === vault().id);
        expect(diag.map((d) => (d.inputs.logs as any[]).map((l) => l.categoryGroup))).toEqual([["allLogs"]]);
    });

    it("grants exactly Secrets User to ESO, Secrets Officer to the pipeline and the platform groups, Crypto Service Encryption User to the key users", () => {
        const eso = one(stack, T.identity, "spoke-eso");
        const keyUsers = cfg.keyVault.customerManagedKeys ? ["spoke-des-identity", "spoke-lake-cmk-identity"].map((n) => `${BUILT_IN_ROLES.keyVaultCryptoServiceEncryptionUser.id} ${(one(stack, T.identity, n).outputs as any).principalId}`) : [];
        const grants = assignmentsAt(stack, vault().id).map((a) => `${roleGuid(a)} ${a.inputs.principalId}`).sort();
        const expected = [
            `${BUILT_IN_ROLES.keyVaultSecretsUser.id} ${(eso.outputs as any).principalId}`,
            `${BUILT_IN_ROLES.keyVaultSecretsOfficer.id} ${cfg.rbac.automation}`,
            ...cfg.rbac.platform.map((g) => `${BUILT_IN_ROLES.keyVaultSecretsOfficer.id} ${g}`),
            ...keyUsers,
        ].sort();
        expect(grants).toEqual(expected);
    });

    it("stores every generated secret as a Pulumi secret with content type and the configured expiry", () => {
        const expires = Math.floor(expiryFrom(cfg.keyVault.rotation, cfg.keyVault.secretExpiryDays).getTime() / 1000);
        const secrets = ofType(stack, T.secret).filter((s) => (Object.keys(GENERATED_SECRETS) as string[]).includes(String(s.inputs.secretName)));
        expect(secrets.map((s) => s.inputs.secretName).sort()).toEqual(Object.keys(GENERATED_SECRETS).sort());
        for (const s of secrets) {
            const p = s.inputs.properties as any;
            expect(s.inputs.vaultName).toBe(vault().inputs.vaultName);
            expect(p.contentType).toBe("text/plain");
            expect(p.attributes).toEqual({ enabled: true, expires });
            expect(isSecret(p.value)).toBe(true);
            expect(isSecret((s.outputs as any).properties)).toBe(true);
        }
    });

    it("generates the values with @pulumi/random keyed on the rotation date, results secret", () => {
        const pw = ofType(stack, T.password);
        const names = [...Object.keys(GENERATED_SECRETS), ...cfg.gateway.teams.map((t) => gatewayKeyName(t.name))];
        expect(pw.map(nameOf).sort()).toEqual(names.map((n) => `spoke-${n}`).sort());
        for (const p of pw) {
            expect(p.inputs.keepers).toEqual({ rotation: cfg.keyVault.rotation });
            expect(isSecret((p.outputs as any).result)).toBe(true);
        }
    });

    it("gives every gateway team (aiplatform:gateway.teams) its own API key in the vault, rotated and expiring like the others", () => {
        const expires = Math.floor(expiryFrom(cfg.keyVault.rotation, cfg.keyVault.secretExpiryDays).getTime() / 1000);
        const keys = ofType(stack, T.secret).filter((s) => String(s.inputs.secretName).startsWith("llm-gateway-key-"));
        expect(keys.map((s) => s.inputs.secretName).sort()).toEqual(cfg.gateway.teams.map((t) => `llm-gateway-key-${t.name}`).sort());
        expect(keys.length).toBeGreaterThan(0);
        for (const k of keys) {
            const p = k.inputs.properties as any;
            expect(isSecret(p.value)).toBe(true);
            expect(p.attributes).toEqual({ enabled: true, expires });
        }
        expect((ofType(stack, "aiplatform:secrets:Secrets")[0].outputs as any).gatewayKeyNames).toEqual(cfg.gateway.teams.map((t) => `llm-gateway-key-${t.name}`));
    });

    it("names the secrets it expects from people, and exports secret names but no values", () => {
        const out = outputsOf(stack);
        expect(out.generatedSecretNames).toEqual(Object.keys(GENERATED_SECRETS));
        const comp = ofType(stack, "aiplatform:secrets:Secrets")[0];
        expect((comp.outputs as any).externalSecretNames).toEqual(Object.keys(EXTERNAL_SECRETS));
        expect(out.keyVaultUrl).toBe(`https://kv-aip-${cfg.environment}-uaen.vault.azure.net/`);
    });
});

it("expiry is deterministic: rotation + secretExpiryDays (prd 2026-11-01 + 180 days)", () => {
    expect(expiryFrom("2026-11-01", 180).toISOString()).toBe("2027-04-30T00:00:00.000Z");
    const prd = ofType("prd-uaenorth", T.secret).find((s) => s.inputs.secretName === "grafana-admin-password")!;
    expect((prd.inputs.properties as any).attributes.expires).toBe(Date.UTC(2027, 3, 30) / 1000);
});
