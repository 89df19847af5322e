/**
 * The model approval gate (`pipeline model-gate`) against an MLflow registry fake on loopback that checks every
 * request against the vendored API shape: an approved version passes; an unapproved one, an approval of another
 * version, for another environment or of other weights is refused (13); an unreachable or unconfigured registry is
 * an environment error (14); every decision is one JSON audit line naming who, what and when.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../automation/cli";
import { EXIT } from "../../automation/exit-codes";
import { AUDIT_EVENT, type AuditEvent } from "../../automation/model-gate";
import { loadCatalogue } from "../../tools/workloads/models";
import { COMMIT, FakeHost, FakeWorkspace, makeRepo, OIDC_ENV } from "./fakes";
import { FakeMlflowRegistry } from "./mlflow-fake";

const TOKEN = "mlflow-secret-token-do-not-print";
const SUBJECT = "repo:contoso/aiplatform:environment:prd";
const SOURCE = "huggingface:meta-llama/Llama-3.1-8B-Instruct@0e9e39f249a16976918f6564b8830bc894c89659";
const APPROVED_PRD = { "approval.prd": "approved", "approval.prd.by": "ml-lead@contoso.com", "approval.prd.at": "2026-08-24T16:05:00Z" };

/** A catalogue with one model deployed to stg and prd, each pinning a registry version. */
function catalogue(o: { prdVersion?: string | null; stgVersion?: string; revision?: string } = {}): string {
    const pin = (v: string | null | undefined) => (v === null ? "" : `, registryVersion: "${v ?? "4"}"`);
    return `models:
  - name: llama31-8b
    servedModelName: llama-3.1-8b-instruct
    vendor: nvidia
    gpus: 1
    source: { huggingface: { repo: meta-llama/Llama-3.1-8B-Instruct, revision: ${o.revision ?? "0e9e39f249a16976918f6564b8830bc894c89659"} } }
    environments:
      dev: { replicas: 1, maxReplicas: 1, rollout: direct, storage: { className: managed-csi-premium, accessMode: ReadWriteOnce } }
      stg: { replicas: 1, maxReplicas: 2, rollout: blue-green${pin(o.stgVersion ?? "4")} }
      prd: { replicas: 2, maxReplicas: 4, rollout: canary${pin(o.prdVersion)} }
`;
}

const git = (root: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", ...args], { cwd: root, encoding: "utf8" }).trim();

/**
 * A Git repository whose models.yaml is `models`; prd's `aiplatform:flux.commit` names the commit holding it, and the
 * checkout's copy is then replaced by `checkout` when given (what main has moved on to since).
 */
function repoWith(models: string, checkout?: string): string {
    const root = makeRepo();
    const file = path.join(root, "workloads/models/models.yaml");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, models);
    git(root, "init", "-q");
    git(root, "add", "workloads");
    git(root, "commit", "-qm", "models");
    const prd = path.join(root, "Pulumi.prd-uaenorth.yaml");
    const text = fs.readFileSync(prd, "utf8");
    if (!/commit: [0-9a-f]{40}/.test(text)) throw new Error("Pulumi.prd-uaenorth.yaml pins no flux commit");
    fs.writeFileSync(prd, text.replace(/commit: [0-9a-f]{40}/, `commit: ${git(root, "rev-parse", "HEAD")}`));
    if (checkout !== undefined) fs.writeFileSync(file, checkout);
    return root;
}

function jwt(claims: Record<string, unknown>): string {
    const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    return `${part({ alg: "RS256" })}.${part(claims)}.c2ln`;
}

function ciHost(registry: string | undefined, extra: Record<string, string> = {}): FakeHost {
    const host = new FakeHost({
        env: {
            ...OIDC_ENV,
            GITHUB_ACTOR: "release-manager",
            GITHUB_TRIGGERING_ACTOR: "release-manager",
            GITHUB_REPOSITORY: "contoso/aiplatform",
            GITHUB_RUN_ID: "4242",
            GITHUB_STEP_SUMMARY: "/tmp/step-summary.md",
            ...(registry ? { MLFLOW_TRACKING_URI: registry } : {}),
            MLFLOW_TRACKING_TOKEN: TOKEN,
            ...extra,
        },
    });
    host.requestIdToken = async () => jwt({ sub: SUBJECT, aud: "api://AzureADTokenExchange" });
    return host;
}

async function gate(root: string, host: FakeHost, stack = "prd-uaenorth") {
    const ws = new FakeWorkspace();
    const code = await main(["model-gate", "--stack", stack, "--commit", COMMIT, "--summary-dir", "/tmp/gate"], { host, root, workspace: () => ws });
    const audit = host.stdout.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as AuditEvent);
    return { code, audit, ws };
}

describe("pipeline model-gate", () => {
    let registry: FakeMlflowRegistry;
    beforeEach(async () => {
        registry = new FakeMlflowRegistry();
        await registry.start();
    });
    afterEach(async () => {
        await registry.stop();
        // Every request the gate made has the shape of MLflow's API (vendored from model_registry.proto).
        expect(registry.problems).toEqual([]);
    });

    it("passes a version approved for the environment and writes one audit line: who, what, when, decision", async () => {
        registry.addVersion("llama31-8b", "4", { source: "models:/x", tags: { "aiplatform.source": SOURCE, ...APPROVED_PRD } });
        const host = ciHost(registry.uri);
        const { code, audit, ws } = await gate(repoWith(catalogue({ prdVersion: "4" })), host);
        expect(host.errors).toBe("");
        expect(code).toBe(EXIT.ok);
        expect(audit).toEqual([
            {
                event: AUDIT_EVENT,
                at: "2026-08-25T09:30:00.000Z",
                decision: "approved",
                who: { actor: "release-manager", oidcSubject: SUBJECT, run: "https://github.com/contoso/aiplatform/actions/runs/4242" },
                what: { model: "llama31-8b", registeredModel: "llama31-8b", version: "4", environment: "prd", stack: "prd-uaenorth", commit: COMMIT, workloadsCommit: expect.stringMatching(/^[0-9a-f]{40}$/), source: SOURCE },
                approval: { by: "ml-lead@contoso.com", at: "2026-08-24T16:05:00.000Z" },
                reason: "version 4 approved for prd by ml-lead@contoso.com at 2026-08-24T16:05:00Z",
            },
        ]);
        expect(registry.requests).toEqual([
            { method: "GET", path: "/api/2.0/mlflow/model-versions/get", query: { name: "llama31-8b", version: "4" }, authorization: `Bearer ${TOKEN}` },
        ]);
        expect(host.written.get("/tmp/gate/prd-uaenorth.model-gate.jsonl")).toBe(JSON.stringify(audit[0]) + "\n");
        const summary = host.appended.get("/tmp/step-summary.md")!;
        expect(summary).toContain("| `llama31-8b` | 4 | `" + SOURCE + "` | approved | ml-lead@contoso.com | 2026-08-24T16:05:00.000Z |");
        expect(summary).toContain(`(\`${SUBJECT}\`)`);
        // No Pulumi, and the registry credential appears nowhere.
        expect(ws.calls).toEqual([]);
        const everything = [host.output, host.errors, ...host.written.values(), ...host.appended.values()].join("\n");
        expect(everything).not.toContain(TOKEN);
    });

    it("refuses a version with no approval (exit 13), naming model, version and the missing tag", async () => {
        registry.addVersion("llama31-8b", "4", { tags: { "aiplatform.source": SOURCE, "approval.prd.by": "someone" } });
        const host = ciHost(registry.uri);
        const { code, audit } = await gate(repoWith(catalogue({ prdVersion: "4" })), host);
        expect(code).toBe(EXIT.modelNotApproved);
        expect(host.stderr).toEqual(["pipeline: prd-uaenorth: model-gate refused llama31-8b: version 4 is not approved for prd (approval.prd = unset)"]);
        expect(audit.map((a) => [a.decision, a.what.version, a.approval])).toEqual([["refused", "4", null]]);
        expect(host.appended.get("/tmp/step-summary.md")).toContain("❌ `prd-uaenorth` — model approval gate (prd)");
    });

    it("refuses when another version is approved, or this one only for another environment", async () => {
        registry.addVersion("llama31-8b", "3", { tags: { "aiplatform.source": SOURCE, ...APPROVED_PRD } });
        registry.addVersion("llama31-8b", "4", { tags: { "aiplatform.source": SOURCE, "approval.stg": "approved", "approval.stg.by": "a@contoso.com", "approval.stg.at": "2026-08-20T10:00:00Z" } });
        const root = repoWith(catalogue({ prdVersion: "4", stgVersion: "4" }));
        const prd = await gate(root, ciHost(registry.uri));
        expect(prd.code).toBe(EXIT.modelNotApproved);
        expect(prd.audit[0].reason).toBe("version 4 is not approved for prd (approval.prd = unset)");
        // The same version passes where it is approved: the decision is per environment.
        const stg = await gate(root, ciHost(registry.uri), "stg-uaenorth");
        expect(stg.code).toBe(EXIT.ok);
        expect(stg.audit[0].what).toMatchObject({ environment: "stg", version: "4" });
        // Pinning a version the registry does not have is refused too.
        const missing = await gate(repoWith(catalogue({ prdVersion: "9" })), ciHost(registry.uri));
        expect(missing.code).toBe(EXIT.modelNotApproved);
        expect(missing.audit[0].reason).toBe("registered model 'llama31-8b' has no version 9 in the registry");
    });

    it("prd is judged on models.yaml at its aiplatform:flux.commit (what its Flux applies), stg on the checkout (it follows main)", async () => {
        registry.addVersion("llama31-8b", "4", { tags: { "aiplatform.source": SOURCE, ...APPROVED_PRD } });
        registry.addVersion("llama31-8b", "5", { tags: { "aiplatform.source": SOURCE } });
        const root = repoWith(catalogue({ prdVersion: "4" }), catalogue({ prdVersion: "5", stgVersion: "5" }));
        const prd = await gate(root, ciHost(registry.uri));
        expect(prd.code).toBe(EXIT.ok);
        expect(prd.audit[0].what).toMatchObject({ version: "4", workloadsCommit: git(root, "rev-parse", "HEAD") });
        const stg = await gate(root, ciHost(registry.uri), "stg-uaenorth");
        expect(stg.code).toBe(EXIT.modelNotApproved);
        expect(stg.audit[0].what).toMatchObject({ version: "5", workloadsCommit: null });
    });

    it("a prd flux.commit missing from the checkout is bad input (exit 2) naming the stack file", async () => {
        const root = repoWith(catalogue({ prdVersion: "4" }));
        const prd = path.join(root, "Pulumi.prd-uaenorth.yaml");
        fs.writeFileSync(prd, fs.readFileSync(prd, "utf8").replace(/commit: [0-9a-f]{40}/, `commit: ${"a".repeat(40)}`));
        const host = ciHost(registry.uri);
        const { code } = await gate(root, host);
        expect(code).toBe(EXIT.badInput);
        expect(host.stderr[0]).toBe(`pipeline: Pulumi.prd-uaenorth.yaml: aiplatform:flux.commit ${"a".repeat(40)} has no workloads/models/models.yaml in this checkout (fetch full history: the release job checks out with fetch-depth 0)`);
        expect(registry.requests).toEqual([]);
    });

    it("refuses an approved version whose recorded weights differ from what models.yaml deploys", async () => {
        registry.addVersion("llama31-8b", "4", { tags: { "aiplatform.source": SOURCE, ...APPROVED_PRD } });
        const host = ciHost(registry.uri);
        const { code, audit } = await gate(repoWith(catalogue({ prdVersion: "4", revision: "main" })), host);
        expect(code).toBe(EXIT.modelNotApproved);
        expect(audit[0].reason).toBe(`version 4 is '${SOURCE}', but models.yaml deploys 'huggingface:meta-llama/Llama-3.1-8B-Instruct@main'`);
    });

    it("refuses a model that pins no registry version without asking the registry", async () => {
        const host = ciHost(registry.uri);
        const { code, audit } = await gate(repoWith(catalogue({ prdVersion: null })), host);
        expect(code).toBe(EXIT.modelNotApproved);
        expect(audit[0]).toMatchObject({ decision: "refused", what: { version: null } });
        expect(audit[0].reason).toMatch(/^models.yaml pins no registryVersion for prd/);
        expect(registry.requests).toEqual([]);
    });

    it("an approval without approver or a valid time is no approval", async () => {
        registry.addVersion("llama31-8b", "4", { tags: { "aiplatform.source": SOURCE, "approval.prd": "approved", "approval.prd.by": "ml-lead@contoso.com", "approval.prd.at": "yesterday" } });
        const { code, audit } = await gate(repoWith(catalogue({ prdVersion: "4" })), ciHost(registry.uri));
        expect(code).toBe(EXIT.modelNotApproved);
        expect(audit[0].reason).toBe("version 4's prd approval has no valid time (approval.prd.at = yesterday; ISO 8601 expected)");
    });

    it("the registry's credentials rejected (401) is an environment error (exit 14), sent as Basic auth when so configured", async () => {
        registry.failWith = { status: 401, error_code: "UNAUTHENTICATED" };
        const host = ciHost(registry.uri, { MLFLOW_TRACKING_TOKEN: "", MLFLOW_TRACKING_USERNAME: "pipeline-gate", MLFLOW_TRACKING_PASSWORD: "pw-do-not-print" });
        const { code, audit } = await gate(repoWith(catalogue({ prdVersion: "4" })), host);
        expect(code).toBe(EXIT.modelRegistryUnavailable);
        expect(registry.requests[0].authorization).toBe(`Basic ${Buffer.from("pipeline-gate:pw-do-not-print").toString("base64")}`);
        expect(host.stderr[0]).toBe(`pipeline: MLflow registry ${registry.uri}: rejected the pipeline's credentials (HTTP 401); check MLFLOW_TRACKING_TOKEN / MLFLOW_TRACKING_USERNAME (README: model approval)`);
        expect(audit[0].decision).toBe("error");
        expect([host.output, host.errors].join("\n")).not.toContain("pw-do-not-print");
    });
});

describe("pipeline model-gate: environment errors", () => {
    it("an unreachable registry exits 14 with one line and an audit line of the failed check", async () => {
        const closed = new FakeMlflowRegistry();
        const uri = await closed.start();
        await closed.stop(); // nothing listens on that port any more: connection refused at once
        const host = ciHost(uri, { MLFLOW_HTTP_REQUEST_TIMEOUT: "2" });
        const { code, audit } = await gate(repoWith(catalogue({ prdVersion: "4" })), host);
        expect(code).toBe(EXIT.modelRegistryUnavailable);
        expect(host.stderr).toEqual([`pipeline: MLflow registry ${uri}: unreachable (ECONNREFUSED); the gate runs on the aiplatform-azure runners, which reach the internal ingress`]);
        expect(audit).toHaveLength(1);
        expect(audit[0]).toMatchObject({ decision: "error", what: { model: "llama31-8b", version: "4", environment: "prd" } });
    });

    it("no MLFLOW_TRACKING_URI exits 14 before anything is decided", async () => {
        const host = ciHost(undefined);
        const { code, audit } = await gate(repoWith(catalogue({ prdVersion: "4" })), host);
        expect(code).toBe(EXIT.modelRegistryUnavailable);
        expect(host.stderr[0]).toMatch(/^pipeline: MLFLOW_TRACKING_URI is not set/);
        expect(audit).toEqual([]);
    });

    it("guards stg and prd only: dev or the hub is bad input (exit 2)", async () => {
        const host = ciHost("http://127.0.0.1:9");
        const { code } = await gate(repoWith(catalogue()), host, "dev-uaenorth");
        expect(code).toBe(EXIT.badInput);
        expect(host.stderr[0]).toBe("pipeline: model-gate guards stg and prd rollouts; dev-uaenorth is dev");
    });

    it("the repository's catalogue as committed pins no approved version, so its prd rollout is refused", async () => {
        const root = repoWith(fs.readFileSync(path.resolve(__dirname, "../../workloads/models/models.yaml"), "utf8"));
        const host = ciHost("http://127.0.0.1:9");
        const { code, audit } = await gate(root, host);
        expect(code).toBe(EXIT.modelNotApproved);
        // Every model the catalogue deploys to prd is judged (none pins an approved registry version yet).
        const prdModels = loadCatalogue().filter((m) => m.environments.prd).map((m) => m.name);
        expect(prdModels.length).toBeGreaterThan(0);
        expect(audit.map((a) => a.what.model)).toEqual(prdModels);
        expect(audit.every((a) => a.decision === "refused")).toBe(true);
    });
});
