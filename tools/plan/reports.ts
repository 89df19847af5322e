/**
 * Checks and summaries that run on every planned stack after the program (policy pack, GitOps overlay, quota,
 * certificates, Flux). A concern adds one file to tools/plan/reports/ whose default export is a Reporter; files run
 * in name order. A report with failures makes the plan exit 1.
 */
import * as fs from "fs";
import * as path from "path";
import type { StackFile } from "../../config/stack-files";
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
    /** The plan's --verbose: reporters may print their full picture (e.g. the permissions matrix). */
    verbose?: boolean;
}

export type Reporter = (ctx: ReportContext) => Promise<PlanReport | undefined> | PlanReport | undefined;

/**
 * Optional export `prepare` of a reporter module: called once with every stack the plan will run, before the first
 * program starts, so slow work that doesn't depend on the programs (rendering GitOps overlays) runs meanwhile.
 * It must not throw or leave a promise rejection unhandled; problems are reported by the reporter itself.
 */
export type Prepare = (stacks: readonly StackFile[]) => void;

interface ReporterModule {
    file: string;
    reporter: Reporter;
    prepare?: Prepare;
}

/** The reporter modules in name order; `onLoad` runs as each one loads (before the next one's imports). */
function loadModules(dir: string, onLoad: (m: ReporterModule) => void = () => undefined): ReporterModule[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts") && !f.endsWith(".test.ts"))
        .sort()
        .map((f) => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const mod = require(path.join(dir, f));
            if (typeof mod.default !== "function") throw new Error(`tools/plan/reports/${f} must default-export a Reporter function`);
            if (mod.prepare !== undefined && typeof mod.prepare !== "function") throw new Error(`tools/plan/reports/${f}: prepare must be a function`);
            const m: ReporterModule = { file: f, reporter: mod.default as Reporter, prepare: mod.prepare as Prepare | undefined };
            onLoad(m);
            return m;
        });
}

export function loadReporters(dir = path.join(__dirname, "reports")): Reporter[] {
    return loadModules(dir).map((m) => m.reporter);
}

/** The reporters, each told first which stacks the plan will run (see Prepare). */
export function prepareReporters(stacks: readonly StackFile[], dir = path.join(__dirname, "reports")): Reporter[] {
    // Each reporter is prepared as soon as it loads: its work starts before later reporters load the SDK.
    return loadModules(dir, (m) => m.prepare?.(stacks)).map((m) => m.reporter);
}
