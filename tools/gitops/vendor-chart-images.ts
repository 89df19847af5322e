/**
 * Vendors the default image fields of the pinned charts listed in schemas/chart-images/sources.json into
 * schemas/chart-images/<chart>-<version>.json: every mapping of the chart's values.yaml (and of its subcharts') that
 * names an image, copied as upstream wrote it, with the nearest enclosing `enabled` flag (the chart convention that
 * switches the component that pulls it). The egress model (tools/gitops/egress.ts) resolves them against a
 * HelmRelease's values to find the registries a release pulls from.
 *
 *   npx tsx tools/gitops/vendor-chart-images.ts                 # raw.githubusercontent.com + api.github.com (commit)
 *   npx tsx tools/gitops/vendor-chart-images.ts --mirror <dir>  # <dir>/<owner>+<name>/repo (bare git mirrors)
 *
 * Exit codes: 0 written · 2 a source could not be read (offline: says so and writes nothing).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { readUpstream, SCHEMAS_DIR } from "./vendor-schemas";

export const CHART_IMAGES_DIR = path.join(SCHEMAS_DIR, "chart-images");

interface Upstream {
    repo: string;
    ref: string;
    values: string;
}

export interface ChartImageSource extends Upstream {
    chart: string;
    version: string;
    /** How the chart's templates build an image whose repository is empty: `{key}` = a value, `{name}` = the image's name. */
    repositoryDefault?: string;
    /** Values subtrees rendered only when another value is true (read from the chart's templates): prefix → key. */
    conditions?: Record<string, string>;
    subcharts?: (Upstream & { key: string; condition: string })[];
}

export interface ImageField {
    /** Dotted values path of the image mapping or string. */
    path: string;
    /** The upstream value at that path, as written (image fields only for mappings). */
    value: string | Record<string, unknown>;
    /** Dotted values path of the nearest enclosing `enabled` flag, if any, and the chart's default for it. */
    enabledBy?: string;
    enabledDefault?: boolean;
}

export interface ChartImages {
    chart: string;
    version: string;
    source: { repo: string; ref: string; commit: string; url: string };
    retrieved: string;
    repositoryDefault?: string;
    /** Top-level values the repositoryDefault template reads, as upstream sets them. */
    defaults?: Record<string, unknown>;
    /** Values subtrees rendered only when `key` is true, with the chart's default for it. */
    conditions?: { prefix: string; key: string; default: unknown }[];
    images: ImageField[];
    /** Dependencies of Chart.yaml: values key, condition and its default in the parent's values. */
    subcharts: { key: string; condition: string; conditionDefault?: boolean; source: { repo: string; ref: string; commit: string; url: string }; images: ImageField[] }[];
}

const IMAGE_KEYS = ["registry", "defaultRegistry", "repository", "repo", "image", "name", "tag", "version", "digest", "sha"];

/**
 * Image fields of a parsed values.yaml: mappings with a string `repository`/`repo`, `image` mappings with a `name` and a
 * `tag`, and strings under keys ending in `image`.
 */
export function imageFields(values: unknown): ImageField[] {
    const out: ImageField[] = [];
    type Flag = { enabledBy: string; enabledDefault: boolean } | undefined;
    // `enabled` by convention; F5 NGINX uses `enable` (controller.appprotect.enable), Flagger `install` (prometheus.install).
    const flagOf = (o: Record<string, unknown>, at: string): Flag => {
        const k = ["enabled", "enable", "install"].find((f) => typeof o[f] === "boolean");
        return k && at ? { enabledBy: `${at}.${k}`, enabledDefault: o[k] as boolean } : undefined;
    };
    const walk = (x: unknown, at: string, flag: Flag) => {
        if (!x || typeof x !== "object" || Array.isArray(x)) return;
        const o = x as Record<string, unknown>;
        const here: Flag = flagOf(o, at) ?? flag;
        for (const [k, v] of Object.entries(o)) {
            const p = at ? `${at}.${k}` : k;
            const m = v as Record<string, unknown>;
            if (m && typeof m === "object" && !Array.isArray(m) && ((typeof m.repository === "string" && (m.repository || typeof m.name === "string")) || typeof m.repo === "string")) {
                const own: Flag = flagOf(m, p) ?? here;
                const value = Object.fromEntries(Object.entries(m).filter(([f, y]) => IMAGE_KEYS.includes(f) && (y === null || typeof y !== "object")));
                out.push({ path: p, value, ...own });
            } else if (k === "image" && m && typeof m === "object" && typeof m.name === "string" && /^[\w.-]+(:\d+)?(\/[\w.-]+)*$/.test(m.name) && "tag" in m) {
                // `image: {name, tag}` (zero-to-jupyterhub-k8s): the name is the whole repository reference.
                const value = Object.fromEntries(Object.entries(m).filter(([f, y]) => IMAGE_KEYS.includes(f) && (y === null || typeof y !== "object")));
                out.push({ path: p, value, ...here });
            } else if (typeof v === "string" && /image$/i.test(k) && /^[\w.-]+(:\d+)?\/[\w./-]+([:@][\w.:-]+)?$|^[\w.-]+:[\w.-]+$/.test(v)) {
                out.push({ path: p, value: v, ...here });
            } else walk(v, p, here);
        }
    };
    walk(values, "", undefined);
    return out;
}

async function commitOf(u: Upstream, mirror: string | undefined): Promise<string> {
    if (mirror) return execFileSync("git", ["-C", path.join(mirror, u.repo.replace("/", "+"), "repo"), "rev-parse", `${u.ref}^{commit}`], { encoding: "utf8" }).trim();
    const res = await fetch(`https://api.github.com/repos/${u.repo}/commits/${encodeURIComponent(u.ref)}`, { headers: { accept: "application/vnd.github.sha" } });
    if (!res.ok) throw new Error(`api.github.com ${u.repo}@${u.ref}: HTTP ${res.status}`);
    return (await res.text()).trim();
}

async function vendor(u: Upstream, mirror: string | undefined) {
    const text = await readUpstream(u, u.values, mirror);
    const commit = await commitOf(u, mirror);
    const values = YAML.parse(text) ?? {};
    return { values, source: { repo: u.repo, ref: u.ref, commit, url: `https://github.com/${u.repo}/blob/${commit}/${u.values}` }, images: imageFields(values) };
}

export function chartImageSources(): ChartImageSource[] {
    return JSON.parse(fs.readFileSync(path.join(CHART_IMAGES_DIR, "sources.json"), "utf8")).charts;
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const mi = args.indexOf("--mirror");
    const mirror = mi >= 0 ? args[mi + 1] : undefined;
    if (mi >= 0 && !mirror) throw new Error("--mirror needs a directory");
    const retrieved = new Date().toISOString().slice(0, 10);
    const files: [string, ChartImages][] = [];
    for (const c of chartImageSources()) {
        const main = await vendor(c, mirror);
        const keys = [...(c.repositoryDefault ?? "").matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((k) => k !== "name");
        const subcharts = [];
        for (const s of c.subcharts ?? []) {
            const v = await vendor(s, mirror);
            const dflt = s.condition.split(".").reduce<any>((o, k) => (o && typeof o === "object" ? o[k] : undefined), main.values);
            subcharts.push({ key: s.key, condition: s.condition, ...(typeof dflt === "boolean" ? { conditionDefault: dflt } : {}), source: v.source, images: v.images });
        }
        files.push([
            `${c.chart}-${c.version}.json`,
            {
                chart: c.chart,
                version: c.version,
                source: main.source,
                retrieved,
                ...(c.conditions ? { conditions: Object.entries(c.conditions).map(([prefix, key]) => ({ prefix, key, default: key.split(".").reduce<any>((o, k) => (o && typeof o === "object" ? o[k] : undefined), main.values) })) } : {}),
                ...(c.repositoryDefault ? { repositoryDefault: c.repositoryDefault, defaults: Object.fromEntries(keys.map((k) => [k, main.values[k]])) } : {}),
                images: main.images,
                subcharts,
            },
        ]);
    }
    // Written only once every source was read: a half-refreshed folder would mix versions.
    for (const [f, data] of files) fs.writeFileSync(path.join(CHART_IMAGES_DIR, f), JSON.stringify(data, null, 1) + "\n");
    console.log(`vendored the image fields of ${files.length} chart(s) into schemas/chart-images/`);
}

if (require.main === module) {
    main().catch((e) => {
        console.error(`vendor-chart-images: ${(e as Error).message} (needs raw.githubusercontent.com and api.github.com, or --mirror <dir>)`);
        process.exit(2);
    });
}
