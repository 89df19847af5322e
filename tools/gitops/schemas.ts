/**
 * Schema validation of rendered objects, offline:
 * 1. a vendored upstream CRD schema (schemas/<group>/<kind>_<version>.json, see schemas/SOURCES.md) when there is
 *    one, compiled with ajv. Undeclared fields are rejected (objects without `x-kubernetes-preserve-unknown-fields`
 *    get `additionalProperties: false`) because Flux applies with server-side apply and strict field validation;
 *    CRD patterns and enums are enforced as the API server would. CEL rules (x-kubernetes-validations) are not;
 * 2. otherwise kubernetes-models / @kubernetes-models/* (core kinds, Flux, cert-manager, ESO, Prometheus operator,
 *    KEDA, Argo, Istio) — ESM-only packages, loaded with dynamic import();
 * 3. neither: an error naming the kind, so a new CRD gets vendored rather than silently skipped.
 */
import Ajv, { type ValidateFunction } from "ajv";
import Ajv2019 from "ajv/dist/2019";
import Ajv2020 from "ajv/dist/2020";
import standaloneCode from "ajv/dist/standalone";
import addFormats from "ajv-formats";
import { createHash } from "crypto";
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import * as vm from "vm";
import * as YAML from "yaml";
import { REPO_ROOT } from "../../config/stack-files";
import { KUBERNETES_GROUPS } from "./kubernetes-groups";
import { GITOPS_CACHE_ROOT, jsonExact } from "./render";
import { writeFileAtomic } from "../write-atomic";

export const SCHEMAS_DIR = path.join(REPO_ROOT, "schemas");

const MODEL_PACKAGES: [RegExp, string][] = [
    [/\.toolkit\.fluxcd\.io$/, "@kubernetes-models/flux-cd"],
    [/(^|\.)cert-manager\.io$/, "@kubernetes-models/cert-manager"],
    [/(^|\.)external-secrets\.io$/, "@kubernetes-models/external-secrets"],
    [/^monitoring\.coreos\.com$/, "@kubernetes-models/prometheus-operator"],
    [/(^|\.)keda\.sh$/, "@kubernetes-models/keda"],
    [/^argoproj\.io$/, "@kubernetes-models/argo-workflows"],
    [/(^|\.)istio\.io$/, "@kubernetes-models/istio"],
];

/** The module that models `apiVersion`, or undefined. */
export function modelModule(apiVersion: string): string | undefined {
    const slash = apiVersion.indexOf("/");
    if (slash < 0) return apiVersion === "v1" ? "kubernetes-models/v1" : undefined;
    const group = apiVersion.slice(0, slash);
    if (KUBERNETES_GROUPS.has(group)) return `kubernetes-models/${apiVersion}`;
    const pkg = MODEL_PACKAGES.find(([re]) => re.test(group))?.[1];
    return pkg ? `${pkg}/${apiVersion}` : undefined;
}

/**
 * The module of one kind's model class (`kubernetes-models/v1/Namespace`): the packages export each model on its own,
 * so only that kind's compiled validator loads, not the whole group-version (kubernetes-models/v1 alone is ~0.2 s).
 */
export function kindModule(apiVersion: string, kind: string): string | undefined {
    const m = modelModule(apiVersion);
    return m && /^[A-Z][A-Za-z0-9]*$/.test(kind) ? `${m}/${kind}` : undefined;
}

/** Adds `additionalProperties: false` wherever a CRD object schema declares its properties and keeps no unknown fields. */
export function strictify(schema: any): any {
    if (Array.isArray(schema)) return schema.map(strictify);
    if (!schema || typeof schema !== "object") return schema;
    const out: any = {};
    for (const [k, v] of Object.entries(schema)) {
        if (k === "properties" || k === "patternProperties" || k === "definitions" || k === "$defs") {
            out[k] = Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, strictify(pv)]));
        } else if (k === "enum" || k === "default" || k === "example" || k === "required") {
            out[k] = v;
        } else {
            out[k] = strictify(v);
        }
    }
    if (out.properties && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"]) {
        out.additionalProperties = false;
    }
    return out;
}

/** Keywords whose value maps names to subschemas. */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "$defs", "dependentSchemas"]);
/** Keywords whose value is a subschema or a list of subschemas. */
const SCHEMA_KEYWORDS = new Set(["items", "additionalItems", "additionalProperties", "not", "anyOf", "oneOf", "allOf", "if", "then", "else", "contains", "propertyNames", "prefixItems", "unevaluatedItems", "unevaluatedProperties"]);
/** Keywords whose value is data, never a schema. */
const DATA_KEYWORDS = new Set(["enum", "const", "default", "example", "examples", "required"]);

/** Applies `f` to every subschema of `schema` (one level), keeping everything else as it is. */
function mapSubschemas(schema: any, f: (sub: any) => any): any {
    const out: any = {};
    for (const [k, v] of Object.entries(schema)) {
        if (SCHEMA_MAPS.has(k) && v && typeof v === "object" && !Array.isArray(v)) out[k] = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, f(pv)]));
        else if (SCHEMA_KEYWORDS.has(k)) out[k] = Array.isArray(v) ? v.map(f) : f(v);
        else out[k] = v;
    }
    return out;
}

/** The schema without `description`s: annotations only, they never change a verdict or an error message. */
function withoutDescriptions(schema: any): any {
    if (Array.isArray(schema)) return schema.map(withoutDescriptions);
    if (!schema || typeof schema !== "object") return schema;
    const { description: _description, ...rest } = schema;
    return mapSubschemas(rest, withoutDescriptions);
}

/** True when every `$ref` in the schema names a whole top-level definition and no nested `$id`/anchor moves the base. */
function hoistable(schema: any, root = true): boolean {
    if (Array.isArray(schema)) return schema.every((s) => hoistable(s, false));
    if (!schema || typeof schema !== "object") return true;
    for (const k of ["$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor"]) if (k in schema) return false;
    if (!root && "$id" in schema) return false;
    if ("$ref" in schema && !/^#\/(definitions|\$defs)\/[^/]+$/.test(String(schema.$ref))) return false;
    return Object.entries(schema).every(([k, v]) =>
        DATA_KEYWORDS.has(k) ? true : SCHEMA_MAPS.has(k) && v && typeof v === "object" && !Array.isArray(v) ? Object.values(v).every((x) => hoistable(x, false)) : SCHEMA_KEYWORDS.has(k) ? hoistable(v, false) : true,
    );
}

/**
 * The same schema with every subschema that occurs more than once (a CRD repeats the whole Pod template, container
 * and volume schemas dozens of times) moved once into `definitions` and referenced with `$ref`. Compiled with
 * `inlineRefs: false`, each shared part becomes one function instead of dozens of inlined copies: the KServe
 * InferenceService validator shrinks from 11.6 MB of code to 0.7 MB and compiles ~8× faster. Verdicts and error
 * messages (instance path, keyword, message, params) are unchanged; only schema paths differ. Descriptions are
 * dropped first (annotations only). A schema whose refs point inside other subschemas is left as it is.
 */
export function compactSchema(schema: any, minChars = 200): any {
    if (!schema || typeof schema !== "object" || Array.isArray(schema)) return schema;
    const bare = withoutDescriptions(schema);
    if (!hoistable(bare)) return bare;
    const keys = new Map<object, string>();
    const counts = new Map<string, number>();
    const count = (s: any) => {
        if (Array.isArray(s)) return s.forEach(count);
        if (!s || typeof s !== "object") return;
        const k = JSON.stringify(s);
        keys.set(s, k);
        counts.set(k, (counts.get(k) ?? 0) + 1);
        mapSubschemas(s, (sub) => (count(sub), sub));
    };
    mapSubschemas(bare, (sub) => (count(sub), sub));
    const defsKey = "definitions";
    const existing: Record<string, unknown> = bare[defsKey] ?? {};
    const names = new Map<string, string>();
    const shared: Record<string, unknown> = {};
    const rewrite = (s: any, self: boolean): any => {
        if (Array.isArray(s)) return s.map((x) => rewrite(x, false));
        if (!s || typeof s !== "object") return s;
        const k = keys.get(s)!;
        if (!self && k.length >= minChars && (counts.get(k) ?? 0) > 1) {
            let name = names.get(k);
            if (!name) {
                name = `shared${names.size}`;
                while (name in existing) name = `_${name}`;
                names.set(k, name);
                shared[name] = rewrite(s, true);
            }
            return { $ref: `#/${defsKey}/${name}` };
        }
        return mapSubschemas(s, (sub) => rewrite(sub, false));
    };
    const out = mapSubschemas(bare, (sub) => rewrite(sub, false));
    if (names.size) out[defsKey] = { ...(out[defsKey] ?? {}), ...shared };
    return out;
}

const requireHere = createRequire(__filename);

/** Scripts loaded without a usable V8 code cache, whose cache is written when the process exits (see below). */
const codeCachePending = new Map<string, vm.Script>();
let codeCacheHook = false;

/**
 * Evaluates a cached standalone validator directly (not through require: loader hooks would re-transpile megabytes),
 * with V8's code cache for it when there is one: a validator's functions are compiled on first use, and the cache
 * (written at exit, so it holds the functions the run compiled) spares later runs both the parse and those compiles.
 */
function loadStandalone(file: string): ValidateFunction {
    const module = { exports: {} as any };
    const v8file = `${file}.v8-${process.versions.v8}`;
    let cachedData: Buffer | undefined;
    try {
        cachedData = fs.readFileSync(v8file);
    } catch {
        // no code cache yet
    }
    const script = new vm.Script(`(function (module, exports, require) {${fs.readFileSync(file, "utf8")}\n})`, { filename: file, cachedData });
    if (!cachedData || script.cachedDataRejected) {
        codeCachePending.set(v8file, script);
        if (!codeCacheHook) {
            codeCacheHook = true;
            process.once("exit", () => {
                for (const [f, sc] of codeCachePending) {
                    try {
                        writeFileAtomic(f, sc.createCachedData());
                    } catch {
                        // the cache is an optimisation only
                    }
                }
            });
        }
    }
    const wrapper = script.runInThisContext();
    wrapper(module, module.exports, requireHere);
    const fn = module.exports.default ?? module.exports;
    if (typeof fn !== "function") throw new Error(`${file}: not a validator`);
    return fn as ValidateFunction;
}

/**
 * Compiles `build()` with `ajv`, or loads the standalone code a previous run cached for the same source text.
 * The cache is an optimisation only: any failure falls back to compiling.
 */
export function compileWithCache(ajv: Ajv, sourceText: string, name: string, build: () => object, cacheDir = CACHE_DIR): ValidateFunction {
    const hash = createHash("sha256").update(COMPILER_VERSION).update(AJV_VERSION).update(ajv.constructor.name).update(sourceText).digest("hex").slice(0, 24);
    const cached = path.join(cacheDir, `${name}-${hash}.js`);
    if (fs.existsSync(cached)) {
        try {
            return loadStandalone(cached);
        } catch {
            // a corrupt cache entry: compile again below
        }
    }
    const fn = ajv.compile(build());
    try {
        fs.mkdirSync(cacheDir, { recursive: true });
        writeFileAtomic(cached, standaloneCode(ajv, fn));
    } catch {
        // the cache is an optimisation only
    }
    return fn;
}

/**
 * A YAML file's value, parsed once per content: later runs read it back as JSON (Loki's 300 kB values.yaml takes
 * ~80 ms to parse as YAML, ~3 ms as JSON). Values JSON cannot carry exactly are never cached.
 */
function parseYamlCached(file: string, name: string, cacheDir = CACHE_DIR): unknown {
    const text = fs.readFileSync(file, "utf8");
    const hash = createHash("sha256").update(YAML_VERSION).update(text).digest("hex").slice(0, 24);
    const cached = path.join(cacheDir, `${name}-${hash}.json`);
    try {
        return JSON.parse(fs.readFileSync(cached, "utf8"));
    } catch {
        // not cached yet
    }
    const value = YAML.parse(text);
    if (jsonExact(value)) {
        try {
            fs.mkdirSync(cacheDir, { recursive: true });
            writeFileAtomic(cached, JSON.stringify(value));
        } catch {
            // the cache is an optimisation only
        }
    }
    return value;
}
const YAML_VERSION: string = requireHere("yaml/package.json").version;

/** Bump when strictify(), compactSchema() or the ajv setup changes: it keys the compiled-validator cache. */
const COMPILER_VERSION = "2";
const AJV_VERSION: string = requireHere("ajv/package.json").version;

/**
 * Where compiled validators (ajv standalone code) and parsed chart defaults are cached: even compacted, the big CRD
 * schemas (KServe, Argo, Kyverno) take 0.1-0.3 s each to compile and milliseconds to load. Keyed by the source's
 * hash, the compiler version and ajv's; safe to delete (see GITOPS_CACHE_ROOT).
 */
export const CACHE_DIR = path.join(GITOPS_CACHE_ROOT, `aiplatform-gitops-schemas-${typeof process.getuid === "function" ? process.getuid() : "u"}`);

function ajvInstance(): Ajv {
    const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true, inlineRefs: false, code: { source: true } });
    addFormats(ajv, ["date-time", "date", "uri", "email", "hostname", "ipv4", "ipv6", "uuid", "regex"]);
    // Kubernetes formats with no (or a non-JSON-Schema) meaning: Go durations, quantities, int-or-string...
    for (const f of ["int32", "int64", "byte", "binary", "double", "float", "int-or-string", "password", "duration", "quantity", "cidr", "uri-reference"]) {
        ajv.addFormat(f, true);
    }
    return ajv;
}

interface ObjectRef {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string; namespace?: string };
}

export class SchemaRegistry {
    private ajv = ajvInstance();
    private compiled = new Map<string, ValidateFunction | null>();
    private modules = new Map<string, Promise<Record<string, any> | null>>();

    constructor(
        private readonly dir = SCHEMAS_DIR,
        private readonly cacheDir = CACHE_DIR,
    ) {}

    /** The vendored schema's validator for apiVersion/kind, or null when none is vendored. */
    vendored(apiVersion: string, kind: string): ValidateFunction | null {
        const key = `${apiVersion}/${kind}`;
        if (this.compiled.has(key)) return this.compiled.get(key)!;
        const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
        const file = path.join(this.dir, group || "core", `${kind}_${version}.json`);
        let fn: ValidateFunction | null = null;
        if (group && fs.existsSync(file)) fn = this.compileCached(file);
        this.compiled.set(key, fn);
        return fn;
    }

    private compileCached(file: string): ValidateFunction {
        const text = fs.readFileSync(file, "utf8");
        return compileWithCache(this.ajv, text, path.basename(file, ".json"), () => compactSchema(strictify(JSON.parse(text).schema)), this.cacheDir);
    }

    private loadModule(spec: string): Promise<Record<string, any> | null> {
        let p = this.modules.get(spec);
        if (!p) {
            p = import(spec).then(
                (m) => m as Record<string, any>,
                () => null,
            );
            this.modules.set(spec, p);
        }
        return p;
    }

    /**
     * Starts loading the model modules `objects` will need (ESM imports: under tsx each takes round trips to the
     * loader thread), so a caller with other work meanwhile finds them loaded when it validates.
     */
    preload(objects: readonly ObjectRef[]): void {
        const seen = new Set<string>();
        for (const { apiVersion, kind } of objects) {
            if (typeof apiVersion !== "string" || typeof kind !== "string" || seen.has(`${apiVersion}/${kind}`)) continue;
            seen.add(`${apiVersion}/${kind}`);
            const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
            if (group && fs.existsSync(path.join(this.dir, group, `${kind}_${version}.json`))) continue;
            const own = kindModule(apiVersion, kind);
            if (own) void this.loadModule(own);
        }
    }

    /** Schema problems of one object, each prefixed with its field path; [] when valid. */
    async validate(obj: ObjectRef): Promise<string[]> {
        const { apiVersion, kind } = obj;
        if (typeof apiVersion !== "string" || typeof kind !== "string") return ["has no apiVersion/kind"];
        const vendored = this.vendored(apiVersion, kind);
        if (vendored) {
            if (vendored(obj)) return [];
            return (vendored.errors ?? []).map((e) => {
                const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, ".") : "(root)";
                const extra = e.keyword === "additionalProperties" ? ` '${(e.params as any).additionalProperty}' (not declared in the ${kind} CRD schema)` : e.keyword === "enum" ? ` (${(e.params as any).allowedValues.join(", ")})` : "";
                return `${at} ${e.message}${extra}`;
            });
        }
        // The kind's own module first (loads only its validator); the group-version index when there is none.
        const own = kindModule(apiVersion, kind);
        let Model = own ? (await this.loadModule(own))?.[kind] : undefined;
        if (!Model) {
            const spec = modelModule(apiVersion);
            Model = (spec ? await this.loadModule(spec) : null)?.[kind];
        }
        if (!Model || typeof Model !== "function") {
            return [`no schema for ${apiVersion} ${kind}: vendor its CRD (schemas/sources.json, then npx tsx tools/gitops/vendor-schemas.ts)`];
        }
        try {
            new Model(obj).validate();
            return [];
        } catch (e) {
            const msg = (e as Error).message ?? String(e);
            return msg
                .split(/,\s(?=data)/)
                .map((m) => m.replace(/^data\/?/, "").replace(/\//g, ".").trim())
                .filter((m) => !/must match exactly one schema in "oneOf"|must match a schema in "anyOf"/.test(m) || msg.split(",").length === 1)
                .map((m) => (m.startsWith("must") ? `(root) ${m}` : m));
        }
    }
}

/** Helm's coalescing of user values over chart defaults: maps merge, everything else replaces, null deletes. */
export function coalesceValues(defaults: unknown, values: unknown): unknown {
    const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
    if (!isMap(defaults) || !isMap(values)) return values === undefined ? defaults : values;
    const out: Record<string, unknown> = { ...defaults };
    for (const [k, v] of Object.entries(values)) {
        if (v === null) delete out[k];
        else out[k] = isMap(v) && isMap(out[k]) ? coalesceValues(out[k], v) : v;
    }
    return out;
}

/** Remote `$ref`s (kubernetes-json-schema URLs) cannot be resolved offline: they become "anything". */
function localRefsOnly(schema: any): any {
    if (Array.isArray(schema)) return schema.map(localRefsOnly);
    if (!schema || typeof schema !== "object") return schema;
    if (typeof schema.$ref === "string" && !schema.$ref.startsWith("#")) return {};
    return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === "enum" || k === "const" || k === "default" ? v : localRefsOnly(v)]));
}

/**
 * HelmRelease values checked as `helm install` would: merged over the vendored chart's default values.yaml, then
 * validated against its values.schema.json (schemas/charts/<chart>-<version>/). Charts without a vendored schema
 * are not checked (undefined).
 */
export class ChartValuesRegistry {
    private cache = new Map<string, { defaults: unknown; validate: ValidateFunction } | null>();

    constructor(
        private readonly dir = path.join(SCHEMAS_DIR, "charts"),
        private readonly cacheDir = CACHE_DIR,
    ) {}

    private load(chart: string, version: string) {
        const k = `${chart}@${version}`;
        if (this.cache.has(k)) return this.cache.get(k)!;
        const d = path.join(this.dir, `${chart}-${version}`);
        let entry: { defaults: unknown; validate: ValidateFunction } | null = null;
        if (fs.existsSync(path.join(d, "values.schema.json"))) {
            const text = fs.readFileSync(path.join(d, "values.schema.json"), "utf8");
            const draft = String(JSON.parse(text).$schema ?? "");
            const opts = { strict: false, allErrors: true, logger: false as const, validateFormats: false, inlineRefs: false, code: { source: true } };
            const ajv = draft.includes("draft-07") || draft.includes("draft-04") ? new Ajv(opts) : draft.includes("2019-09") ? new Ajv2019(opts) : new Ajv2020(opts);
            const build = () => {
                const schema = localRefsOnly(JSON.parse(text));
                delete schema.$schema;
                return compactSchema(schema);
            };
            const validate = compileWithCache(ajv, text, `chart-${chart}-${version}`, build, this.cacheDir);
            entry = { defaults: parseYamlCached(path.join(d, "values.yaml"), `chart-${chart}-${version}-values`, this.cacheDir) ?? {}, validate };
        }
        this.cache.set(k, entry);
        return entry;
    }

    /** Problems of `values` for chart@version, [] when valid, undefined when the chart's schema is not vendored. */
    validate(chart: string, version: string, values: unknown): string[] | undefined {
        const entry = this.load(chart, version);
        if (!entry) return undefined;
        if (entry.validate(coalesceValues(entry.defaults, values ?? {}))) return [];
        return (entry.validate.errors ?? []).map((e) => {
            const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, ".") : "(root)";
            const extra = e.keyword === "additionalProperties" ? ` '${(e.params as any).additionalProperty}' (not a value of chart ${chart} ${version})` : e.keyword === "enum" ? ` (${(e.params as any).allowedValues.join(", ")})` : "";
            return `${at} ${e.message}${extra}`;
        });
    }
}
