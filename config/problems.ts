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
export class ConfigError extends Error {
    constructor(readonly file: string, readonly messages: string[]) {
        super(`invalid stack config in ${file}:\n  ${messages.join("\n  ")}`);
        this.name = "ConfigError";
    }
}
