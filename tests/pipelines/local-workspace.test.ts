/**
 * The real adapter over `@pulumi/pulumi/automation`, driven through a recording stand-in for LocalWorkspace/Stack:
 * it must select stacks in the right project folder, pass the policy pack, refresh and event hooks to the Automation
 * API under their real option names, use `previewRefresh` for drift, and map history and tags. Also the error
 * classifier on the stderr texts the Pulumi CLI really prints.
 */
import * as path from "path";
import type * as automation from "@pulumi/pulumi/automation";
import { classifyError } from "../../automation/errors";
import { EXIT } from "../../automation/exit-codes";
import { type AutomationModule, localWorkspace } from "../../automation/local-workspace";
import { listStacks } from "../../config/stack-files";
import { makeRepo } from "./fakes";

interface Recorded {
    fn: string;
    args: unknown[];
}

function fakeAutomation(log: Recorded[]): AutomationModule {
    const stack = {
        name: "dev-uaenorth",
        preview: async (o: automation.PreviewOptions) => (log.push({ fn: "stack.preview", args: [o] }), { stdout: "", stderr: "", changeSummary: { create: 2 } }),
        up: async (o: automation.UpOptions) => (
            log.push({ fn: "stack.up", args: [o] }),
            { stdout: "", stderr: "", outputs: {}, summary: { result: "succeeded", version: 9, resourceChanges: { update: 1 } } }
        ),
        previewRefresh: async (o: automation.RefreshOptions) => (log.push({ fn: "stack.previewRefresh", args: [o] }), { stdout: "", stderr: "", changeSummary: { same: 4 } }),
        history: async (...a: unknown[]) => (
            log.push({ fn: "stack.history", args: a }),
            [{ kind: "update", result: "succeeded", version: 9, message: "m", startTime: "2026-08-20T10:00:00Z", environment: { "git.head": "abc" }, config: {}, endTime: new Date() }]
        ),
        listTags: async () => (log.push({ fn: "stack.listTags", args: [] }), { "aiplatform:verified-commit": "abc", "pulumi:project": "aiplatform" }),
        setTag: async (...a: unknown[]) => void log.push({ fn: "stack.setTag", args: a }),
        removeTag: async (...a: unknown[]) => void log.push({ fn: "stack.removeTag", args: a }),
    };
    const LocalWorkspace = {
        create: async (o: unknown) => (log.push({ fn: "LocalWorkspace.create", args: [o] }), { whoAmI: async () => ({ user: "ci", url: "azblob://state" }) }),
        selectStack: async (...a: unknown[]) => (log.push({ fn: "LocalWorkspace.selectStack", args: a }), stack),
        createOrSelectStack: async (...a: unknown[]) => (log.push({ fn: "LocalWorkspace.createOrSelectStack", args: a }), stack),
    };
    return { LocalWorkspace } as unknown as AutomationModule;
}

describe("localWorkspace (the LocalWorkspace adapter)", () => {
    const root = makeRepo();
    const targets = listStacks(root);
    const hub = targets.find((t) => t.stack === "hub-uaenorth")!;
    const dev = targets.find((t) => t.stack === "dev-uaenorth")!;
    const hooks = { onOutput: () => undefined, onEvent: () => undefined };
    const ENV = { PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_SKIP_CONFIRMATIONS: "true" };

    it("selects hub-uaenorth in hub/ and creates spokes with the Key Vault provider only when asked", async () => {
        const log: Recorded[] = [];
        const ws = localWorkspace(root, fakeAutomation(log));
        expect(await ws.whoAmI()).toEqual({ user: "ci", url: "azblob://state" });
        await ws.openStack(hub, { create: false });
        await ws.openStack(dev, { create: true, secretsProvider: "azurekeyvault://kv.vault.azure.net/keys/pulumi-dev" });
        expect(log).toEqual([
            { fn: "LocalWorkspace.create", args: [{ workDir: root, envVars: ENV }] },
            { fn: "LocalWorkspace.selectStack", args: [{ stackName: "hub-uaenorth", workDir: path.join(root, "hub") }, { envVars: ENV }] },
            {
                fn: "LocalWorkspace.createOrSelectStack",
                args: [{ stackName: "dev-uaenorth", workDir: root }, { envVars: ENV, secretsProvider: "azurekeyvault://kv.vault.azure.net/keys/pulumi-dev" }],
            },
        ]);
    });

    it("maps preview, up, previewRefresh, history and tags onto the Automation API's option names", async () => {
        const log: Recorded[] = [];
        const stack = await localWorkspace(root, fakeAutomation(log)).openStack(dev, { create: false });
        log.length = 0;
        const packs = { policyPacks: [path.join(root, "policies")], policyPackConfigs: [path.join(root, ".pipeline/dev-uaenorth.policy-pack-config.json")] };
        expect(await stack.preview({ ...packs, refresh: true, message: "p", ...hooks })).toEqual({ changeSummary: { create: 2 } });
        expect(await stack.up({ ...packs, refresh: true, message: "u", ...hooks })).toEqual({ result: "succeeded", version: 9, resourceChanges: { update: 1 } });
        expect(await stack.previewRefresh({ expectNoChanges: true, message: "d", ...hooks })).toEqual({ changeSummary: { same: 4 } });
        const [h] = await stack.history(10);
        expect(h).toEqual({ kind: "update", result: "succeeded", version: 9, message: "m", startTime: new Date("2026-08-20T10:00:00Z"), environment: { "git.head": "abc" } });
        expect((await stack.tags())["aiplatform:verified-commit"]).toBe("abc");
        await stack.setTag("aiplatform:deployed-commit", "abc");
        await stack.removeTag("aiplatform:verified-commit");
        await stack.removeTag("aiplatform:verified-version"); // absent: not removed (the CLI would fail on it)

        expect(log.map((l) => l.fn)).toEqual([
            "stack.preview",
            "stack.up",
            "stack.previewRefresh",
            "stack.history",
            "stack.listTags",
            "stack.setTag",
            "stack.listTags",
            "stack.removeTag",
            "stack.listTags",
        ]);
        expect(log[7].args).toEqual(["aiplatform:verified-commit"]);
        expect(log[0].args[0]).toEqual({ ...packs, refresh: true, message: "p", diff: false, ...hooks });
        expect(log[1].args[0]).toEqual({ ...packs, refresh: true, message: "u", diff: false, ...hooks });
        expect(log[2].args[0]).toEqual({ expectNoChanges: true, message: "d", ...hooks });
        expect(log[3].args).toEqual([10, 1, false]); // never showSecrets
        expect(log[5].args).toEqual(["aiplatform:deployed-commit", "abc"]);
    });
});

describe("cancellation reaches the Automation API", () => {
    it("passes the run's AbortSignal to preview, up and previewRefresh (it sends the Pulumi CLI one SIGINT)", async () => {
        const log: Recorded[] = [];
        const stack = await localWorkspace(makeRepo(), fakeAutomation(log)).openStack(listStacks(makeRepo()).find((t) => t.stack === "dev-uaenorth")!, { create: false });
        const signal = new AbortController().signal;
        const hooks = { onOutput: () => undefined, onEvent: () => undefined, signal };
        await stack.preview({ policyPacks: [], policyPackConfigs: [], refresh: true, message: "p", ...hooks });
        await stack.up({ policyPacks: [], policyPackConfigs: [], refresh: true, message: "u", ...hooks });
        await stack.previewRefresh({ expectNoChanges: true, message: "d", ...hooks });
        const ops = log.filter((l) => l.fn.startsWith("stack."));
        expect(ops.map((l) => (l.args[0] as { signal?: AbortSignal }).signal === signal)).toEqual([true, true, true]);
    });
});

describe("classifyError on real Pulumi CLI messages", () => {
    const err = (stderr: string, name = "CommandError") => Object.assign(new Error(`code: 255\n stdout: \n stderr: ${stderr}\n`), { name });
    it.each([
        ["spawn pulumi ENOENT", EXIT.noPulumiCli],
        ["error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions", EXIT.noBackend],
        ["error: problem logging in: unable to open bucket azblob://state: DefaultAzureCredential: failed", EXIT.noBackend],
        ["error: constructing secrets manager of type \"passphrase\": passphrase must be set with PULUMI_CONFIG_PASSPHRASE", EXIT.noBackend],
        ["error: no stack named 'organization/aiplatform/dev-uaenorth' found", EXIT.badInput],
        ["error: the stack is currently locked by 1 lock(s).", EXIT.locked],
        ["error: [409] Conflict: Another update is currently in progress.", EXIT.locked],
        ["error: building auth config: AADSTS70021: No matching federated identity record found", EXIT.noAzureCredentials],
        ["error: update failed\nerror: azure-native:network:Subnet snet: 400 InUseSubnetCannotBeDeleted", EXIT.operationFailed],
    ])("%s", (stderr, code) => {
        expect(classifyError(err(stderr)).code).toBe(code);
    });

    it("names the first real error line, not the wrapper", () => {
        const e = classifyError(err("Updating (dev)\nerror: update failed\nerror: azure-native:network:Subnet snet: 400 InUseSubnetCannotBeDeleted"));
        expect(e.message).toBe("the Pulumi operation failed: azure-native:network:Subnet snet: 400 InUseSubnetCannotBeDeleted");
    });
});
