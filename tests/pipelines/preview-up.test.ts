/**
 * `preview` and `up` against the fake workspace: what is called (refresh + preview with the policy pack, then the
 * update, the post-deploy refresh and the commit tags), in which order (hub before spokes), what is refused
 * (mandatory policy → 1, protected replace/delete → 4 unless allowed), and what is printed and written.
 */
import * as fs from "fs";
import * as path from "path";
import { rules as packRules } from "../../policies/pack";
import { main } from "../../automation/cli";
import { TAGS } from "../../automation/commands";
import { EXIT } from "../../automation/exit-codes";
import { COMMIT, commandError, diagnostic, FakeHost, FakeWorkspace, makeRepo, outputs, policy, pre, type Script, summary, urn } from "./fakes";

const root = makeRepo();
const summaryDir = path.join(root, ".pipeline");

async function run(argv: string[], scripts: Record<string, Script> = {}, host = new FakeHost()) {
    const ws = new FakeWorkspace(scripts);
    const code = await main(argv, { host, root, workspace: () => ws });
    return { code, host, ws };
}

const RG = "azure-native:resources:ResourceGroup";
const KV = "azure-native:keyvault:Vault";
const LAW = "azure-native:operationalinsights:Workspace";
const SECRET = "azure-native:keyvault:Secret";

/** dev: one create, one in-place update (tags), one secret whose value changes, and the engine's summary. */
const devPreview = (): Script => ({
    previewEvents: [
        pre("same", urn("dev-uaenorth", RG, "spoke-rg"), RG),
        pre("create", urn("dev-uaenorth", LAW, "spoke-law"), LAW),
        pre("update", urn("dev-uaenorth", KV, "spoke-kv"), KV, {
            detailedDiff: { "tags.owner": { diffKind: "update" as never, inputDiff: true } },
            oldOutputs: { tags: { owner: "old@contoso.com" } },
            newOutputs: { tags: { owner: "platform-team@contoso.com" } },
        }),
        pre("update", urn("dev-uaenorth", SECRET, "grafana-admin"), SECRET, {
            diffs: ["properties"],
            oldOutputs: { properties: { value: "s3cr3t-old-value" } },
            newOutputs: { properties: { value: "s3cr3t-new-value" } },
        }),
        policy("keyvault-purge-protection", "warning", "Key Vault 'spoke-kv' should enable purge protection", urn("dev-uaenorth", KV, "spoke-kv")),
        summary({ same: 1, create: 1, update: 2 }),
    ],
});

describe("preview", () => {
    it("refreshes and previews with the policy pack, streams progress, writes one Markdown summary per stack", async () => {
        const host = new FakeHost({ env: { ...new FakeHost().env, GITHUB_STEP_SUMMARY: "/gh/step-summary.md" } });
        const { code, ws } = await run(["preview", "--stack", "dev-uaenorth"], { "dev-uaenorth": devPreview() }, host);
        expect(code).toBe(EXIT.ok);
        expect(ws.methods()).toEqual(["whoAmI", "openStack", "preview"]);
        expect(ws.call("preview")!.args).toEqual({
            policyPacks: [path.join(root, "policies")],
            policyPackConfigs: [path.join(summaryDir, "dev-uaenorth.policy-pack-config.json")],
            refresh: true,
            message: `aiplatform pipeline preview dev-uaenorth commit ${COMMIT}`,
            hooks: true,
        });
        expect(ws.call("openStack")!.args).toMatchObject({ create: false, secretsProvider: undefined });
        expect(host.progressed).toEqual(["Previewing dev-uaenorth\n"]);
        const file = path.join(summaryDir, "dev-uaenorth.preview.md");
        expect(host.stdout).toContain(`pipeline: dev-uaenorth: preview: 1 to create, 2 to update, 0 to replace, 0 to delete → ${file}`);

        const md = host.written.get(file)!;
        expect(md.split("\n")[0]).toBe("<!-- aiplatform-pipeline:preview:dev-uaenorth -->");
        expect(md).toContain("### ✅ `dev-uaenorth` — preview");
        expect(md).toContain(`commit \`${COMMIT.slice(0, 12)}\``);
        expect(md).toContain("| 1 | 2 | 0 | 0 | 0 / 1 |");
        expect(md).toContain("| warning | `keyvault-purge-protection` | `spoke-kv` | Key Vault 'spoke-kv' should enable purge protection |");
        expect(md).toContain("| `~` update | azure-native:keyvault:Vault | `spoke-kv` | `tags.owner` |");
        expect(md).toContain("| `~` update | azure-native:keyvault:Secret | `grafana-admin` | `properties` |");
        expect(md).toContain("| `+` create | azure-native:operationalinsights:Workspace | `spoke-law` |  |");
        expect(md).not.toContain("spoke-rg"); // unchanged resources are not listed
        // property values never reach the summary: neither secrets nor plain values
        for (const value of ["s3cr3t-old-value", "s3cr3t-new-value", "old@contoso.com"]) expect(md + host.output).not.toContain(value);
        expect(host.appended.get("/gh/step-summary.md")).toBe(md + "\n");
    });

    it("a mandatory policy violation fails the preview with exit 1 and lists it", async () => {
        const scripts = {
            "prd-uaenorth": {
                previewEvents: [
                    pre("create", urn("prd-uaenorth", KV, "spoke-kv"), KV),
                    policy("keyvault-public-network-disabled", "mandatory", "set properties.publicNetworkAccess to 'Disabled'", urn("prd-uaenorth", KV, "spoke-kv")),
                    policy("required-tags", "warning", "add tag costCenter"),
                ],
                previewError: commandError("error: preview failed: 1 mandatory policy violation"),
            },
        };
        const { code, host, ws } = await run(["preview", "--stack", "prd-uaenorth"], scripts);
        expect(code).toBe(EXIT.policy);
        expect(ws.methods()).toEqual(["whoAmI", "openStack", "preview"]);
        expect(host.errors).toBe(`pipeline: prd-uaenorth: 1 mandatory policy violation → ${path.join(summaryDir, "prd-uaenorth.preview.md")}`);
        const md = host.written.get(path.join(summaryDir, "prd-uaenorth.preview.md"))!;
        expect(md).toContain("### ❌ `prd-uaenorth` — preview");
        expect(md).toContain("| mandatory | `keyvault-public-network-disabled` | `spoke-kv` | set properties.publicNetworkAccess to 'Disabled' |");
        expect(md).toContain("| warning | `required-tags` | stack | add tag costCenter |");
        expect(md).toContain("| 1 / 1 |");
    });

    it("runs the pack with the stack's config, as the plan does: pss-* rules at the cluster's aks.kubernetesVersion", async () => {
        const repo = makeRepo();
        const prdFile = path.join(repo, "Pulumi.prd-uaenorth.yaml");
        const text = fs.readFileSync(prdFile, "utf8");
        expect(text).toMatch(/^\s+kubernetesVersion: .*$/m);
        fs.writeFileSync(prdFile, text.replace(/^(\s+kubernetesVersion:) .*$/m, '$1 "1.33.2"'));
        fs.mkdirSync(path.join(repo, "policies/config"), { recursive: true });
        fs.writeFileSync(path.join(repo, "policies/config/prd-uaenorth.json"), JSON.stringify({ "pss-disallow-host-probes": { version: "latest" }, "pss-restrict-sysctls": "advisory", "k8s-probes": "advisory" }));
        const ws = new FakeWorkspace({});
        const host = new FakeHost();
        expect(await main(["preview", "--all"], { host, root: repo, workspace: () => ws })).toBe(EXIT.ok);

        const configOf = (stack: string) => {
            const file = path.join(repo, ".pipeline", `${stack}.policy-pack-config.json`);
            expect(ws.call("preview", stack)!.args).toMatchObject({ policyPacks: [path.join(repo, "policies")], policyPackConfigs: [file] });
            return JSON.parse(host.written.get(file)!) as Record<string, unknown>;
        };
        const versioned = packRules.filter((r) => r.configSchema?.properties?.version !== undefined).map((r) => r.name);
        expect(versioned).toContain("pss-restrict-volume-types");
        const prd = configOf("prd-uaenorth");
        for (const name of versioned.filter((n) => !["pss-disallow-host-probes", "pss-restrict-sysctls"].includes(n))) expect(prd[name]).toEqual({ version: "v1.33" });
        // the stack's own config file wins where it sets a version, and keeps its levels
        expect(prd["pss-disallow-host-probes"]).toEqual({ version: "latest" });
        expect(prd["pss-restrict-sysctls"]).toEqual({ enforcementLevel: "advisory", version: "v1.33" });
        expect(prd["k8s-probes"]).toBe("advisory");
        // the hub has no cluster: the pack's defaults
        expect(configOf("hub-uaenorth")).toEqual({});
    });

    it("reports (but does not refuse) a protected replacement", async () => {
        const scripts = {
            "prd-uaenorth": {
                previewEvents: [
                    pre("create-replacement", urn("prd-uaenorth", KV, "spoke-kv"), KV, { protect: true, keys: ["location"], detailedDiff: { location: { diffKind: "update-replace" as never, inputDiff: true } } }),
                    pre("replace", urn("prd-uaenorth", KV, "spoke-kv"), KV, { protect: true, keys: ["location"] }),
                    pre("delete-replaced", urn("prd-uaenorth", KV, "spoke-kv"), KV, { protect: true }),
                ],
            },
        };
        const { code, host } = await run(["preview", "--stack", "prd-uaenorth"], scripts);
        expect(code).toBe(EXIT.ok);
        expect(host.output).toContain("0 to create, 0 to update, 1 to replace, 0 to delete; WARNING refused: replaces or deletes 1 protected resource (replace azure-native:keyvault:Vault spoke-kv)");
        const md = host.written.get(path.join(summaryDir, "prd-uaenorth.preview.md"))!;
        expect(md).toContain("#### ⚠️ Protected resources replaced or deleted (1)");
        expect(md).toContain("| `+-` replace 🔒 | azure-native:keyvault:Vault | `spoke-kv` | `location (replace)` |");
    });

    it("--all previews hub first, then dev, stg, prd, and combines exit codes (an error beats a policy failure)", async () => {
        const scripts = {
            "dev-uaenorth": { previewEvents: [policy("p", "mandatory", "bad")], previewError: commandError("error: policy violations") },
            "stg-uaenorth": { previewEvents: [diagnostic("error: azure-native:network:VirtualNetwork spoke-vnet: 400 InvalidAddressPrefix")], previewError: commandError("error: preview failed") },
        };
        const { code, host, ws } = await run(["preview", "--all"], scripts);
        expect(ws.calls.filter((c) => c.method === "openStack").map((c) => c.stack)).toEqual(["hub-uaenorth", "dev-uaenorth", "stg-uaenorth", "prd-uaenorth"]);
        expect(code).toBe(EXIT.operationFailed);
        expect(host.stdout).toContain("pipeline: preview: hub-uaenorth=0 dev-uaenorth=1 stg-uaenorth=10 prd-uaenorth=0 → exit 10");
        const md = host.written.get(path.join(summaryDir, "stg-uaenorth.preview.md"))!;
        expect(md).toContain("- azure-native:network:VirtualNetwork spoke-vnet: 400 InvalidAddressPrefix");
    });
});

describe("up", () => {
    it("previews, updates, runs the post-deploy refresh and records the commit as stack tags", async () => {
        const { code, host, ws } = await run(["up", "--stack", "dev-uaenorth"], {
            "dev-uaenorth": { ...devPreview(), upEvents: [outputs("create", urn("dev-uaenorth", LAW, "spoke-law"), LAW), summary({ create: 1, same: 3 })] },
        });
        expect(code).toBe(EXIT.ok);
        // the verified tags of an earlier run are removed before updating, and name this update once it is checked
        expect(ws.methods("dev-uaenorth")).toEqual(["openStack", "preview", "removeTag", "removeTag", "removeTag", "up", "setTag", "previewRefresh", "setTag", "setTag", "setTag"]);
        expect(ws.call("up")!.args).toEqual({
            policyPacks: [path.join(root, "policies")],
            policyPackConfigs: [path.join(summaryDir, "dev-uaenorth.policy-pack-config.json")],
            refresh: true,
            message: `aiplatform pipeline up dev-uaenorth commit ${COMMIT}`,
            hooks: true,
        });
        expect(ws.call("previewRefresh")!.args).toEqual({ expectNoChanges: false, message: `aiplatform pipeline post-deploy check dev-uaenorth commit ${COMMIT}`, hooks: true });
        expect(ws.tags["dev-uaenorth"]).toEqual({
            [TAGS.deployedCommit]: COMMIT,
            [TAGS.verifiedCommit]: COMMIT,
            [TAGS.verifiedVersion]: "7",
            [TAGS.verifiedAt]: "2026-08-25T09:30:00.000Z",
        });
        const file = path.join(summaryDir, "dev-uaenorth.up.md");
        expect(host.stdout).toContain(
            `pipeline: dev-uaenorth: updated: 1 created, 0 updated, 0 replaced, 0 deleted; post-deploy checks passed (refresh finds no changes) → ${file}`,
        );
        expect(host.written.get(file)).toContain("<!-- aiplatform-pipeline:up:dev-uaenorth -->");
    });

    it("refuses to replace or delete a protected resource (exit 4) and never calls up", async () => {
        const scripts = {
            "prd-uaenorth": {
                previewEvents: [
                    pre("delete", urn("prd-uaenorth", "azure-native:storage:StorageAccount", "datalake"), "azure-native:storage:StorageAccount", { protect: true }),
                    pre("update", urn("prd-uaenorth", KV, "spoke-kv"), KV, { protect: true, diffs: ["tags"] }),
                ],
            },
        };
        const { code, host, ws } = await run(["up", "--stack", "prd-uaenorth"], scripts);
        expect(code).toBe(EXIT.protectedChange);
        expect(ws.methods("prd-uaenorth")).toEqual(["openStack", "preview"]);
        expect(host.errors).toBe(
            "pipeline: prd-uaenorth: not updated: refused: replaces or deletes 1 protected resource (delete azure-native:storage:StorageAccount datalake); rerun with --allow-protected-changes after review",
        );
        expect(ws.tags["prd-uaenorth"]).toEqual({});
    });

    it("--allow-protected-changes lets the same update through", async () => {
        const scripts = { "prd-uaenorth": { previewEvents: [pre("delete", urn("prd-uaenorth", KV, "old-kv"), KV, { protect: true })] } };
        const { code, ws } = await run(["up", "--stack", "prd-uaenorth", "--allow-protected-changes"], scripts);
        expect(code).toBe(EXIT.ok);
        expect(ws.methods("prd-uaenorth")).toContain("up");
    });

    it("a mandatory policy violation stops before the update (exit 1)", async () => {
        const scripts = { "stg-uaenorth": { previewEvents: [policy("aks-private-cluster", "mandatory", "set apiServerAccessProfile.enablePrivateCluster")], previewError: commandError("error: policy") } };
        const { code, ws } = await run(["up", "--stack", "stg-uaenorth"], scripts);
        expect(code).toBe(EXIT.policy);
        expect(ws.methods("stg-uaenorth")).toEqual(["openStack", "preview"]);
    });

    it("--all deploys hub before spokes and stops at the first failure", async () => {
        const scripts = { "dev-uaenorth": { upError: commandError("error: update failed\nerror: azure-native:containerservice:ManagedCluster aks: 409 OperationNotAllowed") } };
        const { code, host, ws } = await run(["up", "--all"], scripts);
        expect(code).toBe(EXIT.operationFailed);
        expect(ws.calls.filter((c) => c.method === "up").map((c) => c.stack)).toEqual(["hub-uaenorth", "dev-uaenorth"]);
        expect(ws.methods("stg-uaenorth")).toEqual([]);
        expect(ws.methods("prd-uaenorth")).toEqual([]);
        expect(host.errors).toContain(
            "pipeline: dev-uaenorth: update failed: the Pulumi operation failed: azure-native:containerservice:ManagedCluster aks: 409 OperationNotAllowed",
        );
        expect(host.errors).toContain("pipeline: skipped stg-uaenorth, prd-uaenorth because dev-uaenorth did not deploy cleanly");
        expect(ws.tags["hub-uaenorth"][TAGS.verifiedCommit]).toBe(COMMIT);
        expect(ws.tags["dev-uaenorth"]).toEqual({});
    });

    it("post-deploy checks that find changes right after the update: exit 11, deployed but not verified", async () => {
        const scripts = {
            "dev-uaenorth": {
                refreshEvents: [
                    outputs("refresh", urn("dev-uaenorth", KV, "spoke-kv"), KV, { oldOutputs: { tags: { a: "1" }, sku: "standard" }, newOutputs: { tags: { a: "2" }, sku: "standard" } }),
                ],
            },
        };
        const { code, host, ws } = await run(["up", "--stack", "dev-uaenorth"], scripts);
        expect(code).toBe(EXIT.postDeployChecks);
        expect(ws.tags["dev-uaenorth"]).toEqual({ [TAGS.deployedCommit]: COMMIT });
        expect(host.errors).toBe(
            "pipeline: dev-uaenorth: updated, but the stack differs from Azure right after the update: spoke-kv (tags); not marked verified, so it cannot be promoted",
        );
    });

    it("an update that ends 'failed' is exit 10 and records nothing", async () => {
        const { code, host, ws } = await run(["up", "--stack", "dev-uaenorth"], { "dev-uaenorth": { upResult: "failed" } });
        expect(code).toBe(EXIT.operationFailed);
        expect(host.errors).toBe("pipeline: dev-uaenorth: update failed: the update ended 'failed'");
        expect(ws.tags["dev-uaenorth"]).toEqual({});
        expect(ws.methods("dev-uaenorth")).not.toContain("previewRefresh");
    });

    it("Azure rejecting the token mid-preview is exit 7, not a generic failure", async () => {
        const scripts = { "dev-uaenorth": { previewError: commandError("error: building auth config: obtaining Azure CLI token: AADSTS700213: No matching federated identity record found for presented assertion subject") } };
        const { code, host } = await run(["up", "--stack", "dev-uaenorth"], scripts);
        expect(code).toBe(EXIT.noAzureCredentials);
        expect(host.errors).toContain("Azure rejected or lacked credentials: building auth config: obtaining Azure CLI token: AADSTS700213");
    });
});
