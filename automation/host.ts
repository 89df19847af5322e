/**
 * Everything the pipeline CLI needs from the machine besides Pulumi: environment, Git, the Azure CLI session,
 * files and the two output streams. Tests pass a fake; `realHost()` is the one `cli.ts` uses.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface Host {
    env: Record<string, string | undefined>;
    /** The checked-out commit (full SHA), if this is a Git work tree. */
    gitHead(): Promise<string | undefined>;
    /** Files under `paths` that differ between two commits (`git diff --name-only`); undefined if Git cannot tell (unknown commit, no repository). */
    gitChangedFiles(from: string, to: string, paths: string[]): Promise<string[] | undefined>;
    /** The subscription id of the current `az login` session, if any. */
    azureCliSubscription(): Promise<string | undefined>;
    readFile(file: string): string;
    writeFile(file: string, text: string): void;
    appendFile(file: string, text: string): void;
    /** Pulumi's streamed progress, written as it arrives (stdout, no newline added). */
    progress(chunk: string): void;
    /** Result lines (stdout). */
    out(text: string): void;
    /** One-line problems (stderr). */
    err(text: string): void;
    now(): Date;
    tempDir(): string;
    /** GET a GitHub Actions ID token (`{ value }`) with the job's request bearer token. */
    requestIdToken(url: string, bearer: string): Promise<string>;
    /** Writes a file only this user can read, atomically (readers never see a partial token). */
    writePrivateFile(file: string, text: string): void;
    /** Calls `fn` every `ms` without keeping the process alive; returns the function that stops it. */
    every(ms: number, fn: () => void): () => void;
}

function run(cmd: string, args: string[], cwd: string): Promise<string | undefined> {
    return new Promise((resolve) => {
        execFile(cmd, args, { cwd, timeout: 30_000, windowsHide: true }, (error, stdout) => {
            resolve(error ? undefined : stdout.trim() || undefined);
        });
    });
}

export function realHost(cwd: string): Host {
    return {
        env: process.env,
        gitHead: () => run("git", ["rev-parse", "HEAD"], cwd),
        gitChangedFiles: (from, to, paths) =>
            new Promise((resolve) => {
                execFile("git", ["diff", "--name-only", from, to, "--", ...paths], { cwd, timeout: 30_000, windowsHide: true }, (error, stdout) => {
                    resolve(error ? undefined : stdout.split("\n").filter(Boolean));
                });
            }),
        azureCliSubscription: () => run("az", ["account", "show", "--query", "id", "--output", "tsv"], cwd),
        readFile: (file) => fs.readFileSync(file, "utf8"),
        writeFile: (file, text) => {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, text);
        },
        appendFile: (file, text) => {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.appendFileSync(file, text);
        },
        progress: (chunk) => process.stdout.write(chunk),
        out: (text) => process.stdout.write(text.endsWith("\n") ? text : text + "\n"),
        err: (text) => process.stderr.write(text.endsWith("\n") ? text : text + "\n"),
        now: () => new Date(),
        tempDir: () => os.tmpdir(),
        requestIdToken: async (url, bearer) => {
            const r = await fetch(url, { headers: { Authorization: `Bearer ${bearer}`, Accept: "application/json" } });
            if (!r.ok) throw new Error(`HTTP ${r.status} from the Actions token endpoint`);
            const value = ((await r.json()) as { value?: unknown }).value;
            if (typeof value !== "string" || !value) throw new Error("the Actions token endpoint returned no token");
            return value;
        },
        writePrivateFile: (file, text) => {
            const tmp = `${file}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, text, { mode: 0o600 });
            fs.renameSync(tmp, file);
        },
        every: (ms, fn) => {
            const t = setInterval(fn, ms);
            t.unref();
            return () => clearInterval(t);
        },
    };
}
