/**
 * The real PipelineWorkspace: `@pulumi/pulumi/automation`'s LocalWorkspace over the repository's project folders
 * (hub/ for hub-uaenorth, the root for spokes), against whatever backend the environment is logged in to
 * (PULUMI_BACKEND_URL=azblob://…). The module is loaded lazily so `--help` and the tests never pay for it, and it can
 * be replaced by a recording stand-in to test this adapter's option mapping.
 */
import type * as automation from "@pulumi/pulumi/automation";
import type { StackFile } from "../config/stack-files";
import type { HistoryEntry, OpenStackOptions, PipelineWorkspace, StackHandle } from "./workspace";

export type AutomationModule = Pick<typeof automation, "LocalWorkspace">;

function loadAutomation(): AutomationModule {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@pulumi/pulumi/automation") as AutomationModule;
}

/** Environment for every Pulumi command: no update checks, no interactive prompts. */
const PULUMI_ENV = { PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_SKIP_CONFIRMATIONS: "true" };

export function wrapStack(stack: automation.Stack): StackHandle {
    return {
        name: stack.name,
        async preview(req) {
            const r = await stack.preview({
                policyPacks: req.policyPacks,
                policyPackConfigs: req.policyPackConfigs,
                refresh: req.refresh,
                message: req.message,
                diff: false,
                onOutput: req.onOutput,
                onEvent: req.onEvent,
                signal: req.signal,
            });
            return { changeSummary: r.changeSummary ?? {} };
        },
        async up(req) {
            const r = await stack.up({
                policyPacks: req.policyPacks,
                policyPackConfigs: req.policyPackConfigs,
                refresh: req.refresh,
                message: req.message,
                diff: false,
                onOutput: req.onOutput,
                onEvent: req.onEvent,
                signal: req.signal,
            });
            return { result: r.summary.result, version: r.summary.version, resourceChanges: r.summary.resourceChanges ?? {} };
        },
        async previewRefresh(req) {
            const r = await stack.previewRefresh({
                expectNoChanges: req.expectNoChanges,
                message: req.message,
                onOutput: req.onOutput,
                onEvent: req.onEvent,
                signal: req.signal,
            });
            return { changeSummary: r.changeSummary ?? {} };
        },
        async history(pageSize) {
            const entries = await stack.history(pageSize, 1, false);
            return entries.map(
                (u): HistoryEntry => ({
                    kind: u.kind,
                    result: u.result,
                    version: u.version,
                    message: u.message ?? "",
                    startTime: new Date(u.startTime),
                    environment: u.environment ?? {},
                }),
            );
        },
        async tags() {
            return { ...(await stack.listTags()) };
        },
        async setTag(key, value) {
            await stack.setTag(key, value);
        },
        async removeTag(key) {
            if (key in (await stack.listTags())) await stack.removeTag(key);
        },
    };
}

export function localWorkspace(root: string, mod: AutomationModule = loadAutomation()): PipelineWorkspace {
    return {
        async whoAmI() {
            const ws = await mod.LocalWorkspace.create({ workDir: root, envVars: PULUMI_ENV });
            const who = await ws.whoAmI();
            return { user: who.user, url: who.url };
        },
        async openStack(target: StackFile, opts: OpenStackOptions) {
            const args = { stackName: target.stack, workDir: target.projectDir };
            const wsOpts: automation.LocalWorkspaceOptions = { envVars: PULUMI_ENV };
            if (opts.secretsProvider) wsOpts.secretsProvider = opts.secretsProvider;
            const stack = opts.create
                ? await mod.LocalWorkspace.createOrSelectStack(args, wsOpts)
                : await mod.LocalWorkspace.selectStack(args, wsOpts);
            return wrapStack(stack);
        },
    };
}
