/**
 * The pipeline CLI's front door: --help, bad input (exit 2), and the preflight decisions — no backend login (6),
 * no Azure credentials (7), no Pulumi CLI (9), stack not initialised with Key Vault secrets (6), stack missing in
 * the backend (2), stack locked (8) — each one line on stderr, each before any stack is touched where it can be.
 */
import * as path from "path";
import { main } from "../../automation/cli";
import { EXIT, EXIT_MEANINGS } from "../../automation/exit-codes";
import { commandError, FakeHost, FakeWorkspace, KV_PROVIDER, makeRepo, OIDC_ENV, type Script } from "./fakes";

const root = makeRepo();

async function run(argv: string[], o: { scripts?: Record<string, Script>; host?: FakeHost; ws?: FakeWorkspace; root?: string } = {}) {
    const host = o.host ?? new FakeHost();
    const ws = o.ws ?? new FakeWorkspace(o.scripts);
    let created = 0;
    const code = await main(argv, { host, root: o.root ?? root, workspace: () => (created++, ws) });
    return { code, host, ws, created };
}

describe("pipeline --help", () => {
    it("documents every command, the stacks and every exit code, without touching Pulumi", async () => {
        const { code, host, created } = await run(["--help"]);
        expect(code).toBe(EXIT.ok);
        expect(created).toBe(0);
        for (const cmd of ["preview", "up", "promote", "drift", "rotate", "model-gate"]) expect(host.output).toMatch(new RegExp(`^  ${cmd} `, "m"));
        expect(host.output).toContain("one of: hub-uaenorth, dev-uaenorth, stg-uaenorth, prd-uaenorth");
        for (const [c, meaning] of EXIT_MEANINGS) expect(host.output).toContain(`${String(c).padStart(2)}  ${meaning}`);
        expect(EXIT_MEANINGS.map(([c]) => c)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    });
});

describe("bad input exits 2 with one line and no Pulumi call", () => {
    const cases: [string, string[], RegExp][] = [
        ["no command", [], /no command given; one of: preview, up, promote, drift, rotate, model-gate/],
        ["unknown command", ["deploy", "--stack", "dev-uaenorth"], /unknown command 'deploy'/],
        ["unknown flag", ["preview", "--stack", "dev-uaenorth", "--force"], /Unknown option '--force'/],
        ["unknown stack", ["preview", "--stack", "nope"], /unknown stack 'nope'; valid stacks: hub-uaenorth, dev-uaenorth, stg-uaenorth, prd-uaenorth/],
        ["no stack", ["drift"], /drift needs --stack <name> or --all/],
        ["stack and all", ["up", "--all", "--stack", "dev-uaenorth"], /either --stack or --all/],
        ["promote without --to", ["promote", "--from", "dev-uaenorth"], /needs both --from <stack> and --to <stack>/],
        ["promote the hub", ["promote", "--from", "hub-uaenorth", "--to", "dev-uaenorth"], /'hub-uaenorth' is the hub/],
        ["promote skipping stg", ["promote", "--from", "dev-uaenorth", "--to", "prd-uaenorth"], /dev → stg → prd, one step at a time/],
        ["promote backwards", ["promote", "--from", "prd-uaenorth", "--to", "stg-uaenorth"], /cannot promote prd-uaenorth \(prd\) to stg-uaenorth \(stg\)/],
        ["short commit", ["up", "--stack", "dev-uaenorth", "--commit", "abc123"], /--commit 'abc123' is not a full 40-character commit SHA/],
        ["--from on up", ["up", "--stack", "dev-uaenorth", "--from", "dev-uaenorth"], /--from\/--to belong to promote/],
        ["secrets provider without create", ["preview", "--stack", "dev-uaenorth", "--secrets-provider", KV_PROVIDER], /only applies with --create/],
    ];
    it.each(cases)("%s", async (_name, argv, message) => {
        const { code, host, ws, created } = await run(argv);
        expect(code).toBe(EXIT.badInput);
        expect(host.stderr[0]).toMatch(message);
        expect(host.stderr[0].split("\n")).toHaveLength(1);
        expect(host.errors).not.toMatch(/\n\s+at /); // no stack trace without --verbose
        expect(ws.calls).toEqual([]);
        expect(created).toBe(0);
    });

    it("up without a known commit refuses before logging in", async () => {
        const host = new FakeHost({ head: null });
        const { code, ws } = await run(["up", "--stack", "dev-uaenorth"], { host });
        expect(code).toBe(EXIT.badInput);
        expect(host.errors).toContain("up records the commit it deploys: run it inside the Git checkout or pass --commit <sha>");
        expect(ws.calls).toEqual([]);
    });
});

describe("preflight", () => {
    it("no backend login: exit 6, stops before opening a stack", async () => {
        const ws = new FakeWorkspace();
        ws.whoAmIError = commandError("error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions");
        const { code, host } = await run(["preview", "--stack", "dev-uaenorth"], { ws });
        expect(code).toBe(EXIT.noBackend);
        expect(host.errors).toBe(
            "pipeline: not logged in to the state backend: set PULUMI_BACKEND_URL=azblob://<container>?storage_account=<account> (README: state backend) and make sure this identity can read it",
        );
        expect(ws.methods()).toEqual(["whoAmI"]);
    });

    it("no Pulumi CLI: exit 9", async () => {
        const ws = new FakeWorkspace();
        ws.whoAmIError = commandError("Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT");
        const { code, host } = await run(["drift", "--all"], { ws });
        expect(code).toBe(EXIT.noPulumiCli);
        expect(host.errors).toMatch(/^pipeline: the Pulumi CLI is not on PATH/);
        expect(ws.methods()).toEqual(["whoAmI"]);
    });

    it("no Azure credentials at all: exit 7 naming what to set", async () => {
        const host = new FakeHost({ env: {} });
        const { code, ws } = await run(["preview", "--stack", "dev-uaenorth"], { host });
        expect(code).toBe(EXIT.noAzureCredentials);
        expect(host.errors).toBe(
            "pipeline: no Azure credentials: in CI set ARM_USE_OIDC=true with ARM_CLIENT_ID, ARM_TENANT_ID, ARM_SUBSCRIPTION_ID (azure/login with OIDC); locally run `az login`",
        );
        expect(ws.methods()).toEqual(["whoAmI"]);
    });

    it("OIDC requested but the job cannot mint a token: exit 7 pointing at id-token: write", async () => {
        const { ACTIONS_ID_TOKEN_REQUEST_URL: _u, ACTIONS_ID_TOKEN_REQUEST_TOKEN: _t, ...env } = OIDC_ENV;
        const host = new FakeHost({ env });
        const { code } = await run(["up", "--stack", "dev-uaenorth"], { host });
        expect(code).toBe(EXIT.noAzureCredentials);
        expect(host.errors).toContain("ARM_USE_OIDC=true but no ID token: give the GitHub job `permissions: id-token: write`");
    });

    it("OIDC with a missing subscription id: exit 7 naming the variable", async () => {
        const host = new FakeHost({ env: { ...OIDC_ENV, ARM_SUBSCRIPTION_ID: undefined } });
        const { code } = await run(["preview", "--stack", "dev-uaenorth"], { host });
        expect(code).toBe(EXIT.noAzureCredentials);
        expect(host.errors).toBe("pipeline: ARM_USE_OIDC=true but ARM_SUBSCRIPTION_ID is not set");
    });

    it("GitLab id_tokens (ARM_OIDC_TOKEN) and a local az login both count as credentials", async () => {
        const { ACTIONS_ID_TOKEN_REQUEST_URL: _u, ACTIONS_ID_TOKEN_REQUEST_TOKEN: _t, ...env } = OIDC_ENV;
        const gitlab = await run(["preview", "--stack", "dev-uaenorth"], { host: new FakeHost({ env: { ...env, ARM_OIDC_TOKEN: "eyJ.gitlab.jwt" } }) });
        expect(gitlab.code).toBe(EXIT.ok);
        expect(gitlab.host.output).toContain("pipeline: Azure credentials from oidc-token");
        expect(gitlab.host.output).not.toContain("eyJ.gitlab.jwt");
        const local = await run(["preview", "--stack", "dev-uaenorth"], { host: new FakeHost({ env: {}, az: "33333333-3333-3333-3333-333333333333" }) });
        expect(local.code).toBe(EXIT.ok);
        expect(local.host.output).toContain("pipeline: Azure credentials from azure-cli");
    });

    it("a stack file without the Key Vault secrets provider: exit 6, the stack is never opened", async () => {
        const bare = makeRepo({ without: ["stg-uaenorth"] });
        const { code, host, ws } = await run(["preview", "--stack", "stg-uaenorth"], { root: bare });
        expect(code).toBe(EXIT.noBackend);
        expect(host.errors).toContain("pipeline: stg-uaenorth: Pulumi.stg-uaenorth.yaml has no 'secretsprovider:'; initialise the stack once with --create --secrets-provider azurekeyvault://");
        expect(ws.methods()).toEqual(["whoAmI"]);
    });

    it("a stack missing in the backend: exit 2 with the --create hint; --create creates it with the file's Key Vault key", async () => {
        const missing = { "dev-uaenorth": { openError: commandError("error: no stack named 'organization/aiplatform/dev-uaenorth' found", "StackNotFoundError") } };
        const first = await run(["preview", "--stack", "dev-uaenorth"], { scripts: missing });
        expect(first.code).toBe(EXIT.badInput);
        expect(first.host.errors).toBe("pipeline: dev-uaenorth: stack 'dev-uaenorth' does not exist in the backend; create it once with --create (README: state backend)");

        const { code, ws } = await run(["preview", "--stack", "dev-uaenorth", "--create"]);
        expect(code).toBe(EXIT.ok);
        expect(ws.call("openStack", "dev-uaenorth")!.args).toEqual({
            create: true,
            secretsProvider: KV_PROVIDER,
            projectDir: root,
        });
    });

    it("a locked stack: exit 8", async () => {
        const scripts = { "dev-uaenorth": { previewError: commandError("error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file") } };
        const { code, host } = await run(["preview", "--stack", "dev-uaenorth"], { scripts });
        expect(code).toBe(EXIT.locked);
        expect(host.errors).toMatch(/^pipeline: dev-uaenorth: preview failed: the stack is locked by another update \(the stack is currently locked by 1 lock\(s\)\. .*\); retry when it finishes → /);
        expect(host.stderr).toHaveLength(1);
    });

    it("--verbose adds the stack trace that is otherwise withheld", async () => {
        const ws = new FakeWorkspace();
        ws.whoAmIError = commandError("error: PULUMI_ACCESS_TOKEN must be set");
        const quiet = await run(["preview", "--stack", "dev-uaenorth"], { ws });
        expect(quiet.host.stderr).toHaveLength(1);
        const loud = await run(["preview", "--stack", "dev-uaenorth", "--verbose"], { ws });
        expect(loud.host.stderr).toHaveLength(2);
        expect(loud.host.stderr[1]).toMatch(/\n\s+at /);
    });

    it("--verbose also traces an error of one stack; without it that error is one line", async () => {
        const scripts = { "dev-uaenorth": { previewError: commandError("error: update failed\nerror: azure-native:network:Subnet snet: 400 InUseSubnetCannotBeDeleted") } };
        const quiet = await run(["preview", "--stack", "dev-uaenorth"], { scripts });
        expect(quiet.code).toBe(EXIT.operationFailed);
        expect(quiet.host.stderr).toEqual([expect.stringMatching(/^pipeline: dev-uaenorth: preview failed: the Pulumi operation failed: azure-native:network:Subnet snet: 400 InUseSubnetCannotBeDeleted → /)]);
        const loud = await run(["preview", "--stack", "dev-uaenorth", "--verbose"], { scripts });
        expect(loud.host.stderr).toHaveLength(2);
        expect(loud.host.stderr[1]).toMatch(/^CommandError: code: 255[\s\S]*\n\s+at /);
    });

    it("promote --create may create the target but never the source it only reads", async () => {
        const { ws } = await run(["promote", "--from", "dev-uaenorth", "--to", "stg-uaenorth", "--create"]);
        expect(ws.call("openStack", "dev-uaenorth")!.args).toMatchObject({ create: false, secretsProvider: undefined });
    });

    it("the hub opens in hub/, spokes at the repository root", async () => {
        const { ws } = await run(["preview", "--stack", "hub-uaenorth", "--stack", "prd-uaenorth"]);
        expect((ws.call("openStack", "hub-uaenorth")!.args as { projectDir: string }).projectDir).toBe(path.join(root, "hub"));
        expect((ws.call("openStack", "prd-uaenorth")!.args as { projectDir: string }).projectDir).toBe(root);
    });
});
