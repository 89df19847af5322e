/**
 * Plans every stack once per test run (the real CLI, as users run it) into .plan-test/; suites read the results
 * through tests/support/plan.ts instead of each running the program again.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export default async function globalSetup(): Promise<void> {
    const root = path.resolve(__dirname, "..");
    const out = path.join(root, ".plan-test");
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });
    const run = spawnSync(process.execPath, [require.resolve("tsx/cli"), "tools/plan/cli.ts", "--all", "--out", out], {
        cwd: root,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    fs.writeFileSync(path.join(out, "cli.log"), `exit ${run.status}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
    fs.writeFileSync(path.join(out, "exit-code"), String(run.status));
}
