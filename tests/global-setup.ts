/**
 * Plans every stack once per test run (the real CLI, as users run it) into a fresh folder of this run's own, so
 * concurrent runs never read each other's plans; suites read it through tests/support/plan.ts (AIPLATFORM_PLAN_DIR).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export default async function globalSetup(): Promise<void> {
    const root = path.resolve(__dirname, "..");
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "aiplatform-plan-test-"));
    process.env.AIPLATFORM_PLAN_DIR = out;
    const run = spawnSync(process.execPath, [require.resolve("tsx/cli"), "tools/plan/cli.ts", "--all", "--out", out], {
        cwd: root,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    fs.writeFileSync(path.join(out, "cli.log"), `exit ${run.status}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
    fs.writeFileSync(path.join(out, "exit-code"), String(run.status));
}
