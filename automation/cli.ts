/**
 * `npm run pipeline -- <command> [options]` — the one entry point the GitHub Actions and GitLab pipelines call.
 * Built on `@pulumi/pulumi/automation` (automation/local-workspace.ts); `main()` takes its workspace and host as
 * arguments so tests run every command against a fake.
 */
import * as path from "path";
import { parseArgs } from "util";
import { REPO_ROOT } from "../config/stack-files";
import { Cancellation, cancelOnSignals } from "./cancel";
import { combine, type Context, driftStack, preflight, previewStack, promote, type StackResult, upStack } from "./commands";
import { classifyError, PipelineError } from "./errors";
import { EXIT, EXIT_MEANINGS, type ExitCode } from "./exit-codes";
import { type Host, realHost } from "./host";
import { failover } from "./failover";
import { modelGate } from "./model-gate";
import { keepFederatedTokenFresh } from "./oidc-token";
import { rotateSecrets } from "./rotate";
import { allTargets, findTarget, promotionPair, selectTargets, type Target } from "./stacks";
import type { PipelineWorkspace } from "./workspace";

export const COMMANDS = ["preview", "up", "promote", "drift", "rotate", "model-gate", "failover"] as const;
type Command = (typeof COMMANDS)[number];

export function usage(stacks: string[]): string {
    const codes = EXIT_MEANINGS.map(([c, m]) => `  ${String(c).padStart(2)}  ${m}`).join("\n");
    return `usage: npm run pipeline -- <command> [options]

commands:
  preview  --stack <name>... | --all   refresh + preview with the policy pack; writes a Markdown summary per stack
                                       (PR comment / job summary). Replacing a protected resource is reported, not refused.
  up       --stack <name>... | --all   the same checks, then the update, then post-deploy checks (a refresh that must
                                       find no changes); records the commit as stack tags. --all: hub before spokes,
                                       dev → stg → prd, stopping at the first failure.
  promote  --from <stack> --to <stack> up on --to, only if --from's last update succeeded, ran this same commit and
                                       passed its post-deploy checks (dev → stg, stg → prd).
  drift    --stack <name>... | --all   preview-only refresh; lists drifted resources and properties (exit 3), writes
                                       <stack>.drift.md and <stack>.drift.json for the scheduled issue.
  rotate   --stack <spoke>             move aiplatform:keyVault.rotation (the random keepers of generated secrets) to
           [--due-within <days>]       today or --date; with --due-within, only when they expire within that many days.
           [--date YYYY-MM-DD]         Edits the stack file; the change then ships through a PR like any other.
  model-gate --stack <stg|prd stack>   before a model rollout: every model workloads/models/models.yaml deploys there
                                       must be, at its registryVersion, approved for that environment in the MLflow
                                       registry (tags approval.<env>, .by, .at; aiplatform.source = its weights).
                                       One JSON audit line per model (who, what, when, decision); exit 13 if refused.
  failover --from <region> --to <region> move an environment's users between regions (Cloudflare steering,
           [--env <dev|stg|prd>]       edge.traffic): prints the steps against the plan (<plan dir>/<owner>.json),
           [--apply] [--plan-dir <dir>] checks the target region's health through the Cloudflare API (exit 15 if
                                       not healthy); dry run unless --apply, which shifts the steering and writes the
                                       new region order into the stack files. --env default prd, --plan-dir .plan.

options:
  --stack <name>              stack to act on (repeatable); one of: ${stacks.join(", ")}
  --all                       every stack
  --commit <sha>              the commit being deployed (default: git rev-parse HEAD)
  --summary-dir <dir>         where <stack>.<command>.md is written (default: .pipeline); each summary is also
                              appended to $GITHUB_STEP_SUMMARY when that is set
  --allow-protected-changes   let up/promote replace or delete resources marked protect (prd stateful resources)
  --create                    create the stack in the backend when it does not exist (first deployment)
  --secrets-provider <url>    with --create: azurekeyvault://<vault>.vault.azure.net/keys/<key> (default: the
                              stack file's secretsprovider)
  --verbose                   print stack traces with errors
  -h, --help                  this help

environment:
  PULUMI_BACKEND_URL          azblob://<container>?storage_account=<account> (README: state backend)
  ARM_USE_OIDC=true, ARM_CLIENT_ID, ARM_TENANT_ID, ARM_SUBSCRIPTION_ID
                              Azure OIDC federation in CI (no client secret); locally an \`az login\` session
  CLOUDFLARE_API_TOKEN        failover: a token with the steering scopes (README: traffic steering); never printed;
                              CLOUDFLARE_API_BASE overrides https://api.cloudflare.com/client/v4
  MLFLOW_TRACKING_URI         model-gate: the environment's MLflow (https://mlflow.<internal zone>), with
  MLFLOW_TRACKING_TOKEN       a bearer token, or MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD (never printed);
                              MLFLOW_HTTP_REQUEST_TIMEOUT seconds per request (default 10)

exit codes:
${codes}`;
}

interface Parsed {
    command: Command;
    stacks: string[];
    all: boolean;
    from?: string;
    to?: string;
    commit?: string;
    summaryDir: string;
    allowProtectedChanges: boolean;
    create: boolean;
    secretsProvider?: string;
    dueWithin?: number;
    date?: string;
    environment: string;
    apply: boolean;
    planDir: string;
    verbose: boolean;
}

const bad = (msg: string) => new PipelineError(EXIT.badInput, msg);

function parse(argv: string[], root: string): Parsed | "help" {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            strict: true,
            options: {
                stack: { type: "string", multiple: true },
                all: { type: "boolean", default: false },
                from: { type: "string" },
                to: { type: "string" },
                commit: { type: "string" },
                "summary-dir": { type: "string" },
                "allow-protected-changes": { type: "boolean", default: false },
                create: { type: "boolean", default: false },
                "secrets-provider": { type: "string" },
                "due-within": { type: "string" },
                date: { type: "string" },
                env: { type: "string" },
                apply: { type: "boolean", default: false },
                "plan-dir": { type: "string" },
                verbose: { type: "boolean", default: false },
                help: { type: "boolean", short: "h", default: false },
            },
        });
    } catch (e) {
        throw bad((e as Error).message.split("\n")[0]);
    }
    const v = parsed.values;
    if (v.help || parsed.positionals[0] === "help") return "help";
    const [command, ...extra] = parsed.positionals;
    if (!command) throw bad(`no command given; one of: ${COMMANDS.join(", ")}`);
    if (!(COMMANDS as readonly string[]).includes(command)) throw bad(`unknown command '${command}'; one of: ${COMMANDS.join(", ")}`);
    if (extra.length) throw bad(`unexpected argument '${extra[0]}'`);
    const stacks = v.stack ?? [];
    if (command === "promote" || command === "failover") {
        const what = command === "promote" ? "stack" : "region";
        if (stacks.length || v.all) throw bad(`${command} takes --from <${what}> --to <${what}>, not --stack/--all`);
        if (!v.from || !v.to) throw bad(`${command} needs both --from <${what}> and --to <${what}>`);
        if (v.from === v.to) throw bad(`--from and --to are both '${v.from}'`);
    } else {
        if (v.from || v.to) throw bad(`--from/--to belong to promote and failover, not ${command}`);
        if (command === "rotate" && (v.all || stacks.length !== 1)) throw bad("rotate acts on exactly one --stack <spoke>");
        if (command === "model-gate" && (v.all || stacks.length !== 1)) throw bad("model-gate acts on exactly one --stack <stg or prd stack>");
        if (!v.all && !stacks.length) throw bad(`${command} needs --stack <name> or --all`);
        if (v.all && stacks.length) throw bad("give either --stack or --all, not both");
    }
    if (v.commit !== undefined && !/^[0-9a-f]{40}$/.test(v.commit)) throw bad(`--commit '${v.commit}' is not a full 40-character commit SHA`);
    let dueWithin: number | undefined;
    if (v["due-within"] !== undefined) {
        if (command !== "rotate") throw bad("--due-within belongs to rotate");
        if (!/^\d+$/.test(v["due-within"])) throw bad(`--due-within '${v["due-within"]}' is not a whole number of days`);
        dueWithin = Number(v["due-within"]);
    }
    if (v.date !== undefined && command !== "rotate") throw bad("--date belongs to rotate");
    for (const flag of ["env", "apply", "plan-dir"] as const) {
        if (command !== "failover" && v[flag] !== undefined && v[flag] !== false) throw bad(`--${flag} belongs to failover`);
    }
    const environment = v.env ?? "prd";
    if (!["dev", "stg", "prd"].includes(environment)) throw bad(`--env '${environment}' is not an environment; one of: dev, stg, prd`);
    if (v["secrets-provider"] !== undefined && !v.create) throw bad("--secrets-provider only applies with --create");
    return {
        command: command as Command,
        stacks,
        all: v.all!,
        from: v.from,
        to: v.to,
        commit: v.commit,
        summaryDir: path.resolve(root, v["summary-dir"] ?? ".pipeline"),
        allowProtectedChanges: v["allow-protected-changes"]!,
        create: v.create!,
        secretsProvider: v["secrets-provider"],
        dueWithin,
        date: v.date,
        environment,
        apply: v.apply!,
        planDir: path.resolve(root, v["plan-dir"] ?? ".plan"),
        verbose: v.verbose!,
    };
}

async function resolveCommit(host: Host, given: string | undefined): Promise<string | undefined> {
    if (given) return given;
    const head = await host.gitHead();
    const candidate = head ?? host.env.GITHUB_SHA ?? host.env.CI_COMMIT_SHA;
    return candidate && /^[0-9a-f]{40}$/.test(candidate) ? candidate : undefined;
}

export interface MainDeps {
    host: Host;
    /** Created only for commands that talk to Pulumi. */
    workspace: () => PipelineWorkspace;
    root?: string;
    /** Default: the repository's `policies/` pack. */
    policyPack?: string;
    /** SIGINT/SIGTERM handling (cancel.ts); none in tests that don't exercise it. */
    cancellation?: Cancellation;
}

export async function main(argv: string[], deps: MainDeps): Promise<ExitCode> {
    const { host } = deps;
    const root = deps.root ?? REPO_ROOT;
    const verbose = argv.includes("--verbose");
    let all: Target[] = [];
    let stopTokens: () => void = () => undefined;
    try {
        all = allTargets(root);
        const p = parse(argv, root);
        if (p === "help") {
            host.out(usage(all.map((t) => t.stack)));
            return EXIT.ok;
        }

        if (p.command === "rotate") {
            const t = findTarget(all, p.stacks[0]);
            const r = rotateSecrets(host, root, t, { dueWithin: p.dueWithin, date: p.date });
            if (host.env.GITHUB_OUTPUT) host.appendFile(host.env.GITHUB_OUTPUT, `rotated=${r.rotated}\nrotation=${r.next ?? r.previous ?? ""}\n`);
            host.out(
                r.rotated
                    ? `pipeline: ${t.stack}: rotation ${r.previous ?? "(unset)"} → ${r.next} in ${t.file}; generated secrets regenerate on the next deploy and expire ${r.expires}`
                    : `pipeline: ${t.stack}: rotation not due (generated secrets expire ${r.expires}, more than ${p.dueWithin} days away)`,
            );
            return EXIT.ok;
        }

        if (p.command === "failover") {
            // Reads the stack files, the plan and the Cloudflare API only: no Pulumi, no Azure login (Azure may be the outage).
            return await failover(host, root, { from: p.from!, to: p.to!, environment: p.environment, apply: p.apply, planDir: p.planDir });
        }

        if (p.command === "model-gate") {
            // Reads models.yaml and the MLflow registry only: no Pulumi, no Azure login.
            return await modelGate(host, findTarget(all, p.stacks[0]), { root, commit: await resolveCommit(host, p.commit), summaryDir: p.summaryDir });
        }

        const targets = p.command === "promote" ? [] : selectTargets(all, p.stacks, p.all);
        const pair = p.command === "promote" ? promotionPair(all, p.from!, p.to!) : undefined;
        const commit = await resolveCommit(host, p.commit);
        if (!commit && (p.command === "up" || p.command === "promote")) {
            throw bad(`${p.command} records the commit it deploys: run it inside the Git checkout or pass --commit <sha>`);
        }
        stopTokens = await keepFederatedTokenFresh(host);
        const ctx: Context = {
            host,
            workspace: deps.workspace(),
            root,
            policyPack: deps.policyPack ?? path.join(root, "policies"),
            summaryDir: p.summaryDir,
            commit,
            create: p.create,
            secretsProvider: p.secretsProvider,
            allowProtectedChanges: p.allowProtectedChanges,
            verbose: p.verbose,
            cancellation: deps.cancellation,
        };
        const cancelled = () => deps.cancellation?.requested === true;
        await preflight(ctx);

        const results: StackResult[] = [];
        switch (p.command) {
            case "preview":
                for (const t of targets) if (!cancelled()) results.push(await previewStack(ctx, t));
                break;
            case "drift":
                for (const t of targets) if (!cancelled()) results.push(await driftStack(ctx, t));
                break;
            case "up":
                for (const [i, t] of targets.entries()) {
                    if (cancelled()) break;
                    const r = await upStack(ctx, t);
                    results.push(r);
                    if (r.code !== EXIT.ok) {
                        const skipped = targets.slice(i + 1).map((s) => s.stack);
                        if (skipped.length && !cancelled()) host.err(`pipeline: skipped ${skipped.join(", ")} because ${t.stack} did not deploy cleanly`);
                        break;
                    }
                }
                break;
            case "promote":
                results.push(await promote(ctx, pair!.source, pair!.target));
                break;
        }
        const notStarted = targets.slice(results.length).map((t) => t.stack);
        if (cancelled() && notStarted.length) host.err(`pipeline: cancelled: ${notStarted.join(", ")} not started`);
        const code = cancelled() ? EXIT.cancelled : combine(results);
        if (results.length > 1) host.out(`pipeline: ${p.command}: ${results.map((r) => `${r.stack}=${r.code}`).join(" ")} → exit ${code}`);
        return code;
    } catch (e) {
        const error = classifyError(e);
        host.err(`pipeline: ${error.message}`);
        if (error.code === EXIT.badInput && !(error.cause instanceof Error)) host.err("pipeline: see `npm run pipeline -- --help`");
        if (verbose) host.err(String((error.cause instanceof Error ? error.cause : error).stack));
        return error.code;
    } finally {
        stopTokens();
    }
}

if (require.main === module) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const workspace = () => (require("./local-workspace") as typeof import("./local-workspace")).localWorkspace(REPO_ROOT);
    const cancellation = cancelOnSignals(process, (l) => void process.stderr.write(l + "\n"), (c) => process.exit(c), process.stdin.isTTY === true);
    main(process.argv.slice(2), { host: realHost(REPO_ROOT), workspace, cancellation }).then(
        (code) => process.exit(code),
        (e) => {
            process.stderr.write(`pipeline: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
            process.exit(EXIT.operationFailed);
        },
    );
}
