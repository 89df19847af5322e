/**
 * The model approval gate (`npm run pipeline -- model-gate --stack <stg|prd stack>`): before stg or prd rolls out
 * its models, the MLflow model registry must record that exactly the version each models.yaml entry deploys there
 * was approved for that environment. Every decision is one JSON audit line — who, what, when, decision — on stdout,
 * in `<stack>.model-gate.jsonl` and, as a table, in the job summary.
 *
 * The approval record lives on the model version as MLflow model-version tags (README: model approval):
 *   approval.<env> = approved, approval.<env>.by = the approver, approval.<env>.at = when (ISO 8601),
 *   aiplatform.source = the weights this version is (`huggingface:<repo>@<revision>` | `datalake:<path>`),
 * so an approval of version N is void for any other weights, and a models.yaml edit that changes the weights
 * without moving `registryVersion` is refused. Registry access: MLflow's REST API 2.0 `model-versions/get`
 * (shape vendored in tests/fixtures/mlflow/model-registry-api.json), authenticated the way MLflow's own client
 * is (MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME/PASSWORD); credentials are never printed.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PipelineError } from "./errors";
import { EXIT, type ExitCode } from "./exit-codes";
import type { Host } from "./host";
import { idTokenRequestUrl } from "./oidc-token";
import { fluxCommitOf, type Target } from "./stacks";
import { cell, marker, publishSummary } from "./summary";
import { type ModelEntry, type ModelSource, parseCatalogue, resolveModel } from "../tools/workloads/models";

/** Environments whose rollouts need an approval. */
export const GATED_ENVIRONMENTS = ["stg", "prd"] as const;
export const SOURCE_TAG = "aiplatform.source";
export const AUDIT_EVENT = "aiplatform.model-promotion";
const CATALOGUE = "workloads/models/models.yaml";
const DEFAULT_TIMEOUT_MS = 10_000;

export const approvalTags = (env: string) => ({ decision: `approval.${env}`, by: `approval.${env}.by`, at: `approval.${env}.at` });

/** How a models.yaml source is written in the `aiplatform.source` tag. */
export function sourceUri(s: ModelSource): string {
    return "huggingface" in s ? `huggingface:${s.huggingface.repo}@${s.huggingface.revision}` : `datalake:${s.datalake.path}`;
}

// ---------------------------------------------------------------------------------------------------------------
// registry client

export interface RegistryConfig {
    /** Tracking server base URL, without trailing slash. */
    uri: string;
    /** Printable form: origin only (never userinfo, query or credentials). */
    origin: string;
    headers: Record<string, string>;
    timeoutMs: number;
}

export function registryConfig(env: Record<string, string | undefined>): RegistryConfig {
    const unavailable = (m: string) => new PipelineError(EXIT.modelRegistryUnavailable, m);
    const raw = env.MLFLOW_TRACKING_URI;
    if (!raw) throw unavailable("MLFLOW_TRACKING_URI is not set: the model gate needs the MLflow registry of the environment (https://mlflow.<internal zone>; README: model approval)");
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw unavailable("MLFLOW_TRACKING_URI is not a URL (expected https://mlflow.<internal zone>)");
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw unavailable(`MLFLOW_TRACKING_URI has scheme '${url.protocol}'; the gate speaks MLflow's REST API over http(s)`);
    if (url.username || url.password) throw unavailable("MLFLOW_TRACKING_URI carries credentials; pass them as MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD");
    const headers: Record<string, string> = { Accept: "application/json" };
    if (env.MLFLOW_TRACKING_TOKEN) headers.Authorization = `Bearer ${env.MLFLOW_TRACKING_TOKEN}`;
    else if (env.MLFLOW_TRACKING_USERNAME && env.MLFLOW_TRACKING_PASSWORD) {
        headers.Authorization = `Basic ${Buffer.from(`${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD}`).toString("base64")}`;
    }
    const timeout = Number(env.MLFLOW_HTTP_REQUEST_TIMEOUT);
    return {
        uri: url.href.replace(/\/+$/, ""),
        origin: url.origin,
        headers,
        timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : DEFAULT_TIMEOUT_MS,
    };
}

export interface ModelVersion {
    name: string;
    version: string;
    status?: string;
    source?: string;
    tags: Record<string, string>;
}

/** GET /api/2.0/mlflow/model-versions/get; undefined when the model or version does not exist. */
export async function getModelVersion(cfg: RegistryConfig, name: string, version: string): Promise<ModelVersion | undefined> {
    const unavailable = (m: string, cause?: unknown) => new PipelineError(EXIT.modelRegistryUnavailable, `MLflow registry ${cfg.origin}: ${m}`, cause);
    const url = `${cfg.uri}/api/2.0/mlflow/model-versions/get?${new URLSearchParams({ name, version })}`;
    let res: Response;
    let body: unknown;
    try {
        res = await fetch(url, { headers: cfg.headers, signal: AbortSignal.timeout(cfg.timeoutMs), redirect: "error" });
        body = await res.json().catch(() => undefined);
    } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        const why = err.name === "TimeoutError" ? `no answer within ${cfg.timeoutMs / 1000}s` : (err.cause?.code ?? err.message);
        throw unavailable(`unreachable (${why}); the gate runs on the aiplatform-azure runners, which reach the internal ingress`, e);
    }
    const error = body as { error_code?: unknown } | undefined;
    if (res.status === 404 && error?.error_code === "RESOURCE_DOES_NOT_EXIST") return undefined;
    if (res.status === 401 || res.status === 403) throw unavailable(`rejected the pipeline's credentials (HTTP ${res.status}); check MLFLOW_TRACKING_TOKEN / MLFLOW_TRACKING_USERNAME (README: model approval)`);
    if (!res.ok) throw unavailable(`HTTP ${res.status}${typeof error?.error_code === "string" ? ` ${error.error_code}` : ""} for model-versions/get`);
    const mv = (body as { model_version?: Record<string, unknown> } | undefined)?.model_version;
    if (!mv || typeof mv.version !== "string" || (mv.tags !== undefined && !Array.isArray(mv.tags))) {
        throw unavailable("model-versions/get answered without a model_version (not an MLflow 2.x registry?)");
    }
    const tags: Record<string, string> = {};
    for (const t of (mv.tags ?? []) as { key?: unknown; value?: unknown }[]) if (typeof t.key === "string") tags[t.key] = typeof t.value === "string" ? t.value : "";
    return { name: String(mv.name ?? name), version: mv.version, status: typeof mv.status === "string" ? mv.status : undefined, source: typeof mv.source === "string" ? mv.source : undefined, tags };
}

// ---------------------------------------------------------------------------------------------------------------
// who

export interface Actor {
    /** The CI user who ran the job (GITHUB_ACTOR / GITLAB_USER_LOGIN), locally the OS user. */
    actor?: string;
    /** Who started this run (GITHUB_TRIGGERING_ACTOR), when it differs from actor. */
    triggeredBy?: string;
    /** The job's OIDC subject (repo:<owner>/<repo>:environment:<env>): the protected environment it ran in. */
    oidcSubject?: string;
    /** Link to the CI run. */
    run?: string;
}

/** The `sub` claim of a JWT (no signature check: this names the job in the log, it authorises nothing). */
function jwtSubject(token: string): string | undefined {
    try {
        const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { sub?: unknown };
        return typeof payload.sub === "string" ? payload.sub : undefined;
    } catch {
        return undefined;
    }
}

export async function identify(host: Host): Promise<Actor> {
    const env = host.env;
    let oidcSubject: string | undefined;
    if (env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
        try {
            oidcSubject = jwtSubject(await host.requestIdToken(idTokenRequestUrl(env.ACTIONS_ID_TOKEN_REQUEST_URL), env.ACTIONS_ID_TOKEN_REQUEST_TOKEN));
        } catch (e) {
            host.err(`pipeline: warning: no OIDC subject for the audit line (${(e as Error).message})`);
        }
    }
    const actor = env.GITHUB_ACTOR ?? env.GITLAB_USER_LOGIN ?? env.USER;
    const triggering = env.GITHUB_TRIGGERING_ACTOR;
    const run = env.GITHUB_RUN_ID
        ? `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ""}`
        : env.CI_JOB_URL;
    return { actor, triggeredBy: triggering && triggering !== actor ? triggering : undefined, oidcSubject, run };
}

// ---------------------------------------------------------------------------------------------------------------
// the gate

export interface AuditEvent {
    event: typeof AUDIT_EVENT;
    at: string;
    decision: "approved" | "refused" | "error";
    who: Actor;
    /** commit: the one this run deploys; workloadsCommit: the revision the environment's Flux applies (prd's flux.commit), null = the checkout. */
    what: { model: string; registeredModel: string; version: string | null; environment: string; stack: string; commit: string | null; workloadsCommit: string | null; source: string };
    approval: { by: string; at: string } | null;
    reason: string;
}

type Verdict = Pick<AuditEvent, "decision" | "approval" | "reason">;

function judge(mv: ModelVersion | undefined, name: string, version: string, env: string, source: string): Verdict {
    const refuse = (reason: string): Verdict => ({ decision: "refused", approval: null, reason });
    if (!mv) return refuse(`registered model '${name}' has no version ${version} in the registry`);
    if (mv.status !== undefined && mv.status !== "READY") return refuse(`version ${version} is ${mv.status}, not READY`);
    const recorded = mv.tags[SOURCE_TAG];
    if (recorded !== source) return refuse(`version ${version} is '${recorded ?? `(no ${SOURCE_TAG} tag)`}', but models.yaml deploys '${source}'`);
    const t = approvalTags(env);
    if (mv.tags[t.decision] !== "approved") return refuse(`version ${version} is not approved for ${env} (${t.decision} = ${mv.tags[t.decision] ?? "unset"})`);
    const by = mv.tags[t.by];
    const at = mv.tags[t.at];
    if (!by) return refuse(`version ${version}'s ${env} approval names no approver (${t.by} unset)`);
    if (!at || !/^\d{4}-\d{2}-\d{2}T/.test(at) || Number.isNaN(Date.parse(at))) return refuse(`version ${version}'s ${env} approval has no valid time (${t.at} = ${at ?? "unset"}; ISO 8601 expected)`);
    return { decision: "approved", approval: { by, at: new Date(Date.parse(at)).toISOString() }, reason: `version ${version} approved for ${env} by ${by} at ${at}` };
}

export interface GateOptions {
    root: string;
    commit?: string;
    summaryDir: string;
}

/**
 * The catalogue the environment's Flux will apply: models.yaml at the stack's `aiplatform:flux.commit` when it pins
 * one (prd: the deploy moves Flux to that revision, which may be older than the commit being released), else the
 * checkout's (dev/stg follow main).
 */
function deployedCatalogue(root: string, t: Target): { models: ModelEntry[]; revision: string | null } {
    const bad = (m: string, e?: unknown) => new PipelineError(EXIT.badInput, m, e);
    const revision = fluxCommitOf(t, root) ?? null;
    let text: string;
    try {
        text = revision
            ? execFileSync("git", ["show", `${revision}:${CATALOGUE}`], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 })
            : fs.readFileSync(path.join(root, CATALOGUE), "utf8");
    } catch (e) {
        throw revision
            ? bad(`${t.file}: aiplatform:flux.commit ${revision} has no ${CATALOGUE} in this checkout (fetch full history: the release job checks out with fetch-depth 0)`, e)
            : bad(`${CATALOGUE}: ${(e as Error).message}`, e);
    }
    try {
        return { models: parseCatalogue(text, revision ? `${CATALOGUE}@${revision.slice(0, 12)}` : CATALOGUE), revision };
    } catch (e) {
        throw bad((e as Error).message.replace(/\n\s*/g, "; "), e);
    }
}

/** Runs the gate for every model the stack's environment deploys; returns ok or modelNotApproved, throws on errors. */
export async function modelGate(host: Host, t: Target, o: GateOptions): Promise<ExitCode> {
    const env = t.environment;
    if (!env || !(GATED_ENVIRONMENTS as readonly string[]).includes(env)) {
        throw new PipelineError(EXIT.badInput, `model-gate guards ${GATED_ENVIRONMENTS.join(" and ")} rollouts; ${t.stack} is ${t.kind === "hub" ? "the hub" : (env ?? "no environment")}`);
    }
    const deployed = deployedCatalogue(o.root, t);
    const models = deployed.models.flatMap((m) => resolveModel(m, env) ?? []);
    if (!models.length) {
        host.out(`pipeline: ${t.stack}: model-gate: ${CATALOGUE} deploys no model to ${env}; nothing to approve`);
        return EXIT.ok;
    }
    const cfg = registryConfig(host.env);
    const who = await identify(host);
    const events: AuditEvent[] = [];
    let failure: PipelineError | undefined;
    for (const m of models) {
        const source = sourceUri(m.source);
        const base = { event: AUDIT_EVENT, who, what: { model: m.name, registeredModel: m.name, version: m.registryVersion ?? null, environment: env, stack: t.stack, commit: o.commit ?? null, workloadsCommit: deployed.revision, source } } as const;
        let verdict: Verdict;
        if (failure) verdict = { decision: "error", approval: null, reason: `not checked: ${failure.message}` };
        else if (!m.registryVersion) {
            verdict = { decision: "refused", approval: null, reason: `models.yaml pins no registryVersion for ${env}; register the weights as a version of '${m.name}' and pin the approved one` };
        } else {
            try {
                verdict = judge(await getModelVersion(cfg, m.name, m.registryVersion), m.name, m.registryVersion, env, source);
            } catch (e) {
                failure = e instanceof PipelineError ? e : new PipelineError(EXIT.modelRegistryUnavailable, `MLflow registry ${cfg.origin}: ${(e as Error).message}`, e);
                verdict = { decision: "error", approval: null, reason: failure.message };
            }
        }
        events.push({ ...base, at: host.now().toISOString(), ...verdict });
    }

    for (const e of events) host.out(JSON.stringify(e));
    host.writeFile(path.join(o.summaryDir, `${t.stack}.model-gate.jsonl`), events.map((e) => JSON.stringify(e)).join("\n") + "\n");
    publishSummary(host, path.join(o.summaryDir, `${t.stack}.model-gate.md`), renderGateSummary(t.stack, env, events));
    if (failure) throw failure;
    const refused = events.filter((e) => e.decision !== "approved");
    for (const e of refused) host.err(`pipeline: ${t.stack}: model-gate refused ${e.what.model}: ${e.reason}`);
    if (refused.length) return EXIT.modelNotApproved;
    host.out(`pipeline: ${t.stack}: model-gate: ${events.length} model version${events.length > 1 ? "s" : ""} approved for ${env}`);
    return EXIT.ok;
}

function renderGateSummary(stack: string, env: string, events: AuditEvent[]): string {
    const ok = events.every((e) => e.decision === "approved");
    const who = events[0].who;
    const lines = [
        marker("model-gate", stack),
        `### ${ok ? "✅" : "❌"} \`${stack}\` — model approval gate (${env})`,
        "",
        `Checked ${events[0].at} for ${cell(who.actor ?? "unknown actor")}${who.oidcSubject ? ` (\`${cell(who.oidcSubject)}\`)` : ""}${events[0].what.commit ? ` at commit \`${events[0].what.commit.slice(0, 12)}\`` : ""}${events[0].what.workloadsCommit ? `; ${env}'s Flux applies models.yaml at \`${events[0].what.workloadsCommit.slice(0, 12)}\`` : ""}.`,
        "",
        "| model | registry version | weights | decision | approved by | approved at | reason |",
        "|---|---|---|---|---|---|---|",
    ];
    for (const e of events) {
        lines.push(
            `| \`${cell(e.what.model)}\` | ${e.what.version ?? "—"} | \`${cell(e.what.source)}\` | ${e.decision} | ${cell(e.approval?.by ?? "—")} | ${e.approval?.at ?? "—"} | ${cell(e.reason)} |`,
        );
    }
    return lines.join("\n") + "\n";
}
