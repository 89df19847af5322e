/**
 * Vendors the OpenAPI v3 schemas of the upstream CRDs listed in schemas/sources.json into
 * schemas/<group>/<kind>_<version>.json (one file per served version, with its source), and rewrites
 * schemas/SOURCES.md. The GitOps validator compiles them with ajv for kinds kubernetes-models lacks.
 *
 *   npx tsx tools/gitops/vendor-schemas.ts                 # fetch from raw.githubusercontent.com at each ref
 *   npx tsx tools/gitops/vendor-schemas.ts --mirror <dir>  # read <dir>/<owner>+<name>/repo (bare git mirrors)
 *
 * Exit codes: 0 written · 2 bad input or a source could not be read.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { REPO_ROOT } from "../../config/stack-files";

export const SCHEMAS_DIR = path.join(REPO_ROOT, "schemas");

interface ChartSource {
    chart: string;
    version: string;
    repo: string;
    ref: string;
    dir: string;
    /** The chart keeps its schema as values.schema.yaml and generates values.schema.json at release (jupyterhub). */
    schemaYaml?: boolean;
}

interface Source {
    name: string;
    repo: string;
    ref: string;
    matches: string;
    paths: string[];
}

export interface VendoredSchema {
    group: string;
    kind: string;
    version: string;
    source: string;
    retrieved: string;
    schema: Record<string, unknown>;
}

/** A file of `src.repo` at `src.ref`: from a bare mirror (`<mirror>/<owner>+<name>/repo`) or raw.githubusercontent.com. */
export async function readUpstream(src: Pick<Source, "repo" | "ref">, file: string, mirror: string | undefined): Promise<string> {
    if (mirror) {
        const dir = path.join(mirror, src.repo.replace("/", "+"), "repo");
        return execFileSync("git", ["-C", dir, "show", `${src.ref}:${file}`], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    }
    const url = `https://raw.githubusercontent.com/${src.repo}/${src.ref}/${file}`;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return res.text();
}

/** Every served version's schema of every CRD in a YAML stream. */
export function crdSchemas(text: string, source: string, retrieved: string): VendoredSchema[] {
    const out: VendoredSchema[] = [];
    for (const d of YAML.parseAllDocuments(text)) {
        const crd = d.toJS() as any;
        if (!crd || crd.kind !== "CustomResourceDefinition") continue;
        for (const v of crd.spec.versions ?? []) {
            if (v.served === false || !v.schema?.openAPIV3Schema) continue;
            out.push({ group: crd.spec.group, kind: crd.spec.names.kind, version: v.name, source, retrieved, schema: v.schema.openAPIV3Schema });
        }
    }
    return out;
}

/**
 * values.schema.json from a values.schema.yaml as the chart's own release tooling builds it (zero-to-jupyterhub-k8s
 * tools/generate-json-schema.py): `description` dropped at every schema level, never a values key named so.
 */
export function schemaFromYaml(text: string): Record<string, unknown> {
    const clean = (d: Record<string, any>) => {
        delete d.description;
        for (const v of Object.values(d.properties ?? {})) if (v && typeof v === "object" && !Array.isArray(v)) clean(v);
    };
    const schema = YAML.parse(text);
    clean(schema);
    return schema;
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const mi = args.indexOf("--mirror");
    const mirror = mi >= 0 ? args[mi + 1] : undefined;
    if (mi >= 0 && !mirror) throw new Error("--mirror needs a directory");
    const manifest = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, "sources.json"), "utf8")) as { sources: Source[]; charts?: ChartSource[] };
    const retrieved = new Date().toISOString().slice(0, 10);
    const rows: string[] = [];
    let count = 0;
    for (const src of manifest.sources) {
        for (const file of src.paths) {
            const url = `https://github.com/${src.repo}/blob/${src.ref}/${file}`;
            const schemas = crdSchemas(await readUpstream(src, file, mirror), url, retrieved);
            if (!schemas.length) throw new Error(`${url}: no CustomResourceDefinition with an openAPIV3Schema`);
            for (const s of schemas) {
                const dir = path.join(SCHEMAS_DIR, s.group);
                fs.mkdirSync(dir, { recursive: true });
                fs.writeFileSync(path.join(dir, `${s.kind}_${s.version}.json`), JSON.stringify(s) + "\n");
                rows.push(`| ${s.group}/${s.version} | ${s.kind} | ${src.repo}@${src.ref} (${src.matches}) | [${file}](${url}) | ${retrieved} |`);
                count++;
            }
        }
    }
    const chartRows: string[] = [];
    for (const c of manifest.charts ?? []) {
        const src = { name: c.chart, repo: c.repo, ref: c.ref, matches: "", paths: [] };
        const dir = path.join(SCHEMAS_DIR, "charts", `${c.chart}-${c.version}`);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, "values.yaml"), await readUpstream(src, `${c.dir}/values.yaml`, mirror));
        const schema = c.schemaYaml ? JSON.stringify(schemaFromYaml(await readUpstream(src, `${c.dir}/values.schema.yaml`, mirror))) : await readUpstream(src, `${c.dir}/values.schema.json`, mirror);
        fs.writeFileSync(path.join(dir, "values.schema.json"), schema);
        chartRows.push(`| ${c.chart} ${c.version} | ${c.repo}@${c.ref} | [${c.dir}](https://github.com/${c.repo}/tree/${c.ref}/${c.dir}) | ${retrieved} |`);
    }
    const md = [
        "# Vendored CRD schemas",
        "",
        "OpenAPI v3 schemas of the upstream CRDs the GitOps tree uses and `kubernetes-models` / `@kubernetes-models/*` do not",
        "model. The validator (`tools/gitops/schemas.ts`) compiles them with ajv and, like the API server under server-side",
        "apply with strict field validation (what Flux uses), rejects fields the schema does not declare.",
        "",
        "Generated by `npx tsx tools/gitops/vendor-schemas.ts` from `schemas/sources.json`; do not edit the JSON by hand.",
        "Bump a ref there when the matching chart version changes in `gitops-bootstrap/`, re-run, commit.",
        "",
        "| group/version | kind | upstream | file | retrieved |",
        "|---|---|---|---|---|",
        ...rows,
        "",
        "## Chart values",
        "",
        "Default `values.yaml` and `values.schema.json` of the pinned charts that ship a schema (`schemas/charts/<chart>-<version>/`):",
        "the validator merges a HelmRelease's values over the defaults, as Helm does, and checks the result against the schema.",
        "",
        "| chart | upstream | folder | retrieved |",
        "|---|---|---|---|",
        ...chartRows,
        "",
    ].join("\n");
    fs.writeFileSync(path.join(SCHEMAS_DIR, "SOURCES.md"), md);
    console.log(`vendored ${count} schema(s) into schemas/`);
}

if (require.main === module) {
    main().catch((e) => {
        console.error(`vendor-schemas: ${(e as Error).message}`);
        if (process.argv.includes("--verbose")) console.error((e as Error).stack);
        process.exit(2);
    });
}
