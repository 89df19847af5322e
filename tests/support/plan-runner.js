/**
 * Runs the plan CLI once for a jest run (started in the background by tests/global-setup.ts) and records it in the
 * run's plan folder: `cli.log` (exit status, stdout, stderr) and then `exit-code`, which tells tests/support/plan.ts
 * the plan is complete. Usage: node plan-runner.js <repo root> <out dir>
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const [root, out] = process.argv.slice(2);
// As `npm run plan` runs it: one process with tsx's loader (the tsx CLI would add a second process).
const run = spawnSync(process.execPath, ["--import", "tsx", "tools/plan/cli.ts", "--all", "--out", out], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
});
fs.writeFileSync(path.join(out, "cli.log"), `exit ${run.status}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}${run.error ? `\n--- error\n${run.error.message}` : ""}`);
fs.writeFileSync(path.join(out, "exit-code.tmp"), String(run.status));
fs.renameSync(path.join(out, "exit-code.tmp"), path.join(out, "exit-code"));
