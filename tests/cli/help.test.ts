/**
 * Every command the README offers (`npm run <script>`) answers --help with its usage on stdout and exit 0, and the
 * README shows bootstrap:state with the flags it requires.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { NODE_FLAGS, ROOT } from "../support/scratch";

const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
/** Scripts that run one of our TypeScript entry points: `node <NODE_FLAGS> <entry> ...`. */
const entries = Object.entries(scripts)
    .map(([name, cmd]) => [name, new RegExp(`^node ${NODE_FLAGS.join(" ")} (\\S+\\.ts)`).exec(cmd)?.[1]] as const)
    .filter((e): e is readonly [string, string] => e[1] !== undefined);

function run(entry: string): Promise<{ code: number | null; out: string; err: string }> {
    return new Promise((resolve) => {
        const p = spawn(process.execPath, [...NODE_FLAGS, entry, "--help"], { cwd: ROOT });
        let out = "";
        let err = "";
        p.stdout.on("data", (d) => (out += d));
        p.stderr.on("data", (d) => (err += d));
        p.on("close", (code) => resolve({ code, out, err }));
    });
}

test("the package has the commands the README documents", () => {
    expect(entries.map(([n]) => n)).toEqual(expect.arrayContaining(["plan", "policy", "validate:gitops", "pipeline", "kubeconfig", "audit:secrets", "lint:workflows", "bootstrap:state", "bench"]));
});

test("every command answers --help with usage on stdout and exit 0, writing nothing to stderr", async () => {
    const results = await Promise.all(entries.map(async ([name, entry]) => ({ name, ...(await run(entry)) })));
    const wrong = results.filter((r) => r.code !== 0 || !/usage: /.test(r.out) || r.err.trim() !== "").map((r) => `${r.name}: exit ${r.code}, stdout ${JSON.stringify(r.out.slice(0, 80))}, stderr ${JSON.stringify(r.err.slice(0, 120))}`);
    expect(wrong).toEqual([]);
});

test("plan's usage lists only options it accepts (no --json)", async () => {
    const r = await run("tools/plan/cli.ts");
    const flags = [...r.out.matchAll(/--[a-z-]+/g)].map((m) => m[0]);
    expect(flags).not.toContain("--json");
    expect(flags).toEqual(expect.arrayContaining(["--stack", "--all", "--out", "--quiet", "--verbose"]));
});

test("README shows bootstrap:state with its required flags", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const shown = [...readme.matchAll(/npm run bootstrap:state[^`\n]*/g)].map((m) => m[0]);
    expect(shown.length).toBeGreaterThan(0);
    for (const cmd of shown) expect(cmd).toMatch(/-- (--subscription|\.\.\.)/);
});
