/**
 * `promote` (the gate on the source stack's history and tags, then an `up` of the target), `drift` (a preview-only
 * refresh with expectNoChanges: exit 3 with the drifted resources and properties, an error stays an error) and
 * `rotate` (a stack-file edit of the secrets' rotation keeper), against the fake workspace and host.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { main } from "../../automation/cli";
import { TAGS } from "../../automation/commands";
import { DELETED_OUTSIDE } from "../../automation/events";
import { EXIT } from "../../automation/exit-codes";
import { COMMIT, commandError, FakeHost, FakeWorkspace, historyEntry, makeRepo, OTHER_COMMIT, outputs, pre, type Script, summary, urn } from "./fakes";

const root = makeRepo();
const summaryDir = path.join(root, ".pipeline");

async function run(argv: string[], scripts: Record<string, Script> = {}, host = new FakeHost(), repo = root) {
    const ws = new FakeWorkspace(scripts);
    const code = await main(argv, { host, root: repo, workspace: () => ws });
    return { code, host, ws };
}

const verified = { [TAGS.deployedCommit]: COMMIT, [TAGS.verifiedCommit]: COMMIT, [TAGS.verifiedVersion]: "12", [TAGS.verifiedAt]: "2026-08-24T20:00:00.000Z" };
const PROMOTE = ["promote", "--from", "dev-uaenorth", "--to", "stg-uaenorth"];

describe("promote", () => {
    it("passes the gate when dev's last update succeeded at this commit and was verified, then deploys stg", async () => {
        const scripts = { "dev-uaenorth": { history: [historyEntry({ kind: "refresh", version: 13, environment: {} }), historyEntry()], tags: verified } };
        const { code, host, ws } = await run(PROMOTE, scripts);
        expect(code).toBe(EXIT.ok);
        expect(ws.methods("dev-uaenorth")).toEqual(["openStack", "history", "tags"]);
        expect(ws.call("history", "dev-uaenorth")!.args).toEqual({ pageSize: 10 });
        expect(ws.methods("stg-uaenorth")).toEqual(["openStack", "preview", "removeTag", "removeTag", "removeTag", "up", "setTag", "previewRefresh", "setTag", "setTag", "setTag"]);
        expect((ws.call("up", "stg-uaenorth")!.args as { message: string }).message).toBe(
            `aiplatform pipeline promote from dev-uaenorth to stg-uaenorth commit ${COMMIT}`,
        );
        expect(host.output).toContain(
            `pipeline: dev-uaenorth: gate passed — version 12 ran ${COMMIT.slice(0, 12)} and passed its post-deploy checks (2026-08-24T20:00:00.000Z)`,
        );
        expect(ws.tags["stg-uaenorth"][TAGS.verifiedCommit]).toBe(COMMIT);
        const md = host.written.get(path.join(summaryDir, "stg-uaenorth.promote.md"))!;
        expect(md).toContain("### ✅ `stg-uaenorth` — promote from `dev-uaenorth`");
    });

    const refusals: [string, Script, string][] = [
        ["never deployed", { history: [], tags: {} }, "promotion refused: dev-uaenorth has never been updated"],
        [
            "last update failed",
            { history: [historyEntry({ result: "failed", version: 14 }), historyEntry()], tags: verified },
            "promotion refused: dev-uaenorth last update (version 14) failed; fix and redeploy it first",
        ],
        [
            "a different commit",
            { history: [historyEntry({ environment: { "git.head": OTHER_COMMIT }, message: "" })], tags: verified },
            `promotion refused: dev-uaenorth last ran commit ${OTHER_COMMIT.slice(0, 12)}, this pipeline is at ${COMMIT.slice(0, 12)}; deploy this commit to dev-uaenorth first`,
        ],
        [
            "checks not passed",
            { history: [historyEntry()], tags: { [TAGS.deployedCommit]: COMMIT, [TAGS.verifiedCommit]: OTHER_COMMIT } },
            `promotion refused: dev-uaenorth post-deploy checks have not passed for ${COMMIT.slice(0, 12)} (${TAGS.verifiedCommit} = ${OTHER_COMMIT.slice(0, 12)})`,
        ],
        [
            "no commit recorded",
            { history: [historyEntry({ environment: {}, message: "manual pulumi up" })], tags: verified },
            "promotion refused: dev-uaenorth last update (version 12) recorded no Git commit",
        ],
    ];
    it.each(refusals)("refuses (exit 5) when %s, and never opens the target", async (_n, source, line) => {
        const { code, host, ws } = await run(PROMOTE, { "dev-uaenorth": source });
        expect(code).toBe(EXIT.promotionRefused);
        expect(host.errors).toBe(`pipeline: stg-uaenorth: ${line}`);
        expect(ws.methods("stg-uaenorth")).toEqual([]);
        expect(ws.methods("dev-uaenorth")).not.toContain("up");
    });

    it("refuses when the verified tags name an earlier update of the same commit (a later re-run was not verified)", async () => {
        const rerun = historyEntry({ version: 13 });
        const { code, host, ws } = await run(PROMOTE, { "dev-uaenorth": { history: [rerun, historyEntry()], tags: verified } });
        expect(code).toBe(EXIT.promotionRefused);
        expect(host.errors).toContain(
            `promotion refused: dev-uaenorth the verified update is version 12, but the last update is version 13; redeploy ${COMMIT.slice(0, 12)} to dev-uaenorth first`,
        );
        expect(ws.methods("stg-uaenorth")).not.toContain("up");
    });

    it("an unclean re-run of a verified commit clears the verdict, so it can no longer be promoted", async () => {
        const drifted = [outputs("refresh", urn("dev-uaenorth", "azure-native:keyvault:Vault", "spoke-kv"), "azure-native:keyvault:Vault", { oldOutputs: { sku: "standard" }, newOutputs: { sku: "premium" } })];
        const ws = new FakeWorkspace({ "dev-uaenorth": { tags: verified, refreshEvents: drifted, history: [historyEntry({ version: 7 })] } });
        const host = new FakeHost();
        expect(await main(["up", "--stack", "dev-uaenorth"], { host, root, workspace: () => ws })).toBe(EXIT.postDeployChecks);
        expect(ws.tags["dev-uaenorth"][TAGS.verifiedCommit]).toBeUndefined();
        expect(await main(PROMOTE, { host, root, workspace: () => ws })).toBe(EXIT.promotionRefused);
        expect(host.errors).toContain(`promotion refused: dev-uaenorth post-deploy checks have not passed for ${COMMIT.slice(0, 12)} (${TAGS.verifiedCommit} = unset)`);
    });

    it("falls back to the commit in the update message when the metadata has no git.head", async () => {
        const scripts = { "dev-uaenorth": { history: [historyEntry({ environment: {} })], tags: verified } };
        const { code, ws } = await run(PROMOTE, scripts);
        expect(code).toBe(EXIT.ok);
        expect(ws.methods("stg-uaenorth")).toContain("up");
    });

    const stgRan = (commit: string) => ({ "stg-uaenorth": { history: [historyEntry({ environment: { "git.head": commit } })], tags: { [TAGS.verifiedCommit]: commit, [TAGS.verifiedVersion]: "12" } } });
    const RELEASE = (commit: string) => ["promote", "--from", "stg-uaenorth", "--to", "prd-uaenorth", "--commit", commit];
    const FLUX_COMMIT = (YAML.parse(fs.readFileSync(path.join(root, "Pulumi.prd-uaenorth.yaml"), "utf8")).config["aiplatform:flux"] as { commit: string }).commit;

    it("stg → prd uses the commit given with --commit, once the Flux revision prd pins has the same GitOps tree", async () => {
        const host = new FakeHost();
        host.changedFiles.set(`${FLUX_COMMIT}..${OTHER_COMMIT}`, []);
        const { code, ws } = await run(RELEASE(OTHER_COMMIT), stgRan(OTHER_COMMIT), host);
        expect(code).toBe(EXIT.ok);
        expect(host.diffs).toEqual([{ from: FLUX_COMMIT, to: OTHER_COMMIT, paths: ["gitops-bootstrap", "workloads"] }]);
        expect(host.output).toContain(`pipeline: prd-uaenorth: Flux revision ${FLUX_COMMIT.slice(0, 12)} has the same gitops-bootstrap/, workloads/ as release ${OTHER_COMMIT.slice(0, 12)}`);
        expect(ws.tags["prd-uaenorth"][TAGS.deployedCommit]).toBe(OTHER_COMMIT);
    });

    it("releasing exactly aiplatform:flux.commit needs no comparison", async () => {
        const host = new FakeHost();
        const { code } = await run(RELEASE(FLUX_COMMIT), stgRan(FLUX_COMMIT), host);
        expect(code).toBe(EXIT.ok);
        expect(host.diffs).toEqual([]);
    });

    it.each([
        ["the trees Flux reads differ", ["workloads/models/models.yaml", "workloads/base/vllm/deployment.yaml"], "they differ in what Flux applies (workloads/models/models.yaml, workloads/base/vllm/deployment.yaml)"],
        ["Git cannot compare them", undefined, "Git cannot compare the two"],
    ])("refuses a prd release (exit 5) when it is not aiplatform:flux.commit and %s, before opening either stack", async (_n, changed, why) => {
        const host = new FakeHost();
        if (changed) host.changedFiles.set(`${FLUX_COMMIT}..${OTHER_COMMIT}`, changed);
        const { code, ws } = await run(RELEASE(OTHER_COMMIT), stgRan(OTHER_COMMIT), host);
        expect(code).toBe(EXIT.promotionRefused);
        expect(host.errors).toContain(`pipeline: prd-uaenorth: promotion refused: Pulumi.prd-uaenorth.yaml: aiplatform:flux.commit = ${FLUX_COMMIT.slice(0, 12)}, but the release is ${OTHER_COMMIT.slice(0, 12)}: ${why}`);
        expect(ws.methods("prd-uaenorth")).toEqual([]);
        expect(ws.methods("stg-uaenorth")).toEqual([]);
    });
});

const KV = "azure-native:keyvault:Vault";
const NSG = "azure-native:network:NetworkSecurityGroup";
const SA = "azure-native:storage:StorageAccount";

describe("drift", () => {
    it("no drift: exit 0, a preview-only refresh that expects no changes, and a clean report", async () => {
        const scripts = { "dev-uaenorth": { refreshEvents: [outputs("refresh", urn("dev-uaenorth", KV, "spoke-kv"), KV, { oldOutputs: { sku: "standard" }, newOutputs: { sku: "standard" } }), summary({ same: 5 })] } };
        const { code, host, ws } = await run(["drift", "--stack", "dev-uaenorth"], scripts);
        expect(code).toBe(EXIT.ok);
        expect(ws.methods("dev-uaenorth")).toEqual(["openStack", "previewRefresh"]);
        expect(ws.call("previewRefresh")!.args).toEqual({ expectNoChanges: true, message: `aiplatform pipeline drift check dev-uaenorth commit ${COMMIT}`, hooks: true });
        expect(host.stdout).toContain(`pipeline: dev-uaenorth: no drift → ${path.join(summaryDir, "dev-uaenorth.drift.md")}`);
        expect(JSON.parse(host.written.get(path.join(summaryDir, "dev-uaenorth.drift.json"))!)).toEqual({
            stack: "dev-uaenorth",
            drift: false,
            commit: COMMIT,
            checkedAt: "2026-08-25T09:30:00.000Z",
            resources: [],
        });
        expect(host.written.get(path.join(summaryDir, "dev-uaenorth.drift.md"))).toContain("### ✅ `dev-uaenorth` — no drift");
    });

    it("drift: exit 3 listing each drifted resource and property (never values), despite the CLI's expect-no-changes failure", async () => {
        const scripts = {
            "prd-uaenorth": {
                refreshEvents: [
                    // a rule added in the portal: the outputs differ in securityRules only
                    outputs("refresh", urn("prd-uaenorth", NSG, "spoke-nsg-system"), NSG, {
                        oldOutputs: { securityRules: [{ name: "deny-all" }], location: "uaenorth", __inputs: { x: 1 } },
                        newOutputs: { securityRules: [{ name: "deny-all" }, { name: "allow-rdp-from-anywhere" }], location: "uaenorth", __inputs: { x: 2 } },
                    }),
                    // the engine reported a detailed diff
                    outputs("update", urn("prd-uaenorth", SA, "datalake"), SA, {
                        detailedDiff: { allowSharedKeyAccess: { diffKind: "update" as never, inputDiff: false }, "networkRuleSet.defaultAction": { diffKind: "update" as never, inputDiff: false } },
                        oldOutputs: { allowSharedKeyAccess: false, primaryKey: "c3VwZXItc2VjcmV0LWtleQ==" },
                        newOutputs: { allowSharedKeyAccess: true, primaryKey: "c3VwZXItc2VjcmV0LWtleQ==" },
                    }),
                    // deleted in the portal
                    outputs("delete", urn("prd-uaenorth", KV, "spoke-kv"), KV, { oldOutputs: { sku: "premium" } }),
                    summary({ same: 30, update: 2, delete: 1 }),
                ],
                refreshError: commandError("error: no changes were expected but changes were proposed"),
            },
        };
        const { code, host } = await run(["drift", "--stack", "prd-uaenorth"], scripts);
        expect(code).toBe(EXIT.drift);
        expect(host.errors).toBe(
            "pipeline: prd-uaenorth: drift in 3 resources: spoke-kv [(deleted outside Pulumi)]; spoke-nsg-system [securityRules]; " +
                `datalake [allowSharedKeyAccess, networkRuleSet.defaultAction] → ${path.join(summaryDir, "prd-uaenorth.drift.md")}`,
        );
        const report = JSON.parse(host.written.get(path.join(summaryDir, "prd-uaenorth.drift.json"))!);
        expect(report.drift).toBe(true);
        expect(report.resources).toEqual([
            { urn: urn("prd-uaenorth", KV, "spoke-kv"), type: KV, name: "spoke-kv", properties: [DELETED_OUTSIDE] },
            { urn: urn("prd-uaenorth", NSG, "spoke-nsg-system"), type: NSG, name: "spoke-nsg-system", properties: ["securityRules"] },
            { urn: urn("prd-uaenorth", SA, "datalake"), type: SA, name: "datalake", properties: ["allowSharedKeyAccess", "networkRuleSet.defaultAction"] },
        ]);
        const md = host.written.get(path.join(summaryDir, "prd-uaenorth.drift.md"))!;
        expect(md.split("\n")[0]).toBe("<!-- aiplatform-pipeline:drift:prd-uaenorth -->");
        expect(md).toContain("### ⚠️ `prd-uaenorth` — drift in 3 resources");
        expect(md).toContain("| azure-native:storage:StorageAccount | `datalake` | `allowSharedKeyAccess`, `networkRuleSet.defaultAction` |");
        for (const value of ["allow-rdp-from-anywhere", "c3VwZXItc2VjcmV0LWtleQ==", "premium"]) expect(md + JSON.stringify(report) + host.errors).not.toContain(value);
    });

    it("a refresh error that is not drift keeps its own exit code (7), and writes no drift report", async () => {
        const scripts = { "dev-uaenorth": { refreshError: commandError("error: DefaultAzureCredential: failed to acquire a token") } };
        const { code, host } = await run(["drift", "--stack", "dev-uaenorth"], scripts);
        expect(code).toBe(EXIT.noAzureCredentials);
        expect(host.errors).toBe("pipeline: dev-uaenorth: Azure rejected or lacked credentials: DefaultAzureCredential: failed to acquire a token");
        expect([...host.written.keys()]).toEqual([]);
    });

    it("--all checks every stack; drift in one gives 3, an error in another outranks it", async () => {
        const drifted = { refreshEvents: [pre("update", urn("stg-uaenorth", KV, "spoke-kv"), KV, { diffs: ["tags"] })], refreshError: commandError("error: no changes were expected") };
        const one = await run(["drift", "--all"], { "stg-uaenorth": drifted });
        expect(one.code).toBe(EXIT.drift);
        expect(one.ws.calls.filter((c) => c.method === "previewRefresh").map((c) => c.stack)).toEqual(["hub-uaenorth", "dev-uaenorth", "stg-uaenorth", "prd-uaenorth"]);
        expect(one.host.stdout).toContain("pipeline: drift: hub-uaenorth=0 dev-uaenorth=0 stg-uaenorth=3 prd-uaenorth=0 → exit 3");

        const two = await run(["drift", "--all"], { "stg-uaenorth": drifted, "hub-uaenorth": { refreshError: commandError("error: the stack is currently locked by 1 lock(s)") } });
        expect(two.code).toBe(EXIT.locked);
    });
});

describe("rotate", () => {
    const devFile = (repo: string) => path.join(repo, "Pulumi.dev-uaenorth.yaml");

    it("moves the keeper to today when due, keeping the rest of the stack file, and tells the workflow", async () => {
        const repo = makeRepo({ rotation: "2026-06-01" }); // dev: secretExpiryDays 90 → expires 2026-08-30, within 14 days
        const host = new FakeHost({ env: { GITHUB_OUTPUT: "/gh/output" } });
        const { code, ws } = await run(["rotate", "--stack", "dev-uaenorth", "--due-within", "14"], {}, host, repo);
        expect(code).toBe(EXIT.ok);
        expect(ws.calls).toEqual([]);
        expect(host.output).toBe(
            "pipeline: dev-uaenorth: rotation 2026-06-01 → 2026-08-25 in Pulumi.dev-uaenorth.yaml; generated secrets regenerate on the next deploy and expire 2026-11-23",
        );
        const before = fs.readFileSync(devFile(repo), "utf8");
        const after = host.written.get(devFile(repo))!;
        expect(YAML.parse(after).config["aiplatform:keyVault"]).toEqual({ softDeleteRetentionDays: 7, secretExpiryDays: 90, rotation: "2026-08-25" });
        // only the rotation line changed; comments and the secrets provider header stay
        const diff = after.split("\n").filter((l, i) => l !== before.split("\n")[i]);
        expect(diff.map((l) => l.trim())).toEqual(['rotation: "2026-08-25"']);
        expect(after.split("\n")[0]).toMatch(/^secretsprovider: azurekeyvault:\/\//);
        expect(host.appended.get("/gh/output")).toBe("rotated=true\nrotation=2026-08-25\n");
    });

    it("does nothing when the secrets expire later than --due-within", async () => {
        const repo = makeRepo({ rotation: "2026-08-01" }); // expires 2026-10-30
        const host = new FakeHost({ env: { GITHUB_OUTPUT: "/gh/output" } });
        const { code } = await run(["rotate", "--stack", "dev-uaenorth", "--due-within", "30"], {}, host, repo);
        expect(code).toBe(EXIT.ok);
        expect(host.written.size).toBe(0);
        expect(host.output).toBe("pipeline: dev-uaenorth: rotation not due (generated secrets expire 2026-10-30, more than 30 days away)");
        expect(host.appended.get("/gh/output")).toBe("rotated=false\nrotation=2026-08-01\n");
    });

    it("a never-rotated stack is always due; --date sets an explicit date", async () => {
        const repo = makeRepo();
        const host = new FakeHost();
        const { code } = await run(["rotate", "--stack", "dev-uaenorth", "--due-within", "30", "--date", "2026-09-01"], {}, host, repo);
        expect(code).toBe(EXIT.ok);
        expect(YAML.parse(host.written.get(devFile(repo))!).config["aiplatform:keyVault"].rotation).toBe("2026-09-01");
    });

    it.each([
        [["rotate", "--stack", "hub-uaenorth"], "pipeline: hub-uaenorth has no generated secrets to rotate (only spoke stacks have a Key Vault)"],
        [["rotate", "--stack", "dev-uaenorth", "--date", "2026-02-30"], "pipeline: --date '2026-02-30' is not a date (YYYY-MM-DD)"],
        [["rotate", "--stack", "dev-uaenorth", "--due-within", "soon"], "pipeline: --due-within 'soon' is not a whole number of days"],
        [["rotate", "--all"], "pipeline: rotate acts on exactly one --stack <spoke>"],
        [["rotate", "--stack", "dev-uaenorth", "--date", "2026-05-01"], "pipeline: --date 2026-05-01 is not after the current rotation 2026-06-01; a keeper must change to rotate"],
    ])("bad input %j exits 2", async (argv, line) => {
        const host = new FakeHost();
        const { code } = await run(argv as string[], {}, host, makeRepo({ rotation: "2026-06-01" }));
        expect(code).toBe(EXIT.badInput);
        expect(host.stderr[0]).toBe(line);
        expect(host.written.size).toBe(0);
    });
});
