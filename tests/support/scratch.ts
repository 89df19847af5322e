/** Scratch copies of the repository for tests (tools/scratch.ts), and the repository's CLIs run as `npm run` would. */
import { spawnSync } from "child_process";
import { NODE_FLAGS, ROOT } from "../../tools/scratch";

export { makeScratch, NODE_FLAGS, ROOT } from "../../tools/scratch";

/** Runs one of the repository's CLI entry points (e.g. "tools/plan/cli.ts") as `npm run` would, in `cwd`. */
export function runCli(entry: string, args: string[], cwd = ROOT) {
    const r = spawnSync(process.execPath, [...NODE_FLAGS, entry, ...args], { cwd, encoding: "utf8" });
    return { code: r.status, out: r.stdout, err: r.stderr };
}
