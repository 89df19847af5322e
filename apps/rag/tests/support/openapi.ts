/**
 * Validates HTTP exchanges against a vendored OpenAPI subset (../openapi/<name>.json): the operation must exist, and
 * its JSON request body and response body (each server-sent event for streams) must match the published schemas.
 * Each document is read and compiled once per test file; schemas compile lazily, on first use.
 */
import * as fs from "fs";
import * as path from "path";
import Ajv, { type ValidateFunction } from "ajv";
import Ajv2020 from "ajv/dist/2020";
import { compileWithCache } from "../../../../tools/gitops/schemas";

type Json = Record<string, unknown>;

/** OpenAPI 3.0's `nullable` (also left in OpenAI's 3.1 document) as JSON Schema. */
function denull(node: unknown): void {
    if (Array.isArray(node)) return node.forEach(denull);
    if (!node || typeof node !== "object") return;
    const o = node as Json;
    for (const v of Object.values(o)) denull(v);
    if (o.nullable !== true) return;
    delete o.nullable;
    if (typeof o.type === "string") o.type = [o.type, "null"];
    else if (Array.isArray(o.type)) o.type = [...o.type, "null"];
    else if (Object.keys(o).every((k) => ["default", "description", "example"].includes(k))) o.type = "null";
    else { const rest = { ...o }; for (const k of Object.keys(o)) delete o[k]; o.anyOf = [rest, { type: "null" }]; }
    if (Array.isArray(o.enum) && !o.enum.includes(null)) o.enum = [...o.enum, null];
}

const ptr = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

export class OpenApi {
    readonly doc: Json;
    readonly source: string;
    private readonly ajv: Ajv;
    private readonly compiled = new Map<string, ValidateFunction>();
    private readonly text: string;
    private readonly routes: { method: string; template: string; re: RegExp }[] = [];

    constructor(readonly name: string) {
        this.text = fs.readFileSync(path.join(__dirname, "..", "openapi", `${name}.json`), "utf8");
        this.doc = JSON.parse(this.text) as Json;
        this.source = (this.doc["x-vendored"] as { source: string }).source;
        denull(this.doc);
        // Unoptimised code compiles ~3× faster (these validators run a few dozen times); compiled validators are cached per
        // content like the GitOps schemas' (standalone code, tools/gitops/schemas.ts).
        const options = { strict: false, validateFormats: false, validateSchema: false, allErrors: false, code: { optimize: false, source: true } };
        this.ajv = String(this.doc.openapi).startsWith("3.1") ? new Ajv2020(options) : new Ajv(options);
        this.ajv.addSchema({ ...this.doc, $id: name }, name);
        for (const [template, ops] of Object.entries(this.doc.paths as Record<string, Json>)) {
            const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
            for (const method of Object.keys(ops)) this.routes.push({ method: method.toUpperCase(), template, re });
        }
    }

    /** The operation a request is for, or undefined when the published API has none. */
    route(method: string, pathname: string): string | undefined {
        return this.routes.find((r) => r.method === method && r.re.test(pathname))?.template;
    }

    private check(pointer: string, value: unknown, what: string): string[] {
        let v = this.compiled.get(pointer);
        if (!v) {
            v = compileWithCache(this.ajv, `${this.text}\n${pointer}`, `openapi-${this.name}`, () => ({ $ref: `${this.name}#${pointer}` }));
            this.compiled.set(pointer, v);
        }
        return v(value) ? [] : (v.errors ?? []).slice(0, 3).map((e) => `${this.name} ${what}: ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)} (schema ${this.source})`);
    }

    request(method: string, template: string, body: unknown): string[] {
        const op = (this.doc.paths as Record<string, Record<string, Json>>)[template][method.toLowerCase()];
        const rb = op.requestBody as { content?: Record<string, unknown>; required?: boolean } | undefined;
        if (!rb) return body === undefined ? [] : [`${this.name} ${method} ${template}: the operation takes no request body`];
        if (body === undefined) return rb.required ? [`${this.name} ${method} ${template}: request body is required`] : [];
        return this.check(`/paths/${ptr(template)}/${method.toLowerCase()}/requestBody/content/application~1json/schema`, body, `${method} ${template} request`);
    }

    response(method: string, template: string, status: number, body: unknown, mediaType = "application/json"): string[] {
        const responses = (this.doc.paths as Record<string, Record<string, Json>>)[template][method.toLowerCase()].responses as Record<string, Json>;
        const key = String(status) in responses ? String(status) : "default" in responses ? "default" : undefined;
        if (!key) return [`${this.name} ${method} ${template}: status ${status} is not a documented response`];
        const content = responses[key].content as Record<string, unknown> | undefined;
        if (!content?.[mediaType]) return body === undefined ? [] : [`${this.name} ${method} ${template} ${status}: no ${mediaType} body is documented`];
        return this.check(`/paths/${ptr(template)}/${method.toLowerCase()}/responses/${key}/content/${ptr(mediaType)}/schema`, body, `${method} ${template} ${status} response`);
    }

    documents(method: string, template: string, status: number, mediaType: string): boolean {
        const responses = (this.doc.paths as Record<string, Record<string, Json>>)[template][method.toLowerCase()].responses as Record<string, Json>;
        return !!(responses[String(status)]?.content as Record<string, unknown> | undefined)?.[mediaType];
    }

    schema(name: string, value: unknown): string[] {
        return this.check(`/components/schemas/${name}`, value, name);
    }
}
