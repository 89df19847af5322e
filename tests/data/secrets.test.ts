/**
 * Key Vault and generated secrets on the planned spokes: RBAC mode, purge protection, soft delete from config, no
 * public access, private endpoint, audit logs; exactly the declared grants on the vault; every generated secret a
 * Pulumi secret with a content type and the deterministic expiry rotation + secretExpiryDays.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { gatewayKeyName, GENERATED_SECRETS } from "../../components/secrets";
import { esoSecretNames } from "../../components/secrets/eso-reads";
import { EDGE_SECRET_NAMES } from "../../components/edge/names";
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

    const EDGE = { origin_cert_secret: EDGE_SECRET_NAMES.originCert, origin_key_secret: EDGE_SECRET_NAMES.originKey };

    it("grants ESO Secrets User on each secret the tree's ExternalSecrets read, one by one, and nothing at the vault (issue 22 §2)", () => {
        const eso = (one(stack, T.identity, "spoke-eso").outputs as any).principalId;
        const grants = ofType(stack, T.assignment).filter((a) => a.inputs.principalId === eso);
        expect(grants.map((a) => roleGuid(a)).every((g) => g === BUILT_IN_ROLES.keyVaultSecretsUser.id)).toBe(true);
        expect(grants.map((a) => String(a.inputs.scope)).sort()).toEqual(esoSecretNames(stack, EDGE).map((n) => `${vault().id}/secrets/${n}`));
        // each scope is a secret the plan declares
        for (const a of grants) expect(ofType(stack, T.secret).some((s) => s.id === a.inputs.scope)).toBe(true);
    });

    it("creates each person-added secret as a disabled placeholder whose later value Pulumi ignores", () => {
        const people = ["alertmanager-finops-webhook-url", "alertmanager-ml-platform-webhook-url", "alertmanager-oncall-webhook-url", "hf-token", "jupyterhub-oauth-client-secret"];
        const placeholders = ofType(stack, T.secret).filter((s) => s.urn.endsWith("-placeholder"));
        expect(placeholders.map((s) => s.inputs.secretName).sort()).toEqual(people);
        for (const s of placeholders) {
            expect((s.inputs.properties as any).attributes.enabled).toBe(false);
            expect((s.inputs.properties as any).contentType).toBe("text/plain");
            expect(s.ignoreChanges).toEqual(["properties"]);
        }
        expect((ofType(stack, "aiplatform:secrets:Secrets")[0].outputs as any).externalSecretNames).toEqual(people);
    });

    it("grants exactly Secrets Officer to the pipeline and the platform groups, Crypto Service Encryption User to the key users, at the vault", () => {
        const keyUsers = cfg.keyVault.customerManagedKeys ? ["spoke-des-identity", "spoke-lake-cmk-identity"].map((n) => `${BUILT_IN_ROLES.keyVaultCryptoServiceEncryptionUser.id} ${(one(stack, T.identity, n).outputs as any).principalId}`) : [];
        const grants = assignmentsAt(stack, vault().id).map((a) => `${roleGuid(a)} ${a.inputs.principalId}`).sort();
        const expected = [
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
        expect(out.keyVaultUrl).toBe(`https://kv-aip-${cfg.environment}-uaen.vault.azure.net/`);
    });
});

it("expiry is deterministic: rotation + secretExpiryDays (prd 2026-11-01 + 180 days)", () => {
    expect(expiryFrom("2026-11-01", 180).toISOString()).toBe("2027-04-30T00:00:00.000Z");
    const prd = ofType("prd-uaenorth", T.secret).find((s) => s.inputs.secretName === "grafana-admin-password")!;
    expect((prd.inputs.properties as any).attributes.expires).toBe(Date.UTC(2027, 3, 30) / 1000);
});

describe("esoSecretNames reads the tree's ExternalSecrets (issue 22 §2)", () => {
    const tree = (files: Record<string, string>) => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "eso-reads-"));
        for (const [f, text] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
            fs.writeFileSync(path.join(root, f), text);
        }
        return root;
    };
    const es = (name: string, data: string) => `apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: ${name}}\nspec:\n${data}`;

    it("takes bases and the stack's own overlays, resolves cluster-vars, skips keys of features that are off", () => {
        const root = tree({
            "workloads/base/a.yaml": es("a", "  data: [{secretKey: k, remoteRef: {key: team-key}}, {secretKey: c, remoteRef: {key: '${origin_cert_secret}'}}]\n") + "---\nkind: ConfigMap\n",
            "workloads/overlays/prd-uaenorth/b.yaml": es("b", "  dataFrom: [{extract: {key: prd-only}}]\n"),
            "gitops-bootstrap/infrastructure/configs/overlays/dev/c.yaml": es("c", "  data: [{secretKey: k, remoteRef: {key: dev-only}}]\n"),
        });
        expect(esoSecretNames("prd-uaenorth", { origin_cert_secret: "edge-origin-cert" }, root)).toEqual(["edge-origin-cert", "prd-only", "team-key"]);
        expect(esoSecretNames("dev-uaenorth", { origin_cert_secret: "" }, root)).toEqual(["dev-only", "team-key"]);
    });

    it("refuses a dataFrom.find (a search over the whole vault) and a cluster-var the program does not pass", () => {
        expect(() => esoSecretNames("dev-uaenorth", {}, tree({ "workloads/base/a.yaml": es("all", "  dataFrom: [{find: {name: {regexp: '.*'}}}]\n") }))).toThrow(
            "workloads/base/a.yaml: ExternalSecret all: dataFrom.find searches the whole vault; name each secret (remoteRef.key) so ESO's access stays per secret",
        );
        expect(() => esoSecretNames("dev-uaenorth", {}, tree({ "workloads/base/a.yaml": es("x", "  data: [{secretKey: k, remoteRef: {key: '${nope}'}}]\n") }))).toThrow("key '${nope}' names a cluster-var the program does not pass");
    });
});
