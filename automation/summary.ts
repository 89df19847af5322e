/**
 * The Markdown the pipelines post: one PR comment per stack (edited in place, found by its marker line, as
 * pulumi/actions does), the job summary, and the drift issue body. Only URNs, types, property names, policy
 * messages and counts appear here, never property values.
 */
import type { ChangeOp, DriftedResource, PolicyViolation, ResourceChange } from "./events";
import type { Host } from "./host";

/** Hidden first line that identifies the comment/issue of one stack and command, so it is updated, not duplicated. */
export function marker(kind: string, stack: string): string {
    return `<!-- aiplatform-pipeline:${kind}:${stack} -->`;
}

const MAX_ROWS = 200;

/** Writes a summary file and appends it to the GitHub job summary when there is one. */
export function publishSummary(host: Host, file: string, markdown: string): void {
    host.writeFile(file, markdown);
    const jobSummary = host.env.GITHUB_STEP_SUMMARY;
    if (jobSummary) host.appendFile(jobSummary, markdown + "\n");
}

export function cell(s: string): string {
    return s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ").replace(/</g, "&lt;");
}

function short(commit: string | undefined): string {
    return commit ? `\`${commit.slice(0, 12)}\`` : "unknown commit";
}

export interface ChangeSummaryInput {
    command: "preview" | "up" | "promote";
    stack: string;
    commit?: string;
    counts: Record<ChangeOp, number>;
    changes: ResourceChange[];
    protectedChanges: ResourceChange[];
    policy: PolicyViolation[];
    /** One line: what happened (e.g. "preview succeeded", "refused: protected resources"). */
    outcome: string;
    ok: boolean;
    /** Error diagnostics reported by the engine. */
    errors?: string[];
    promotedFrom?: string;
}

const ICON: Record<ChangeOp, string> = { create: "+", update: "~", replace: "+-", delete: "-" };

export function renderChangeSummary(s: ChangeSummaryInput): string {
    const c = s.counts;
    const mandatory = s.policy.filter((p) => p.enforcementLevel === "mandatory").length;
    const advisory = s.policy.length - mandatory;
    const lines: string[] = [marker(s.command === "promote" ? "up" : s.command, s.stack)];
    lines.push(`### ${s.ok ? "✅" : "❌"} \`${s.stack}\` — ${s.command}${s.promotedFrom ? ` from \`${s.promotedFrom}\`` : ""}`);
    lines.push("");
    lines.push(`**${s.outcome}** · commit ${short(s.commit)}`);
    lines.push("");
    lines.push("| create | update | replace | delete | policy (mandatory / advisory) |");
    lines.push("|---:|---:|---:|---:|---|");
    lines.push(`| ${c.create} | ${c.update} | ${c.replace} | ${c.delete} | ${mandatory} / ${advisory} |`);

    if (s.protectedChanges.length) {
        lines.push("", `#### ⚠️ Protected resources replaced or deleted (${s.protectedChanges.length})`, "");
        for (const p of s.protectedChanges) lines.push(`- \`${p.op}\` ${cell(p.type)} \`${cell(p.name)}\``);
    }
    if (s.policy.length) {
        lines.push("", `#### Policy violations (${s.policy.length})`, "", "| level | policy | resource | message |", "|---|---|---|---|");
        for (const p of s.policy) {
            lines.push(`| ${p.enforcementLevel} | \`${cell(p.policyName)}\` | ${p.name ? `\`${cell(p.name)}\`` : "stack"} | ${cell(p.message)} |`);
        }
    }
    if (s.errors?.length) {
        lines.push("", "#### Errors", "");
        for (const e of s.errors.slice(0, 20)) lines.push(`- ${cell(e)}`);
    }
    if (s.changes.length) {
        lines.push("", `<details><summary>Resource changes (${s.changes.length})</summary>`, "");
        lines.push("| op | type | name | changed properties |", "|---|---|---|---|");
        for (const r of s.changes.slice(0, MAX_ROWS)) {
            const props = r.properties.length ? r.properties.map((p) => `\`${cell(p)}\``).join(", ") : "";
            lines.push(`| \`${ICON[r.op]}\` ${r.op}${r.protect ? " 🔒" : ""} | ${cell(r.type)} | \`${cell(r.name)}\` | ${props} |`);
        }
        if (s.changes.length > MAX_ROWS) lines.push(`| | | … and ${s.changes.length - MAX_ROWS} more | |`);
        lines.push("", "</details>");
    } else {
        lines.push("", "No resource changes.");
    }
    return lines.join("\n") + "\n";
}

export interface DriftSummaryInput {
    stack: string;
    commit?: string;
    drifted: DriftedResource[];
    checkedAt: Date;
}

export function renderDriftSummary(s: DriftSummaryInput): string {
    const lines = [marker("drift", s.stack)];
    if (!s.drifted.length) {
        lines.push(`### ✅ \`${s.stack}\` — no drift`, "", `Refreshed ${s.checkedAt.toISOString()} at commit ${short(s.commit)}; the state matches Azure.`);
        return lines.join("\n") + "\n";
    }
    lines.push(`### ⚠️ \`${s.stack}\` — drift in ${s.drifted.length} resource${s.drifted.length > 1 ? "s" : ""}`);
    lines.push("", `Refreshed ${s.checkedAt.toISOString()} at commit ${short(s.commit)} (preview only; the state was not changed).`);
    lines.push("", "| type | name | drifted properties |", "|---|---|---|");
    for (const d of s.drifted.slice(0, MAX_ROWS)) {
        lines.push(`| ${cell(d.type)} | \`${cell(d.name)}\` | ${d.properties.map((p) => `\`${cell(p)}\``).join(", ")} |`);
    }
    if (s.drifted.length > MAX_ROWS) lines.push(`| | … and ${s.drifted.length - MAX_ROWS} more | |`);
    lines.push(
        "",
        "Either bring Azure back to the code (`npm run pipeline -- up --stack " + s.stack + "`) or change the code to match and open a PR; " +
            "`pulumi refresh` accepts the live values into the state.",
    );
    return lines.join("\n") + "\n";
}
