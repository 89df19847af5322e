/**
 * Checks and summaries that run on every planned stack after the program (policy pack, GitOps overlay, quota,
 * certificates, Flux). A concern adds one file to tools/plan/reports/ whose default export is a Reporter; files run
 * in name order. A report with failures makes the plan exit 1.
 */
import * as fs from "fs";
import * as path from "path";
import type { StackExport } from "./export";
import type { PlannedStack } from "./run";

export interface PlanReport {
    title: string;
    lines: string[];
    /** Problems that must fail the plan (mandatory policy violations, invalid GitOps overlay). */
    failures: number;
    /** Machine-readable detail, written to the plan summary JSON. */
    data?: unknown;
}

export interface ReportContext {
    planned: PlannedStack;
    exported: StackExport;
}

export type Reporter = (ctx: ReportContext) => Promise<PlanReport | undefined> | PlanReport | undefined;

export function loadReporters(dir = path.join(__dirname, "reports")): Reporter[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts") && !f.endsWith(".test.ts"))
        .sort()
        .map((f) => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const mod = require(path.join(dir, f));
            if (typeof mod.default !== "function") throw new Error(`tools/plan/reports/${f} must default-export a Reporter function`);
            return mod.default as Reporter;
        });
}
