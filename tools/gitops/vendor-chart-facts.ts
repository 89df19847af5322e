/**
 * Vendors what each pinned chart installs (CRD kinds, admission webhooks, objects of other charts' kinds it renders)
 * into schemas/runtime/chart-facts.json, from schemas/runtime/chart-facts.sources.json, for the order model
 * (tools/gitops/order.ts).
 *
 *   npx tsx tools/gitops/vendor-chart-facts.ts                 # read raw.githubusercontent.com / the GitHub API at each ref
 *   npx tsx tools/gitops/vendor-chart-facts.ts --mirror <dir>  # read <dir>/<owner>+<name>/repo (bare git mirrors)
 *
 * CRD kinds come from the CRD files themselves. Webhooks and created kinds are declared in the sources file (a chart
 * template is Go text, not data) and checked here against the template at the ref: it must still name every admitted
 * resource / the created kind and every values key of `when`; each key's default is read from the chart's values.yaml.
 * Exit codes: 0 written · 2 a source could not be read or no longer matches its declaration.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { REPO_ROOT } from "../../config/stack-files";

export const CHART_FACTS_DIR = path.join(REPO_ROOT, "schemas", "runtime");

interface WebhookSource {
    template: string;
    /** `group/plural` or `group/*`. */
    resources: string[];
    when: string[];
}
interface CreatesSource {
    /** `group/Kind`. */
    kind: string;
    template: string;
    /** The template that holds the `when` condition, when the object itself lives in a file it includes. */
    gate?: string;
    when: string[];
    capabilityGated?: boolean;
}
interface LookupSource {
    /** The template that reads a Secret with Helm's `lookup` at render time. */
    template: string;
    when: string[];
}
export interface ChartSource {
    chart: string;
    version: string;
    repo: string;
    ref: string;
    dir: string;
    /** Files, or folders (ending in "/") or file-name prefixes, holding CustomResourceDefinitions. */
    crdFiles: string[];
    webhooks: WebhookSource[];
    creates: CreatesSource[];
    lookups?: LookupSource[];
    /** Why the chart installs no CRD or webhook and renders no other chart's kind (read from its templates). */
    none?: string;
}
interface BundleSource {
    name: string;
    repo: string;
    ref: string;
    crdFiles: string[];
}
interface SourcesFile {
    platform: { source: string; groups: string[] };
    charts: ChartSource[];
    bundles: BundleSource[];
}

/** One chart's vendored facts (chart-facts.json). */
export interface ChartFacts {
    chart: string;
    version: string;
    source: string;
    /** `group/Kind` of every CRD the chart installs. */
    crds: string[];
    webhooks: { template: string; resources: string[]; when: { key: string; default: unknown }[] }[];
    creates: { kind: string; template: string; when: { key: string; default: unknown }[]; capabilityGated?: boolean }[];
    /** Secrets the chart reads with Helm `lookup` at render time (absent on a first install, never re-read after). */
    lookups?: { template: string; when: { key: string; default: unknown }[] }[];
    /** Why it installs and renders nothing the order model tracks (from the sources file). */
    none?: string;
}
export interface BundleFacts {
    name: string;
    /** Git repository URL and tag a Flux GitRepository points at to apply the bundle. */
    url: string;
    ref: string;
    source: string;
    crds: string[];
}
export interface ChartFactsFile {
    retrieved: string;
    /** Days after `retrieved` when the snapshot must be compared with upstream again (freshness test). */
    horizonDays: number;
    platform: { source: string; groups: string[] };
    charts: ChartFacts[];
    bundles: BundleFacts[];
}

type Reader = { read(file: string): Promise<string>; list(prefix: string): Promise<string[]> };

function reader(repo: string, ref: string, mirror: string | undefined): Reader {
    if (mirror) {
        const dir = path.join(mirror, repo.replace("/", "+"), "repo");
        const git = (...a: string[]) => execFileSync("git", ["-C", dir, ...a], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        return {
            read: async (f) => git("show", `${ref}:${f}`),
            list: async (p) => git("ls-tree", "-r", "--name-only", ref, p.endsWith("/") ? p : path.posix.dirname(p)).split("\n").filter((f) => f && f.startsWith(p)),
        };
    }
    return {
        read: async (f) => {
            const url = `https://raw.githubusercontent.com/${repo}/${ref}/${f}`;
            const res = await fetch(url);
            if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
            return res.text();
        },
        list: async (p) => {
            const url = `https://api.github.com/repos/${repo}/git/trees/${ref}?recursive=1`;
            const res = await fetch(url);
            if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
            return ((await res.json()) as { tree: { path: string; type: string }[] }).tree.filter((t) => t.type === "blob" && t.path.startsWith(p)).map((t) => t.path);
        },
    };
}

/** `group/Kind` of every CustomResourceDefinition in a (possibly Helm-templated) YAML stream. */
export function crdKinds(text: string): string[] {
    const out: string[] = [];
    for (const doc of text.split(/^---\s*$/m)) {
        if (!/^kind:\s*CustomResourceDefinition\s*$/m.test(doc)) continue;
        const group = /^\s{2}group:\s*["']?([\w.-]+)/m.exec(doc)?.[1];
        const kind = /^\s{2}names:\s*\n(?:\s{4}.*\n)*?\s{4}kind:\s*["']?(\w+)/m.exec(doc)?.[1];
        if (group && kind) out.push(`${group}/${kind}`);
    }
    return out;
}

function valueAt(values: unknown, key: string): unknown {
    let v: any = values;
    for (const k of key.split(".")) v = v && typeof v === "object" ? v[k] : undefined;
    return v;
}

async function chartFacts(c: ChartSource, mirror: string | undefined): Promise<ChartFacts> {
    const r = reader(c.repo, c.ref, mirror);
    const crds: string[] = [];
    for (const p of c.crdFiles) {
        const files = p.endsWith(".yaml") ? [p] : (await r.list(p)).filter((f) => /\.ya?ml$/.test(f));
        for (const f of files) crds.push(...crdKinds(await r.read(f)));
        if (!files.length) throw new Error(`${c.repo}@${c.ref}: no CRD files under ${p}`);
    }
    const values = YAML.parse(await r.read(`${c.dir}/values.yaml`)) ?? {};
    const when = (keys: string[], template: string, text: string) =>
        keys.map((key) => {
            if (!text.includes(`.Values.${key}`) && !text.includes(key.split(".").pop()!)) throw new Error(`${c.repo}@${c.ref} ${template}: no longer reads values key ${key}`);
            return { key, default: valueAt(values, key) ?? null };
        });
    const webhooks: ChartFacts["webhooks"] = [];
    for (const w of c.webhooks) {
        const text = await r.read(w.template);
        for (const res of w.resources) {
            const [group, plural] = res.split("/");
            if (!text.includes(group) || (plural !== "*" && !text.includes(plural))) throw new Error(`${c.repo}@${c.ref} ${w.template}: no webhook rule for ${res}`);
        }
        webhooks.push({ template: w.template, resources: w.resources, when: when(w.when, w.template, text) });
    }
    const creates: ChartFacts["creates"] = [];
    for (const x of c.creates) {
        const text = await r.read(x.template);
        const gate = x.gate ? await r.read(x.gate) : text;
        const kind = x.kind.split("/")[1];
        if (!new RegExp(`^kind:\\s*${kind}\\s*$`, "m").test(text)) throw new Error(`${c.repo}@${c.ref} ${x.template}: renders no ${kind}`);
        if (x.capabilityGated && !gate.includes(".Capabilities.APIVersions.Has")) throw new Error(`${c.repo}@${c.ref} ${x.gate ?? x.template}: no longer gated on .Capabilities`);
        creates.push({ kind: x.kind, template: x.template, when: when(x.when, x.gate ?? x.template, gate), ...(x.capabilityGated ? { capabilityGated: true } : {}) });
    }
    const lookups: NonNullable<ChartFacts["lookups"]> = [];
    for (const l of c.lookups ?? []) {
        const text = await r.read(l.template);
        if (!/lookup\s+"v1"\s+"Secret"/.test(text)) throw new Error(`${c.repo}@${c.ref} ${l.template}: no longer looks up a Secret`);
        lookups.push({ template: l.template, when: when(l.when, l.template, text) });
    }
    return {
        chart: c.chart,
        version: c.version,
        source: `https://github.com/${c.repo}/tree/${c.ref}/${c.dir}`,
        crds: [...new Set(crds)].sort(),
        webhooks,
        creates,
        ...(lookups.length ? { lookups } : {}),
        ...(c.none ? { none: c.none } : {}),
    };
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const mi = args.indexOf("--mirror");
    const mirror = mi >= 0 ? args[mi + 1] : undefined;
    if (mi >= 0 && !mirror) throw new Error("--mirror needs a directory");
    const src = JSON.parse(fs.readFileSync(path.join(CHART_FACTS_DIR, "chart-facts.sources.json"), "utf8")) as SourcesFile;
    const charts: ChartFacts[] = [];
    for (const c of src.charts) charts.push(await chartFacts(c, mirror));
    const bundles: BundleFacts[] = [];
    for (const b of src.bundles) {
        const r = reader(b.repo, b.ref, mirror);
        const crds: string[] = [];
        for (const f of b.crdFiles) crds.push(...crdKinds(await r.read(f)));
        bundles.push({ name: b.name, url: `https://github.com/${b.repo}`, ref: b.ref, source: `https://github.com/${b.repo}/blob/${b.ref}/${b.crdFiles[0]}`, crds: [...new Set(crds)].sort() });
    }
    const out: ChartFactsFile = { retrieved: new Date().toISOString().slice(0, 10), horizonDays: 120, platform: src.platform, charts, bundles };
    fs.writeFileSync(path.join(CHART_FACTS_DIR, "chart-facts.json"), JSON.stringify(out, null, 2) + "\n");
    console.log(`vendored facts of ${charts.length} chart(s) and ${bundles.length} bundle(s) into schemas/runtime/chart-facts.json`);
}

if (require.main === module) {
    main().catch((e) => {
        console.error(`vendor-chart-facts: ${(e as Error).message} (no network? pass --mirror <dir> with git mirrors of the repositories)`);
        process.exit(2);
    });
}
