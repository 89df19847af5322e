/**
 * Plans every stack once per test run (the real CLI, as users run it) into a fresh folder of this run's own, so
 * concurrent runs never read each other's plans; suites read it through tests/support/plan.ts (AIPLATFORM_PLAN_DIR).
 *
 * The plan runs in the background (tests/support/plan-runner.js) while the suites that don't read it start; a suite
 * that imports tests/support/plan.ts waits there until the plan has finished. tests/global-teardown.ts stops a plan
 * no suite waited for (a run of a few suites) and removes the folder.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export default async function globalSetup(): Promise<void> {
    const root = path.resolve(__dirname, "..");
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "aiplatform-plan-test-"));
    process.env.AIPLATFORM_PLAN_DIR = out;
    // Its own process group, so the teardown can stop the runner, tsx and the plan together.
    const runner = spawn(process.execPath, [path.join(__dirname, "support", "plan-runner.js"), root, out], { cwd: root, stdio: "ignore", detached: true });
    fs.writeFileSync(path.join(out, "runner-pid"), String(runner.pid));
    runner.unref();
}
