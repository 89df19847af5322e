/**
 * Human output of a plan: the resource tree (parent → children, type, name) and counts by type.
 * Values are never printed here; where a report prints one, `display()` shows secrets as [secret].
 */
import { isSecretEnvelope, type RecordedResource } from "./monitor";

export function display(value: unknown): string {
    if (isSecretEnvelope(value)) return "[secret]";
    if (Array.isArray(value)) return `[${value.map(display).join(", ")}]`;
    if (value && typeof value === "object") return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${display(v)}`).join(", ")} }`;
    return String(value);
}

export function renderTree(resources: RecordedResource[]): string[] {
    const children = new Map<string | undefined, RecordedResource[]>();
    for (const r of resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const lines: string[] = [];
    const walk = (r: RecordedResource, prefix: string, last: boolean, root: boolean) => {
        const flags = [
            r.protect ? "protect" : "",
            r.replaceOnChanges.length ? `replace on change: ${r.replaceOnChanges.join(", ")}` : "",
            r.replacementTrigger !== undefined ? `replaced when ${display(r.replacementTrigger)} changes` : "",
            r.retainOnDelete ? "retain on delete" : "",
        ].filter(Boolean);
        lines.push(`${prefix}${root ? "" : last ? "└─ " : "├─ "}${r.type}  ${r.name}${flags.length ? `  (${flags.join("; ")})` : ""}`);
        const kids = children.get(r.urn) ?? [];
        kids.forEach((k, i) => walk(k, root ? "" : prefix + (last ? "   " : "│  "), i === kids.length - 1, false));
    };
    const roots = children.get(undefined) ?? [];
    roots.forEach((r, i) => walk(r, "", i === roots.length - 1, true));
    return lines;
}

export function countByType(resources: readonly { type: string }[]): [string, number][] {
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export function renderCounts(resources: readonly { type: string }[]): string[] {
    const counts = countByType(resources);
    const width = Math.max(...counts.map(([t]) => t.length));
    return [...counts.map(([t, n]) => `  ${t.padEnd(width)}  ${n}`), `  ${"total".padEnd(width)}  ${resources.length}`];
}
