/**
 * The pipeline commands: preview, up, promote, drift (against Pulumi, through a PipelineWorkspace) and rotate (a
 * stack-file edit). Each returns an exit code from exit-codes.ts and prints one line per stack plus a Markdown
 * summary file; problems are PipelineErrors, printed as one line by cli.ts.
 */
import * as path from "path";
import type { Cancellation } from "./cancel";
import { EventCollector, type ResourceChange } from "./events";
import { classifyError, PipelineError } from "./errors";
import { EXIT, type ExitCode } from "./exit-codes";
import { checkAzureCredentials } from "./credentials";
import type { Host } from "./host";
import { fluxCommitOf, requireKeyVaultSecrets, type Target } from "./stacks";
import { FLUX_LAYERS } from "../components/flux-bootstrap/layers";
import { publishSummary, renderChangeSummary, renderDriftSummary } from "./summary";
import { stackPolicyConfig } from "../tools/policy/stack-config";
import type { Cancellable, EngineHooks, PipelineWorkspace, StackHandle } from "./workspace";

/**
 * Stack tags the pipeline writes; the promotion gate reads them. Names fit Pulumi's 40-character tag limit. The
 * verified tags name one update (its version and commit): `up` removes them before updating, so a failed or unclean
 * re-run of the same commit leaves the stack unverified instead of still carrying the earlier run's verdict.
 */
export const TAGS = {
    deployedCommit: "aiplatform:deployed-commit",
    verifiedCommit: "aiplatform:verified-commit",
    verifiedVersion: "aiplatform:verified-version",
    verifiedAt: "aiplatform:verified-at",
} as const;
const VERIFIED_TAGS = [TAGS.verifiedCommit, TAGS.verifiedVersion, TAGS.verifiedAt];

export interface Context {
    host: Host;
    workspace: PipelineWorkspace;
    root: string;
    /** Absolute path of the repository's policy pack, which every preview and update runs with the stack's config. */
    policyPack: string;
    /** Where <stack>.<command>.md (and drift JSON) are written. */
    summaryDir: string;
    /** The commit this run deploys (full SHA), when known. */
    commit?: string;
    create: boolean;
    secretsProvider?: string;
    allowProtectedChanges: boolean;
    /** Print the stack trace of per-stack errors. */
    verbose?: boolean;
    /** Set on SIGINT/SIGTERM (cancel.ts): its signal goes to every Pulumi operation; no further stack is started. */
    cancellation?: Cancellation;
}

/** An operation that failed because this run was cancelled reports that, not the CLI's "update canceled" error. */
function cancelledOr(ctx: Context, e: unknown): PipelineError {
    if (ctx.cancellation?.requested) {
        return new PipelineError(EXIT.cancelled, "cancelled: Pulumi was asked to stop after the operations in flight and release the lock (runbook: docs/runbooks/cancelled-deployment.md)", e);
    }
    return classifyError(e);
}

/** One stack's result. */
export interface StackResult {
    stack: string;
    code: ExitCode;
}

// ---------------------------------------------------------------------------------------------------------------
// shared steps

/** Logged in to the backend, and Azure credentials present: checked once before any stack is touched. */
export async function preflight(ctx: Context): Promise<void> {
    try {
        const who = await ctx.workspace.whoAmI();
        ctx.host.out(`pipeline: backend ${who.url ?? "(default)"} as ${who.user}`);
    } catch (e) {
        const c = classifyError(e);
        if (c.code === EXIT.noPulumiCli || c.code === EXIT.noAzureCredentials) throw c;
        throw new PipelineError(EXIT.noBackend, c.code === EXIT.noBackend ? c.message : `not logged in to the state backend: ${c.message}`, e);
    }
    const cred = await checkAzureCredentials(ctx.host);
    ctx.host.out(`pipeline: Azure credentials from ${cred.source}`);
    if (cred.note) ctx.host.err(`pipeline: warning: ${cred.note}`);
}

/** Select the stack (or create it with --create; never for a stack only read, like a promotion's source). */
async function open(ctx: Context, t: Target, mayCreate = true): Promise<StackHandle> {
    const create = ctx.create && mayCreate;
    const secretsProvider = requireKeyVaultSecrets(t, ctx.root, create ? ctx.secretsProvider : undefined);
    try {
        return await ctx.workspace.openStack(t, { create, secretsProvider: create ? secretsProvider : undefined });
    } catch (e) {
        const c = classifyError(e);
        if (c.code === EXIT.badInput) throw new PipelineError(EXIT.badInput, `stack '${t.stack}' does not exist in the backend; create it once with --create (README: state backend)`, e);
        throw c;
    }
}

/** Pulumi's progress to the host, its engine events to `collector`, and this run's cancellation signal. */
function engine(ctx: Context, collector: EventCollector): EngineHooks & Cancellable {
    return { onOutput: ctx.host.progress, onEvent: collector.onEvent, signal: ctx.cancellation?.signal };
}

function summaryFile(ctx: Context, stack: string, kind: string, ext = "md"): string {
    return path.join(ctx.summaryDir, `${stack}.${kind}.${ext}`);
}

function publish(ctx: Context, file: string, markdown: string): void {
    publishSummary(ctx.host, file, markdown);
}

function message(ctx: Context, what: string, stack: string): string {
    return `aiplatform pipeline ${what} ${stack}${ctx.commit ? ` commit ${ctx.commit}` : ""}`;
}

function countsLine(c: Record<string, number>): string {
    return `${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.delete} to delete`;
}

/**
 * The pack and its config for one stack, as the plan runs it (tools/policy/stack-config.ts): without a config the
 * CLI would judge the pss-* rules at `latest` rather than at the cluster's `aks.kubernetesVersion`. Written next to
 * the summaries, so the run's config is kept with its results.
 */
function policyPack(ctx: Context, t: Target): { policyPacks: string[]; policyPackConfigs: string[] } {
    const file = summaryFile(ctx, t.stack, "policy-pack-config", "json");
    ctx.host.writeFile(file, JSON.stringify(stackPolicyConfig(t.stack, ctx.root).config, null, 2) + "\n");
    return { policyPacks: [ctx.policyPack], policyPackConfigs: [file] };
}

interface Checked {
    collector: EventCollector;
    code: ExitCode;
    outcome: string;
    error?: PipelineError;
}

/** Refresh + preview with the policy pack, and the decisions on it: policy (1), protected changes (4). */
async function checkedPreview(ctx: Context, stack: StackHandle, t: Target, gateProtected: boolean): Promise<Checked> {
    const collector = new EventCollector("changes");
    try {
        await stack.preview({
            ...policyPack(ctx, t),
            refresh: true,
            message: message(ctx, "preview", t.stack),
            ...engine(ctx, collector),
        });
    } catch (e) {
        if (!collector.mandatoryViolations().length) {
            const error = cancelledOr(ctx, e);
            return { collector, code: error.code, outcome: `preview failed: ${error.message}`, error };
        }
    }
    const mandatory = collector.mandatoryViolations();
    if (mandatory.length) {
        return { collector, code: EXIT.policy, outcome: `${mandatory.length} mandatory policy violation${mandatory.length > 1 ? "s" : ""}` };
    }
    const prot = collector.protectedChanges();
    if (gateProtected && prot.length && !ctx.allowProtectedChanges) {
        return {
            collector,
            code: EXIT.protectedChange,
            outcome: `refused: replaces or deletes ${prot.length} protected resource${prot.length > 1 ? "s" : ""} (${prot.map(describe).join(", ")}); rerun with --allow-protected-changes after review`,
        };
    }
    return { collector, code: EXIT.ok, outcome: `preview: ${countsLine(collector.counts())}` };
}

function describe(c: ResourceChange): string {
    return `${c.op} ${c.type} ${c.name}`;
}

function report(ctx: Context, t: Target, code: ExitCode, line: string, error?: PipelineError): void {
    if (code === EXIT.ok) ctx.host.out(`pipeline: ${t.stack}: ${line}`);
    else ctx.host.err(`pipeline: ${t.stack}: ${line}`);
    if (ctx.verbose && error) ctx.host.err(String((error.cause instanceof Error ? error.cause : error).stack));
}

/** Writes the Markdown change summary of one command on one stack (PR comment / job summary). */
function publishChangeSummary(
    ctx: Context,
    file: string,
    what: { command: "preview" | "up" | "promote"; stack: string; promotedFrom?: string },
    collector: EventCollector,
    code: ExitCode,
    outcome: string,
): void {
    publish(
        ctx,
        file,
        renderChangeSummary({
            ...what,
            commit: ctx.commit,
            counts: collector.counts(),
            changes: collector.changes(),
            protectedChanges: collector.protectedChanges(),
            policy: collector.policy,
            outcome,
            ok: code === EXIT.ok,
            errors: collector.errors,
        }),
    );
}

// ---------------------------------------------------------------------------------------------------------------
// preview

export async function previewStack(ctx: Context, t: Target): Promise<StackResult> {
    let checked: Checked;
    try {
        const stack = await open(ctx, t);
        checked = await checkedPreview(ctx, stack, t, true);
    } catch (e) {
        const error = classifyError(e);
        report(ctx, t, error.code, error.message, error);
        return { stack: t.stack, code: error.code };
    }
    const { collector, code, outcome } = checked;
    const file = summaryFile(ctx, t.stack, "preview");
    publishChangeSummary(ctx, file, { command: "preview", stack: t.stack }, collector, code, outcome);
    // A protected change is only a refusal for `up`; a preview reports it and still succeeds.
    const effective = code === EXIT.protectedChange ? EXIT.ok : code;
    report(ctx, t, effective, `${code === EXIT.protectedChange ? `preview: ${countsLine(collector.counts())}; WARNING ${outcome}` : outcome} → ${file}`, checked.error);
    return { stack: t.stack, code: effective };
}

// ---------------------------------------------------------------------------------------------------------------
// up (and the update half of promote)

/** Post-deploy checks: a preview-only refresh right after the update must find the stack exactly as deployed. */
async function postDeployChecks(ctx: Context, stack: StackHandle, t: Target): Promise<{ ok: boolean; detail: string }> {
    const collector = new EventCollector("drift");
    try {
        await stack.previewRefresh({
            expectNoChanges: false,
            message: message(ctx, "post-deploy check", t.stack),
            ...engine(ctx, collector),
        });
    } catch (e) {
        return { ok: false, detail: `post-deploy refresh failed: ${classifyError(e).message}` };
    }
    const drifted = collector.driftedResources();
    if (drifted.length || collector.summaryDriftCount()) {
        const names = drifted.map((d) => `${d.name} (${d.properties.join(", ")})`).join("; ");
        return { ok: false, detail: `the stack differs from Azure right after the update: ${names || `${collector.summaryDriftCount()} change(s)`}` };
    }
    return { ok: true, detail: "post-deploy checks passed (refresh finds no changes)" };
}

export async function upStack(ctx: Context, t: Target, promotedFrom?: string): Promise<StackResult> {
    const command = promotedFrom ? "promote" : "up";
    const file = summaryFile(ctx, t.stack, command);
    let stack: StackHandle;
    let checked: Checked;
    try {
        stack = await open(ctx, t);
        checked = await checkedPreview(ctx, stack, t, true);
    } catch (e) {
        const error = classifyError(e);
        report(ctx, t, error.code, error.message, error);
        return { stack: t.stack, code: error.code };
    }
    const summarise = (collector: EventCollector, code: ExitCode, outcome: string) =>
        publishChangeSummary(ctx, file, { command, stack: t.stack, promotedFrom }, collector, code, outcome);
    if (checked.code !== EXIT.ok) {
        summarise(checked.collector, checked.code, checked.outcome);
        report(ctx, t, checked.code, `not updated: ${checked.outcome}`, checked.error);
        return { stack: t.stack, code: checked.code };
    }

    const applied = new EventCollector("changes");
    let version: number;
    try {
        for (const tag of VERIFIED_TAGS) await stack.removeTag(tag);
        const r = await stack.up({
            ...policyPack(ctx, t),
            refresh: true,
            message: message(ctx, command === "promote" ? `promote from ${promotedFrom} to` : "up", t.stack),
            ...engine(ctx, applied),
        });
        if (r.result !== "succeeded") throw new PipelineError(EXIT.operationFailed, `the update ended '${r.result}'`);
        version = r.version;
        if (ctx.commit) await stack.setTag(TAGS.deployedCommit, ctx.commit);
    } catch (e) {
        const error = applied.mandatoryViolations().length
            ? new PipelineError(EXIT.policy, `${applied.mandatoryViolations().length} mandatory policy violation(s) during the update`)
            : cancelledOr(ctx, e);
        summarise(applied, error.code, `update failed: ${error.message}`);
        report(ctx, t, error.code, `update failed: ${error.message}`, error);
        return { stack: t.stack, code: error.code };
    }

    const checks = await postDeployChecks(ctx, stack, t);
    if (!checks.ok && ctx.cancellation?.requested) {
        const error = cancelledOr(ctx, undefined);
        summarise(applied, error.code, `updated, but the post-deploy checks were ${error.message}`);
        report(ctx, t, error.code, `updated, but the post-deploy checks were ${error.message}; not marked verified`);
        return { stack: t.stack, code: error.code };
    }
    if (!checks.ok) {
        summarise(applied, EXIT.postDeployChecks, `updated, but ${checks.detail}`);
        report(ctx, t, EXIT.postDeployChecks, `updated, but ${checks.detail}; not marked verified, so it cannot be promoted`);
        return { stack: t.stack, code: EXIT.postDeployChecks };
    }
    if (ctx.commit) {
        await stack.setTag(TAGS.verifiedCommit, ctx.commit);
        await stack.setTag(TAGS.verifiedVersion, String(version));
        await stack.setTag(TAGS.verifiedAt, ctx.host.now().toISOString());
    }
    const c = applied.counts();
    const outcome = `updated: ${c.create} created, ${c.update} updated, ${c.replace} replaced, ${c.delete} deleted; ${checks.detail}`;
    summarise(applied, EXIT.ok, outcome);
    report(ctx, t, EXIT.ok, `${outcome} → ${file}`);
    return { stack: t.stack, code: EXIT.ok };
}

// ---------------------------------------------------------------------------------------------------------------
// promote

/**
 * The promotion gate: the source's latest update succeeded, ran this commit, and passed its post-deploy checks —
 * that very update (the verified tags name its version), not an earlier run of the same commit.
 */
export async function promotionGate(ctx: Context, source: Target): Promise<void> {
    const commit = ctx.commit!;
    const stack = await open(ctx, source, false);
    const history = await stack.history(10);
    const last = history.find((h) => h.kind === "update");
    const refuse = (why: string) => {
        throw new PipelineError(EXIT.promotionRefused, `promotion refused: ${source.stack} ${why}`);
    };
    if (!last) return refuse("has never been updated");
    if (last.result !== "succeeded") return refuse(`last update (version ${last.version}) ${last.result === "failed" ? "failed" : `is ${last.result}`}; fix and redeploy it first`);
    const ran = last.environment["git.head"] ?? /commit ([0-9a-f]{7,40})\b/.exec(last.message)?.[1];
    if (!ran) return refuse(`last update (version ${last.version}) recorded no Git commit`);
    if (ran !== commit) return refuse(`last ran commit ${ran.slice(0, 12)}, this pipeline is at ${commit.slice(0, 12)}; deploy this commit to ${source.stack} first`);
    const tags = await stack.tags();
    if (tags[TAGS.verifiedCommit] !== commit) {
        return refuse(`post-deploy checks have not passed for ${commit.slice(0, 12)} (${TAGS.verifiedCommit} = ${tags[TAGS.verifiedCommit] ? tags[TAGS.verifiedCommit].slice(0, 12) : "unset"})`);
    }
    if (tags[TAGS.verifiedVersion] !== String(last.version)) {
        return refuse(`the verified update is version ${tags[TAGS.verifiedVersion] ?? "(none)"}, but the last update is version ${last.version}; redeploy ${commit.slice(0, 12)} to ${source.stack} first`);
    }
    ctx.host.out(`pipeline: ${source.stack}: gate passed — version ${last.version} ran ${commit.slice(0, 12)} and passed its post-deploy checks (${tags[TAGS.verifiedAt] ?? "time unknown"})`);
}

/** Top-level folders the clusters' Flux layers read (gitops-bootstrap/, workloads/). */
export const FLUX_TREE = [...new Set(FLUX_LAYERS.map((l) => l.includes("stack").split("/")[0]))];

/**
 * A target whose Flux follows one exact revision (prd's `aiplatform:flux.commit`) must get, in its cluster, what the
 * source verified: the released commit is that revision, or differs from it only outside the tree Flux reads (the
 * promotion PR itself moves nothing but the stack file). Otherwise the cluster would run a tree no stage verified.
 */
export async function fluxRevisionGate(ctx: Context, target: Target): Promise<void> {
    const pinned = fluxCommitOf(target, ctx.root);
    const commit = ctx.commit!;
    if (!pinned || pinned === commit) return;
    const refuse = (why: string) => {
        throw new PipelineError(EXIT.promotionRefused, `promotion refused: ${target.file}: aiplatform:flux.commit = ${pinned.slice(0, 12)}, but the release is ${commit.slice(0, 12)}: ${why}`);
    };
    const changed = await ctx.host.gitChangedFiles(pinned, commit, FLUX_TREE);
    if (changed === undefined) return refuse(`Git cannot compare the two (is ${pinned.slice(0, 12)} in this checkout? the release job fetches full history)`);
    if (changed.length) {
        return refuse(
            `they differ in what Flux applies (${changed.slice(0, 3).join(", ")}${changed.length > 3 ? `, +${changed.length - 3} more` : ""}); release the commit flux.commit names, or move flux.commit to the release's tree first`,
        );
    }
    ctx.host.out(`pipeline: ${target.stack}: Flux revision ${pinned.slice(0, 12)} has the same ${FLUX_TREE.join("/, ")}/ as release ${commit.slice(0, 12)}`);
}

export async function promote(ctx: Context, source: Target, target: Target): Promise<StackResult> {
    try {
        await fluxRevisionGate(ctx, target);
        await promotionGate(ctx, source);
    } catch (e) {
        const error = classifyError(e);
        report(ctx, target, error.code, error.message, error);
        return { stack: target.stack, code: error.code };
    }
    return upStack(ctx, target, source.stack);
}

// ---------------------------------------------------------------------------------------------------------------
// drift

export async function driftStack(ctx: Context, t: Target): Promise<StackResult> {
    const collector = new EventCollector("drift");
    let failure: PipelineError | undefined;
    try {
        const stack = await open(ctx, t);
        await stack.previewRefresh({
            expectNoChanges: true,
            message: message(ctx, "drift check", t.stack),
            ...engine(ctx, collector),
        });
    } catch (e) {
        failure = cancelledOr(ctx, e);
    }
    const drifted = collector.driftedResources();
    const drift = drifted.length > 0 || collector.summaryDriftCount() > 0;
    // With expectNoChanges the CLI fails when it finds drift; that failure *is* the drift, not an error.
    if (failure && !drift) {
        report(ctx, t, failure.code, failure.message, failure);
        return { stack: t.stack, code: failure.code };
    }
    const list = drift && !drifted.length ? [{ urn: "", type: "(unknown)", name: "(details not reported)", properties: [`${collector.summaryDriftCount()} change(s)`] }] : drifted;
    const file = summaryFile(ctx, t.stack, "drift");
    publish(ctx, file, renderDriftSummary({ stack: t.stack, commit: ctx.commit, drifted: list, checkedAt: ctx.host.now() }));
    ctx.host.writeFile(
        summaryFile(ctx, t.stack, "drift", "json"),
        JSON.stringify({ stack: t.stack, drift, commit: ctx.commit ?? null, checkedAt: ctx.host.now().toISOString(), resources: list }, null, 2) + "\n",
    );
    if (!drift) {
        report(ctx, t, EXIT.ok, `no drift → ${file}`);
        return { stack: t.stack, code: EXIT.ok };
    }
    const detail = list.map((d) => `${d.name} [${d.properties.join(", ")}]`).join("; ");
    report(ctx, t, EXIT.drift, `drift in ${list.length} resource${list.length > 1 ? "s" : ""}: ${detail} → ${file}`);
    return { stack: t.stack, code: EXIT.drift };
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * One exit code for several stacks: an error (anything but ok, policy, drift) wins, first one first; then policy
 * violations; then drift.
 */
export function combine(results: StackResult[]): ExitCode {
    const soft: ExitCode[] = [EXIT.ok, EXIT.policy, EXIT.drift];
    const hard = results.find((r) => !soft.includes(r.code));
    if (hard) return hard.code;
    if (results.some((r) => r.code === EXIT.policy)) return EXIT.policy;
    if (results.some((r) => r.code === EXIT.drift)) return EXIT.drift;
    return EXIT.ok;
}
