/**
 * Where the stack files are and what they say. Spokes live at the repository root, the hub in hub/.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { closest, ConfigError } from "./problems";

export const REPO_ROOT = path.resolve(__dirname, "..");
export const CONFIG_NAMESPACE = "aiplatform";

export interface StackFile {
    stack: string;
    kind: "spoke" | "hub";
    /** Pulumi project directory (repo root or hub/). */
    projectDir: string;
    /** Project name from that directory's Pulumi.yaml. */
    project: string;
    /** Path of Pulumi.<stack>.yaml relative to the repository root, as messages show it. */
    file: string;
}

function projectName(dir: string): string {
    const doc = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
    return String(doc.name);
}

const ORDER = ["hub", "dev", "stg", "prd"];
const rank = (stack: string) => ORDER.indexOf(stack.split("-")[0]);

/** Every stack of both projects in deployment order: hub, dev, stg, prd. */
export function listStacks(root = REPO_ROOT): StackFile[] {
    const found: StackFile[] = [];
    for (const [kind, dir] of [["hub", path.join(root, "hub")], ["spoke", root]] as const) {
        const project = projectName(dir);
        for (const f of fs.readdirSync(dir).sort()) {
            const m = /^Pulumi\.(.+)\.yaml$/.exec(f);
            if (m) found.push({ stack: m[1], kind, projectDir: dir, project, file: path.relative(root, path.join(dir, f)) });
        }
    }
    return found.sort((a, b) => rank(a.stack) - rank(b.stack) || a.stack.localeCompare(b.stack));
}

/** The `config:` map of a stack file, keys as written (e.g. "aiplatform:network"). */
/** Parsed stack files by path, with the text they were parsed from: every stack's validation reads its siblings. */
const parsed = new Map<string, { text: string; config: Record<string, unknown> }>();

export function readStackConfig(file: string, root = REPO_ROOT): Record<string, unknown> {
    const full = path.join(root, file);
    let text: string;
    try {
        text = fs.readFileSync(full, "utf8");
    } catch (e) {
        throw new ConfigError(file, [`${file}: cannot read the stack file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
    }
    // The file is re-read each time (cheap) and re-parsed only when its text changed; callers get their own copy.
    const hit = parsed.get(full);
    if (hit?.text === text) return structuredClone(hit.config);
    const config = parseStackConfig(file, text);
    parsed.set(full, { text, config });
    return structuredClone(config);
}

/** Stack files are a few KB; anything near this is a mistake, and parsing it would take minutes. */
export const MAX_STACK_FILE_BYTES = 1024 * 1024;

function parseStackConfig(file: string, text: string): Record<string, unknown> {
    if (Buffer.byteLength(text) > MAX_STACK_FILE_BYTES) {
        throw new ConfigError(file, [`${file}: is ${(Buffer.byteLength(text) / 1024 / 1024).toFixed(1)} MB; a stack file may be at most ${MAX_STACK_FILE_BYTES / 1024 / 1024} MB`]);
    }
    const doc = YAML.parseDocument(text, { prettyErrors: true });
    if (doc.errors.length) {
        throw new ConfigError(file, doc.errors.map((e) => `${file}: YAML error: ${e.message.split("\n")[0]}`));
    }
    let body;
    try {
        body = doc.toJS() ?? {};
    } catch (e) {
        // e.g. "Excessive alias count" for an alias bomb: the yaml library throws while expanding.
        throw new ConfigError(file, [`${file}: YAML error: ${(e as Error).message.split("\n")[0]}`]);
    }
    if (typeof body !== "object" || Array.isArray(body)) throw new ConfigError(file, [`${file}: expected a mapping with a 'config:' key`]);
    const config = body.config ?? {};
    if (typeof config !== "object" || Array.isArray(config)) throw new ConfigError(file, [`${file}: 'config:' must be a mapping`]);
    return config;
}

/**
 * What an encrypted value (`pulumi config set --secret` writes `key: { secure: <ciphertext> }`) reads as offline:
 * its ciphertext needs the stack's secrets provider, so readers see this stand-in (the plan marks it secret).
 */
export const SECRET_PLACEHOLDER = "offline-plan-secret-placeholder";

/** A `secure:` entry as `pulumi config set --secret` writes it. */
export function isSecureValue(v: unknown): v is { secure: string } {
    return !!v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { secure?: unknown }).secure === "string";
}

/** Our namespace's keys without the prefix: { network: {...}, environment: "dev", ... }; `secure:` values read as SECRET_PLACEHOLDER. */
export function namespaceValues(config: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) {
        if (k.startsWith(CONFIG_NAMESPACE + ":")) out[k.slice(CONFIG_NAMESPACE.length + 1)] = isSecureValue(v) ? SECRET_PLACEHOLDER : v;
    }
    return out;
}

/** Config namespaces something in this repository reads: ours and the providers' own (`azure-native:location`, ...). */
const KNOWN_NAMESPACES = [CONFIG_NAMESPACE, "azure-native", "cloudflare", "kubernetes", "random", "tls", "pulumi"];

/** A warning per key in a namespace nothing reads (`aiplatfrom:namePrefix` is silently ignored by Pulumi). */
export function unknownNamespaceWarnings(file: string, config: Record<string, unknown>): string[] {
    return Object.keys(config).flatMap((key) => {
        const ns = key.includes(":") ? key.slice(0, key.indexOf(":")) : "";
        if (KNOWN_NAMESPACES.includes(ns)) return [];
        const guess = closest(ns, KNOWN_NAMESPACES);
        const meant = guess ? `; did you mean ${guess}:${key.slice(ns.length + 1)}?` : "";
        return [`${file}: ${key}: no namespace this project reads (${KNOWN_NAMESPACES.join(", ")}), so it is ignored${meant}`];
    });
}

/** The project and stack a fully qualified stack name (`<organization>/<project>/<stack>`) names, if it is one. */
export function stackRefParts(ref: unknown): { project: string; stack: string } | undefined {
    const m = typeof ref === "string" ? /^[^/]+\/([^/]+)\/([^/]+)$/.exec(ref) : null;
    return m ? { project: m[1], stack: m[2] } : undefined;
}
