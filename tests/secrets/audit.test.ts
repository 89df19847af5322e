/**
 * `npm run audit:secrets`: offline mode on the real plan, live mode against a fake `az` that mirrors the plan's
 * declaration (clean) and single mutations of it (each must produce exactly its finding), and the exit codes for
 * bad input and a missing / unauthenticated az.
 */
import * as path from "path";
import { GENERATED_SECRETS, gatewayKeyName } from "../../components/secrets";
import { REPO_ROOT } from "../../config/stack-files";
import { stackFacts } from "../../tools/workloads/scheduling";
import { EXIT, main } from "../../tools/audit-secrets";
import { type Inventory, inventoryOf } from "../../tools/audit/inventory";
import { AzMissingError, type AzResult, type AzRunner } from "../../tools/audit/live";
import { loadPlan, PLAN_DIR } from "../support/plan";

const STACK = "prd-uaenorth";
const PLAN = path.join(PLAN_DIR, `${STACK}.json`);
const NOW = "2026-11-26";
const LIVE_SUB = "11111111-2222-4333-8444-555555555555";

interface Run {
    code: number;
    out: string[];
    err: string[];
    calls: string[][];
}

async function audit(args: string[], az: AzRunner = fakeAz()): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const calls: string[][] = [];
    const recording: AzRunner = (a) => (calls.push(a), az(a));
    const code = await main(args, { az: recording, log: (l) => out.push(l), error: (l) => err.push(l), now: () => new Date(`${NOW}T00:00:00Z`), root: REPO_ROOT });
    return { code, out, err, calls };
}

const inv = (): Inventory => inventoryOf(loadPlan(STACK));
const liveScope = (s: string) => s.replace("/subscriptions/*", `/subscriptions/${LIVE_SUB}`);
const roleId = (guid: string) => `/subscriptions/${LIVE_SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

type Live = {
    secrets: { name: string; contentType?: string; attributes: { enabled: boolean; expires: string | null } }[];
    identities: { name: string; principalId: string; clientId: string }[];
    federations: Record<string, { name: string; issuer: string; subject: string; audiences: string[] }[]>;
    assignments: { principalId: string; roleDefinitionId: string; scope: string }[];
    cluster: { issuer: string; kubelet: string };
    credentials: { keyId: string; displayName: string; endDateTime: string }[];
    certificates: { keyId: string; displayName: string; endDateTime: string }[];
};

/** The live state a correct deployment of the plan would show. */
function mirror(): Live {
    const i = inv();
    const cluster = (loadPlan(STACK).deployment.resources.find((r) => r.type === "azure-native:containerservice:ManagedCluster")!.outputs as any);
    const kubelet = cluster.identityProfile.kubeletidentity.objectId as string;
    const principalOf = (p: string) =>
        p.startsWith("identity:") ? i.identities.find((x) => `identity:${x.name}` === p)!.principalId! : p.startsWith("kubelet:") ? kubelet : p.startsWith("computed:") ? "99999999-0000-4000-8000-000000000000" : p;
    return {
        secrets: [
            ...i.secrets.map((s) => ({ name: s.name, contentType: s.contentType, attributes: { enabled: true, expires: new Date(s.expires! * 1000).toISOString() } })),
            ...i.externalSecrets.map((name) => ({ name, contentType: "text/plain", attributes: { enabled: true, expires: "2027-06-01T00:00:00Z" } })),
        ],
        identities: i.identities.map((x) => ({ name: x.name, principalId: x.principalId!, clientId: x.clientId! })),
        federations: Object.fromEntries(
            i.identities.map((x) => [x.name, i.federations.filter((f) => f.identity === x.name).map((f) => ({ name: f.name, issuer: cluster.oidcIssuerProfile.issuerURL, subject: f.subject, audiences: f.audiences }))]),
        ),
        assignments: i.assignments.map((a) => ({ principalId: principalOf(a.principal), roleDefinitionId: roleId(a.roleGuid), scope: liveScope(a.scope) })),
        cluster: { issuer: cluster.oidcIssuerProfile.issuerURL, kubelet },
        credentials: [],
        certificates: [],
    };
}

function fakeAz(mutate: (l: Live) => void = () => undefined): AzRunner {
    const live = mirror();
    mutate(live);
    const ok = (v: unknown): AzResult => ({ code: 0, stdout: JSON.stringify(v), stderr: "" });
    return async (args) => {
        const a = args.filter((x) => !["--output", "json", "--only-show-errors"].includes(x));
        const arg = (flag: string) => a[a.indexOf(flag) + 1];
        const cmd = a.filter((x) => !x.startsWith("-")).slice(0, 4).join(" ");
        if (cmd.startsWith("account show")) return ok({ id: LIVE_SUB });
        if (cmd.startsWith("keyvault secret list-deleted")) return ok([]);
        if (cmd.startsWith("keyvault secret list")) return ok(live.secrets);
        if (cmd.startsWith("identity list")) return ok(live.identities);
        if (cmd.startsWith("identity federated-credential list")) return ok(live.federations[arg("--identity-name")] ?? []);
        if (cmd.startsWith("role assignment list") && a.includes("--assignee")) {
            return ok(live.assignments.filter((x) => x.principalId === arg("--assignee")));
        }
        if (cmd.startsWith("role assignment list")) return ok(live.assignments.filter((x) => x.scope.toLowerCase() === arg("--scope").toLowerCase()));
        if (cmd.startsWith("aks show")) return ok(live.cluster);
        if (cmd.startsWith("ad sp show")) return ok({ appId: "6b5a4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d", displayName: "gh-aiplatform-deploy", servicePrincipalType: "Application" });
        if (cmd.startsWith("ad app credential list")) return ok(a.includes("--cert") ? live.certificates : live.credentials);
        if (cmd.startsWith("ad app federated-credential list")) return ok([{ name: "main", subject: "repo:contoso/aiplatform:environment:prd", issuer: "https://token.actions.githubusercontent.com" }]);
        throw new Error(`fake az: unexpected call az ${a.join(" ")}`);
    };
}

describe("offline", () => {
    it("lists the declaration and every az call a live run makes, with the stack's real names, and exits 0", async () => {
        const r = await audit(["--stack", STACK, "--offline", "--plan", PLAN, "--now", NOW]);
        expect(r.code).toBe(EXIT.ok);
        expect(r.calls).toEqual([]);
        const text = r.out.join("\n");
        expect(text).toContain("az keyvault secret list --vault-name kv-aip-prd-uaen");
        expect(text).toContain("az identity list --resource-group rg-aip-prd-uaen");
        expect(text).toContain("az identity federated-credential list --identity-name id-aip-prd-uaen-eso --resource-group rg-aip-prd-uaen");
        expect(text).toMatch(/secret\s+kv-aip-prd-uaen\/grafana-admin-password\s+text\/plain\s+expires 2027-04-30 \(155 days\)/);
        expect(text).toMatch(/identity\s+id-aip-prd-uaen-model-loader\s+system:serviceaccount:ai-serving:model-loader/);
        expect(text).toContain("no findings");
    });

    it("flags declared secrets expiring inside the window (exit 1)", async () => {
        const r = await audit(["--stack", STACK, "--offline", "--plan", PLAN, "--now", NOW, "--days", "160"]);
        expect(r.code).toBe(EXIT.findings);
        const expiring = r.out.filter((l) => l.startsWith("FINDING expiring"));
        expect(expiring.map((l) => /secret (\S+):/.exec(l)![1]).sort()).toEqual(
            // Every generated secret carries the same expiry (rotation + 180 d in prd): the platform's and the gateway teams' keys.
            [...Object.keys(GENERATED_SECRETS), ...stackFacts(STACK).config.gateway.teams.map((t) => gatewayKeyName(t.name))].map((n) => `kv-aip-prd-uaen/${n}`).sort(),
        );
    });

    it("reads the default plan location .plan/<stack>.json when --plan is absent", async () => {
        const r = await audit(["--stack", STACK, "--offline", "--now", NOW]);
        // Either the developer's own plan exists (ok / findings) or the message says how to make one.
        if (r.code === EXIT.usage) expect(r.err[0]).toContain("npm run plan -- --stack prd-uaenorth");
        else expect(r.out[0]).toContain(path.join(".plan", "prd-uaenorth.json"));
    });
});

describe("live", () => {
    const args = ["--stack", STACK, "--plan", PLAN, "--now", NOW];

    it("a deployment matching the plan has no findings (exit 0) and every read is an az call", async () => {
        const r = await audit(args);
        expect(r.err).toEqual([]);
        expect(r.out.at(-1)).toBe("no findings");
        expect(r.code).toBe(EXIT.ok);
        expect(r.calls[0]).toEqual(["account", "show", "--output", "json", "--only-show-errors"]);
        expect(r.calls.some((c) => c.join(" ").startsWith("keyvault secret list --vault-name kv-aip-prd-uaen"))).toBe(true);
    });

    const cases: [string, (l: Live) => void, RegExp][] = [
        ["a secret nobody declared", (l) => l.secrets.push({ name: "old-db-conn", contentType: "text/plain", attributes: { enabled: true, expires: "2027-09-01T00:00:00Z" } }), /^FINDING undeclared-secret  secret kv-aip-prd-uaen\/old-db-conn/],
        ["a secret expiring in 10 days", (l) => (l.secrets.find((s) => s.name === "hf-token")!.attributes.expires = "2026-12-06T00:00:00Z"), /^FINDING expiring  secret kv-aip-prd-uaen\/hf-token: secret expires in 10 day/],
        ["a secret without expiry", (l) => (l.secrets.find((s) => s.name === "hf-token")!.attributes.expires = null), /^FINDING no-expiry  secret kv-aip-prd-uaen\/hf-token/],
        ["a declared secret missing", (l) => (l.secrets = l.secrets.filter((s) => s.name !== "qdrant-api-key")), /^FINDING missing-secret  secret kv-aip-prd-uaen\/qdrant-api-key/],
        ["an identity nobody declared", (l) => l.identities.push({ name: "id-legacy", principalId: "0a0a0a0a-0000-4000-8000-000000000001", clientId: "0a0a0a0a-0000-4000-8000-000000000002" }), /^FINDING undeclared-identity  identity id-legacy/],
        ["a credential trusting an old cluster issuer", (l) => (l.federations["id-aip-prd-uaen-eso"][0].issuer = "https://uaenorth.oic.prod-aks.azure.com/old/"), /^FINDING stale-issuer  federation id-aip-prd-uaen-eso\//],
        ["an extra trusted service account", (l) => l.federations["id-aip-prd-uaen-loki"].push({ name: "debug", issuer: l.cluster.issuer, subject: "system:serviceaccount:default:default", audiences: ["api://AzureADTokenExchange"] }), /^FINDING undeclared-federation  federation id-aip-prd-uaen-loki\/debug/],
        [
            "an Owner grant on the vault",
            (l) => {
                const vault = l.assignments.find((a) => a.scope.includes("/vaults/"))!.scope;
                l.assignments.push({ principalId: "0b0b0b0b-0000-4000-8000-000000000003", roleDefinitionId: roleId("8e3af657-a8ff-443c-a75c-2fe8c4bcb635"), scope: vault });
            },
            /^FINDING undeclared-assignment  assignment 0b0b0b0b-0000-4000-8000-000000000003 8e3af657-a8ff-443c-a75c-2fe8c4bcb635 @ .*vaults\/kv-aip-prd-uaen: Owner/,
        ],
        [
            "a workload identity granted more than the table",
            (l) => {
                const mlflow = l.identities.find((x) => x.name === "id-aip-prd-uaen-mlflow")!;
                l.assignments.push({ principalId: mlflow.principalId, roleDefinitionId: roleId("ba92f5b4-2d11-453d-a403-e96b0029c9fe"), scope: `/subscriptions/${LIVE_SUB}/resourceGroups/rg-aip-prd-uaen/providers/Microsoft.Storage/storageAccounts/staipprduaen` });
            },
            /^FINDING undeclared-assignment  assignment identity:id-aip-prd-uaen-mlflow ba92f5b4/,
        ],
        ["a client secret on the pipeline's app", (l) => l.credentials.push({ keyId: "k1", displayName: "ci", endDateTime: "2027-06-01T00:00:00Z" }), /^FINDING client-secret  pipeline app gh-aiplatform-deploy password ci/],
        ["a pipeline certificate about to lapse", (l) => l.certificates.push({ keyId: "k2", displayName: "legacy-cert", endDateTime: "2026-12-01T00:00:00Z" }), /^FINDING credential-expiring  pipeline app gh-aiplatform-deploy certificate legacy-cert/],
    ];

    it.each(cases)("flags %s (exit 1, exactly that finding)", async (_name, mutate, expected) => {
        const r = await audit(args, fakeAz(mutate));
        expect(r.code).toBe(EXIT.findings);
        const findings = r.out.filter((l) => l.startsWith("FINDING"));
        expect(findings).toHaveLength(1);
        expect(findings[0]).toMatch(expected);
        expect(r.out.at(-1)).toBe("1 finding(s)");
    });

    it("--json prints the findings as JSON only", async () => {
        const r = await audit([...args, "--json"], fakeAz((l) => l.secrets.push({ name: "x-extra", attributes: { enabled: true, expires: "2027-09-01T00:00:00Z" } })));
        expect(r.out).toHaveLength(1);
        const doc = JSON.parse(r.out[0]);
        expect(doc).toMatchObject({ stack: STACK, days: 30 });
        expect(doc.findings.map((f: { kind: string }) => f.kind)).toEqual(["undeclared-secret"]);
    });
});

describe("exit codes for the environment and input", () => {
    it("2 when --plan is another stack's export: it would audit that stack's vault under this name", async () => {
        const r = await audit(["--stack", STACK, "--plan", path.join(PLAN_DIR, "dev-uaenorth.json"), "--offline"]);
        expect(r.code).toBe(EXIT.usage);
        expect(r.err[0]).toBe(`audit:secrets: ${path.join(PLAN_DIR, "dev-uaenorth.json")} is the plan of dev-uaenorth, not ${STACK}: pass --plan with ${STACK}'s export (npm run plan -- --stack ${STACK})`);
        expect(r.calls).toEqual([]);
    });

    it("3 with install instructions when az is missing", async () => {
        const r = await audit(["--stack", STACK, "--plan", PLAN], async () => {
            throw new AzMissingError();
        });
        expect(r.code).toBe(EXIT.environment);
        expect(r.err.join("\n")).toMatch(/Azure CLI \(az\) is not installed.*--offline/);
    });

    it("3 with a login hint when az is not logged in", async () => {
        const r = await audit(["--stack", STACK, "--plan", PLAN], async () => ({ code: 1, stdout: "", stderr: "ERROR: Please run 'az login' to setup account." }));
        expect(r.code).toBe(EXIT.environment);
        expect(r.err[0]).toMatch(/az account show .*failed: .*run `az login`/);
    });

    it("3 with a network hint when the private vault is unreachable", async () => {
        const az = fakeAz();
        const r = await audit(["--stack", STACK, "--plan", PLAN], async (a) =>
            a[0] === "keyvault" ? { code: 1, stdout: "", stderr: "(Forbidden) Public network access is disabled and request is not from a trusted service" } : az(a),
        );
        expect(r.code).toBe(EXIT.environment);
        expect(r.err[0]).toContain("the vault is private: run from the hub/spoke network");
    });

    it.each([
        [[], /--stack is required \(one of dev-uaenorth, stg-swedencentral, stg-uaenorth, prd-swedencentral, prd-uaenorth\)/],
        [["--stack", "hub-uaenorth"], /unknown spoke stack 'hub-uaenorth'/],
        [["--stack", STACK, "--days", "soon"], /--days must be a whole number/],
        [["--stack", STACK, "--now", "26/11/2026"], /--now must be a date YYYY-MM-DD/],
        [["--stack", STACK, "--plan", "/nonexistent/plan.json"], /does not exist: run `npm run plan -- --stack prd-uaenorth` first/],
        [["--stack", STACK, "--plan", path.join(REPO_ROOT, "package.json")], /not a stack export/],
    ])("2 for %j", async (argv, message) => {
        const r = await audit(argv as string[]);
        expect(r.code).toBe(EXIT.usage);
        expect(r.err[0]).toMatch(message);
        expect(r.calls).toEqual([]);
    });
});
