/**
 * Checks and summaries that run on every planned stack after the program (policy pack, GitOps overlay, quota,
 * certificates, Flux). Each concern adds one reporter to REPORTERS; a report with failures makes the plan exit 1.
 */
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

export const REPORTERS: Reporter[] = [];
