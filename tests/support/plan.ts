/**
 * Access to the plan that tests/global-setup.ts made of every stack: the export JSON per stack, the summary,
 * and small query helpers over resources. Assertions read real planned inputs, never re-derived values.
 */
import * as fs from "fs";
import * as path from "path";
import { factsDate } from "../../config/azure-facts";
import type { ExportResource, StackExport } from "../../tools/plan/export";

/** The now the shared plan ran at (tests/support/plan-runner.js passes it as --now): the Azure facts' date. */
export const PLAN_NOW = factsDate();

/** This jest run's plan folder (set by tests/global-setup.ts); .plan-test/ when a suite runs without it. */
export const PLAN_DIR = process.env.AIPLATFORM_PLAN_DIR ?? path.resolve(__dirname, "../../.plan-test");

/**
 * The global setup plans in the background: a suite that imports this module (every reader of the plan does) waits
 * here, once, until the plan has finished, so nothing below ever sees a partial plan folder.
 */
function waitForPlan(timeoutMs = 10 * 60_000): void {
    const done = path.join(PLAN_DIR, "exit-code");
    const pidFile = path.join(PLAN_DIR, "runner-pid");
    if (fs.existsSync(done) || !fs.existsSync(pidFile)) return;
    const pid = Number(fs.readFileSync(pidFile, "utf8"));
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const deadline = Date.now() + timeoutMs;
    while (!fs.existsSync(done)) {
        try {
            process.kill(pid, 0);
        } catch {
            if (fs.existsSync(done)) break;
            throw new Error(`the plan runner (pid ${pid}) ended without writing ${done}`);
        }
        if (Date.now() > deadline) throw new Error(`the plan (pid ${pid}) did not finish within ${timeoutMs / 1000} s`);
        Atomics.wait(cell, 0, 0, 20);
    }
}
waitForPlan();
export const SPOKES = ["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"] as const;
export const ALL_STACKS = ["hub-uaenorth", ...SPOKES] as const;

function failure(): string {
    const log = path.join(PLAN_DIR, "cli.log");
    return fs.existsSync(log) ? fs.readFileSync(log, "utf8").slice(-4000) : `no ${path.join(PLAN_DIR, "cli.log")}: did jest's globalSetup run?`;
}

/** What the global plan printed on stdout (the CLI as users run it, without --quiet). */
export function planStdout(): string {
    const log = fs.readFileSync(path.join(PLAN_DIR, "cli.log"), "utf8");
    return log.slice(log.indexOf("--- stdout\n") + 11, log.indexOf("\n--- stderr\n"));
}

const cache = new Map<string, StackExport>();

export function loadPlan(stack: string): StackExport {
    const hit = cache.get(stack);
    if (hit) return hit;
    const file = path.join(PLAN_DIR, `${stack}.json`);
    if (!fs.existsSync(file)) throw new Error(`the plan of ${stack} was not written; plan CLI output:\n${failure()}`);
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as StackExport;
    cache.set(stack, doc);
    return doc;
}

export function loadSummary(): { stacks: { stack: string; resources: number; byType: Record<string, number>; reports: { title: string; failures: number; lines: string[]; data?: any }[] }[]; failures: number } {
    const file = path.join(PLAN_DIR, "summary.json");
    if (!fs.existsSync(file)) throw new Error(`no plan summary; plan CLI output:\n${failure()}`);
    return JSON.parse(fs.readFileSync(file, "utf8"));
}

export function planExitCode(): number {
    return Number(fs.readFileSync(path.join(PLAN_DIR, "exit-code"), "utf8"));
}

export function resources(stack: string): ExportResource[] {
    return loadPlan(stack).deployment.resources;
}

/** The Pulumi logical name of a resource (last URN segment). */
export function nameOf(r: ExportResource): string {
    return r.urn.split("::").pop()!;
}

/** Resources of `type` (full token, e.g. azure-native:network:Subnet). */
export function ofType(stack: string, type: string): ExportResource[] {
    return resources(stack).filter((r) => r.type === type);
}

/** The one resource of `type` whose URN ends with `::<name>`; fails loudly when there is not exactly one. */
export function one(stack: string, type: string, name?: string): ExportResource {
    const found = ofType(stack, type).filter((r) => name === undefined || r.urn.endsWith(`::${name}`));
    if (found.length !== 1) {
        throw new Error(`${stack}: expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.urn.split("::").pop()).join(", ")}`);
    }
    return found[0];
}

export function stackOutputs(stack: string): Record<string, any> {
    return resources(stack).find((r) => r.type === "pulumi:pulumi:Stack")!.outputs;
}
