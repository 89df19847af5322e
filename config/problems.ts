/** A config problem at a key path under `aiplatform:`, and the error that carries all of them at once. */
export interface Problem {
    path: (string | number)[];
    message: string;
}

export function keyOf(path: (string | number)[]): string {
    return "aiplatform:" + path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

function valueAt(raw: unknown, path: (string | number)[]): unknown {
    let v: any = raw;
    for (const p of path) {
        if (v === null || typeof v !== "object") return undefined;
        v = v[p as any];
    }
    return v;
}

function show(v: unknown): string {
    if (v === undefined) return "(not set)";
    const s = JSON.stringify(v);
    return s.length > 80 ? s.slice(0, 77) + "..." : s;
}

/** `Pulumi.dev-uaenorth.yaml: aiplatform:nodePools[1].minCount = 5: must be ≤ maxCount (3)` */
export function formatProblem(file: string, raw: unknown, p: Problem): string {
    return `${file}: ${keyOf(p.path)} = ${show(valueAt(raw, p.path))}: ${p.message}`;
}

/** Thrown before any resource is declared; `messages` holds one line per problem. */
/** A message line is cut here: a pasted blob in a stack file must not become a 65 KB line of output. */
const MAX_MESSAGE = 400;

export class ConfigError extends Error {
    readonly messages: string[];
    constructor(readonly file: string, messages: string[]) {
        messages = messages.map((m) => (m.length > MAX_MESSAGE ? `${m.slice(0, MAX_MESSAGE - 3)}...` : m));
        super(`invalid stack config in ${file}:\n  ${messages.join("\n  ")}`);
        this.messages = messages;
        this.name = "ConfigError";
    }
}

/** Edit distance (insert, delete, substitute), for "did you mean" suggestions. */
function distance(a: string, b: string): number {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const row = [i];
        for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = row;
    }
    return prev[b.length];
}

/** The candidate closest to `word` (case-insensitive), if it is close enough to be the intended one. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: { c: string; d: number } | undefined;
    for (const c of candidates) {
        const d = distance(word.toLowerCase(), c.toLowerCase());
        if (!best || d < best.d) best = { c, d };
    }
    return best && best.d <= Math.max(2, Math.floor(word.length / 4)) ? best.c : undefined;
}
