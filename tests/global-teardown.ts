/** Removes this run's plan folder (made by global-setup.ts). */
import * as fs from "fs";

export default async function globalTeardown(): Promise<void> {
    const dir = process.env.AIPLATFORM_PLAN_DIR;
    if (dir && dir.includes("aiplatform-plan-test-")) fs.rmSync(dir, { recursive: true, force: true });
}
