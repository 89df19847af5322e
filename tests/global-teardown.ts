/** Stops this run's plan if it is still running (no suite needed it) and removes its folder (see global-setup.ts). */
import * as fs from "fs";
import * as path from "path";

export default async function globalTeardown(): Promise<void> {
    const dir = process.env.AIPLATFORM_PLAN_DIR;
    if (!dir || !dir.includes("aiplatform-plan-test-")) return;
    const pidFile = path.join(dir, "runner-pid");
    if (fs.existsSync(pidFile) && !fs.existsSync(path.join(dir, "exit-code"))) {
        try {
            process.kill(-Number(fs.readFileSync(pidFile, "utf8")), "SIGTERM");
        } catch {
            // already gone
        }
    }
    fs.rmSync(dir, { recursive: true, force: true });
}
