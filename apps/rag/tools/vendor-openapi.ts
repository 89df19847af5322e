/**
 * Vendors the part of each published OpenAPI document (apps/rag/tests/openapi/sources.json) that the app calls: the
 * listed operations and every component they reference, copied verbatim from upstream with source, commit and date.
 * The loopback stand-ins validate requests and responses against these files, so a client call that drifts from the
 * published API fails the tests.
 *
 *   npx tsx apps/rag/tools/vendor-openapi.ts [name...]            # from GitHub (raw + API for the commit)
 *   npx tsx apps/rag/tools/vendor-openapi.ts --from <dir> [name]  # from local checkouts <dir>/<owner>+<repo> (git)
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

interface Source { repository: string; ref: string; path: string; pinnedBy: string; operations: [string, string][]; extraSchemas: string[] }
type Json = Record<string, unknown>;

const DIR = path.join(__dirname, "..", "tests", "openapi");
const sources = JSON.parse(fs.readFileSync(path.join(DIR, "sources.json"), "utf8")) as { specs: Record<string, Source> };

/** Every `#/components/<kind>/<name>` reachable from `roots`, with the documents' own objects. */
export function subset(doc: Json, src: Pick<Source, "operations" | "extraSchemas">): Json {
    const components = (doc.components ?? {}) as Record<string, Record<string, unknown>>;
    const picked: Record<string, Record<string, unknown>> = {};
    const queue: unknown[] = [];
    const paths: Record<string, Record<string, unknown>> = {};
    for (const [method, p] of src.operations) {
        const op = ((doc.paths as Record<string, Record<string, unknown>>)[p] ?? {})[method];
        if (!op) throw new Error(`${method.toUpperCase()} ${p} is not in the document`);
        (paths[p] ??= {})[method] = op;
        queue.push(op);
    }
    for (const s of src.extraSchemas) queue.push({ $ref: `#/components/schemas/${s}` });
    while (queue.length) {
        const node = queue.pop();
        if (Array.isArray(node)) { queue.push(...node); continue; }
        if (!node || typeof node !== "object") continue;
        for (const [k, v] of Object.entries(node)) {
            const m = k === "$ref" && typeof v === "string" ? /^#\/components\/([^/]+)\/(.+)$/.exec(v) : null;
            if (m) {
                const [, kind, name] = m;
                if (picked[kind]?.[name] === undefined) {
                    const target = components[kind]?.[name];
                    if (target === undefined) throw new Error(`dangling $ref ${v}`);
                    (picked[kind] ??= {})[name] = target;
                    queue.push(target);
                }
            } else queue.push(v);
        }
    }
    return { openapi: doc.openapi, info: doc.info, paths, components: picked };
}

async function load(name: string, src: Source, from?: string): Promise<{ doc: Json; commit: string }> {
    if (from) {
        const git = path.join(from, src.repository.replace("/", "+"));
        const run = (...args: string[]) => execFileSync("git", ["-C", git, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
        return { doc: JSON.parse(run("show", `${src.ref}:${src.path}`)), commit: run("rev-list", "-n1", src.ref).trim() };
    }
    const api = await fetch(`https://api.github.com/repos/${src.repository}/commits/${src.ref}`, { headers: { accept: "application/vnd.github.sha" } });
    if (!api.ok) throw new Error(`${name}: GitHub answered ${api.status} for ${src.repository}@${src.ref}`);
    const commit = (await api.text()).trim();
    const raw = await fetch(`https://raw.githubusercontent.com/${src.repository}/${commit}/${src.path}`);
    if (!raw.ok) throw new Error(`${name}: ${raw.status} for ${src.path} at ${commit}`);
    return { doc: (await raw.json()) as Json, commit };
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const fromAt = args.indexOf("--from");
    const from = fromAt >= 0 ? args.splice(fromAt, 2)[1] : undefined;
    const names = args.length ? args : Object.keys(sources.specs);
    for (const name of names) {
        const src = sources.specs[name];
        if (!src) { console.error(`unknown spec ${name}; known: ${Object.keys(sources.specs).join(", ")}`); process.exit(2); }
        let loaded: { doc: Json; commit: string };
        try { loaded = await load(name, src, from); } catch (e) {
            console.error(`${name}: could not read ${src.repository}@${src.ref}:${src.path} (${(e as Error).message}); the vendored file is unchanged`);
            process.exitCode = 1;
            continue;
        }
        const out = {
            "x-vendored": {
                source: `https://github.com/${src.repository}/blob/${loaded.commit}/${src.path}`,
                repository: src.repository, ref: src.ref, commit: loaded.commit, path: src.path,
                version: (loaded.doc.info as Json).version, retrieved: new Date().toISOString().slice(0, 10),
                pinnedBy: src.pinnedBy, note: "subset: the listed operations and the components they reference, copied verbatim",
            },
            ...subset(loaded.doc, src),
        };
        fs.writeFileSync(path.join(DIR, `${name}.json`), JSON.stringify(out) + "\n");
        console.log(`${name}: ${src.operations.length} operations, ${Object.values((out as Json).components as Json).reduce((n: number, c) => n + Object.keys(c as Json).length, 0)} components from ${src.repository}@${loaded.commit.slice(0, 12)}`);
    }
}

if (require.main === module) void main();
