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
// The plan's now is the Azure facts' own date (tests/support/plan.ts PLAN_NOW), never the calendar: support windows
// and budget months then read the same on any day; the facts' freshness test is what ages.
const now = JSON.parse(fs.readFileSync(path.join(root, "config/azure-facts/sources.json"), "utf8")).retrieved;
// As `npm run plan` runs it: one process with tsx's loader (the tsx CLI would add a second process).
const run = spawnSync(process.execPath, ["--disable-warning=DEP0040", "--import", "tsx", "tools/plan/cli.ts", "--all", "--out", out, "--now", now], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
});
fs.writeFileSync(path.join(out, "cli.log"), `exit ${run.status}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}${run.error ? `\n--- error\n${run.error.message}` : ""}`);
fs.writeFileSync(path.join(out, "exit-code.tmp"), String(run.status));
fs.renameSync(path.join(out, "exit-code.tmp"), path.join(out, "exit-code"));
