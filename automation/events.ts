/**
 * Reads the engine event stream (`onEvent`) of a preview, update or refresh into what the pipeline decides on:
 * resource changes (with protection and changed property names), policy violations, drifted resources and the
 * change counts. Property *values* are never kept: the summary and drift report name properties only, so no
 * secret (or anything else) from the state reaches a PR comment or an issue.
 *
 * Policy results come from `policyEvent`s, not from `pulumi preview --json` (which carries none, pulumi/pulumi#18851).
 */
import type { EngineEvent, OpMap, OpType, StepEventMetadata } from "@pulumi/pulumi/automation";

export type ChangeOp = "create" | "update" | "replace" | "delete";

export interface ResourceChange {
    op: ChangeOp;
    urn: string;
    type: string;
    name: string;
    /** `protect` set on the resource before or after the change. */
    protect: boolean;
    /** Changed property paths; "(replace)" marks the ones forcing replacement. */
    properties: string[];
}

export interface PolicyViolation {
    policyName: string;
    policyPack: string;
    enforcementLevel: string;
    urn?: string;
    name?: string;
    message: string;
}

export interface DriftedResource {
    urn: string;
    type: string;
    name: string;
    /** Property names whose live value differs from the state, or a marker for a resource deleted outside Pulumi. */
    properties: string[];
}

export const DELETED_OUTSIDE = "(deleted outside Pulumi)";

const OP_RANK: Record<ChangeOp, number> = { create: 1, update: 2, delete: 3, replace: 4 };

function toChangeOp(op: OpType): ChangeOp | undefined {
    switch (op) {
        case "create":
        case "import":
            return "create";
        case "update":
            return "update";
        case "delete":
        case "discard":
            return "delete";
        case "replace":
        case "create-replacement":
        case "delete-replaced":
        case "import-replacement":
        case "discard-replaced":
            return "replace";
        default:
            return undefined; // same, read, refresh, read-replacement, remove-pending-replace
    }
}

export function resourceName(urn: string): string {
    const i = urn.lastIndexOf("::");
    return i >= 0 ? urn.slice(i + 2) : urn;
}

/** Strip ANSI escapes and Pulumi's `<{%fg 1%}>` colour directives. */
export function plainText(s: string): string {
    // eslint-disable-next-line no-control-regex
    return s.replace(/\u001b\[[0-9;]*m/g, "").replace(/<\{%[^%]*%\}>/g, "").trim();
}

function changedProperties(m: StepEventMetadata): string[] {
    const replaceKeys = new Set(m.keys ?? []);
    const detailed = m.detailedDiff ?? {};
    const names = Object.keys(detailed).length ? Object.keys(detailed) : (m.diffs ?? []);
    const props = names.map((k) => {
        const kind = detailed[k]?.diffKind ?? "";
        return replaceKeys.has(k) || kind.endsWith("-replace") ? `${k} (replace)` : k;
    });
    for (const k of replaceKeys) if (!names.includes(k)) props.push(`${k} (replace)`);
    return [...new Set(props)].sort();
}

function sameJson(a: unknown, b: unknown): boolean {
    return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === "object") {
        return Object.fromEntries(
            Object.keys(v as object)
                .sort()
                .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
        );
    }
    return v;
}

/** Top-level output properties whose value differs between the stored and the refreshed state. */
function outputDifferences(m: StepEventMetadata): string[] {
    const before = m.old?.outputs ?? {};
    const after = m.new?.outputs ?? {};
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].filter((k) => !k.startsWith("__") && !sameJson(before[k], after[k])).sort();
}

export class EventCollector {
    private readonly byUrn = new Map<string, ResourceChange>();
    private readonly drifted = new Map<string, DriftedResource>();
    readonly policy: PolicyViolation[] = [];
    readonly errors: string[] = [];
    summary: OpMap | undefined;

    /** `changes` for previews and updates; `drift` for a refresh, where refresh steps carry the differences. */
    constructor(private readonly mode: "changes" | "drift") {}

    readonly onEvent = (event: EngineEvent): void => {
        if (event.resourcePreEvent) this.step(event.resourcePreEvent.metadata);
        if (event.resOutputsEvent) this.step(event.resOutputsEvent.metadata);
        if (event.policyEvent) {
            const p = event.policyEvent;
            this.policy.push({
                policyName: p.policyName,
                policyPack: p.policyPackName,
                enforcementLevel: p.enforcementLevel,
                urn: p.resourceUrn,
                name: p.resourceUrn ? resourceName(p.resourceUrn) : undefined,
                message: plainText(p.message),
            });
        }
        if (event.summaryEvent) this.summary = event.summaryEvent.resourceChanges;
        if (event.diagnosticEvent?.severity === "error") {
            const msg = plainText(event.diagnosticEvent.message).replace(/^error:\s*/i, "");
            if (msg && !this.errors.includes(msg)) this.errors.push(msg);
        }
    };

    private step(m: StepEventMetadata): void {
        if (!m?.urn) return;
        if (this.mode === "drift") return this.driftStep(m);
        const op = toChangeOp(m.op);
        if (!op) return;
        const protect = Boolean(m.old?.protect || m.new?.protect);
        const prev = this.byUrn.get(m.urn);
        const properties = changedProperties(m);
        if (!prev) {
            this.byUrn.set(m.urn, { op, urn: m.urn, type: m.type, name: resourceName(m.urn), protect, properties });
            return;
        }
        if (OP_RANK[op] > OP_RANK[prev.op]) prev.op = op;
        prev.protect ||= protect;
        prev.properties = [...new Set([...prev.properties, ...properties])].sort();
    }

    private driftStep(m: StepEventMetadata): void {
        if (m.op === "same" || m.op === "read") return;
        let props: string[];
        if (m.op === "delete" || (m.old && !m.new) || m.new?.delete) props = [DELETED_OUTSIDE];
        else {
            props = changedProperties(m).map((p) => p.replace(/ \(replace\)$/, ""));
            if (!props.length) props = outputDifferences(m);
            if (!props.length && m.op !== "refresh") props = ["(changed)"];
        }
        if (!props.length) return;
        const prev = this.drifted.get(m.urn);
        if (prev) prev.properties = [...new Set([...prev.properties, ...props])].sort();
        else this.drifted.set(m.urn, { urn: m.urn, type: m.type, name: resourceName(m.urn), properties: props });
    }

    /** Resource changes, most severe first (replace, delete, update, create), then by URN. */
    changes(): ResourceChange[] {
        return [...this.byUrn.values()].sort((a, b) => OP_RANK[b.op] - OP_RANK[a.op] || a.urn.localeCompare(b.urn));
    }

    /** Replacements or deletions of protected resources: what `up` refuses without --allow-protected-changes. */
    protectedChanges(): ResourceChange[] {
        return this.changes().filter((c) => c.protect && (c.op === "replace" || c.op === "delete"));
    }

    mandatoryViolations(): PolicyViolation[] {
        return this.policy.filter((p) => p.enforcementLevel === "mandatory");
    }

    driftedResources(): DriftedResource[] {
        return [...this.drifted.values()].sort((a, b) => a.urn.localeCompare(b.urn));
    }

    /** Counts by operation: the engine's summary if it sent one, else counted from the steps seen. */
    counts(): Record<ChangeOp, number> {
        const out: Record<ChangeOp, number> = { create: 0, update: 0, replace: 0, delete: 0 };
        if (this.summary && this.mode === "changes") {
            out.create = (this.summary.create ?? 0) + (this.summary.import ?? 0);
            out.update = this.summary.update ?? 0;
            out.replace = this.summary.replace ?? 0;
            out.delete = (this.summary.delete ?? 0) + (this.summary.discard ?? 0);
            return out;
        }
        for (const c of this.byUrn.values()) out[c.op]++;
        return out;
    }

    /** Changes the refresh summary reports beyond "same" (a backstop when no step carried details). */
    summaryDriftCount(): number {
        if (!this.summary) return 0;
        return Object.entries(this.summary)
            .filter(([op]) => !["same", "read", "refresh"].includes(op))
            .reduce((n, [, v]) => n + (v ?? 0), 0);
    }
}
