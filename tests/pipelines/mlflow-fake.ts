/**
 * An MLflow model registry on loopback (127.0.0.1, random port) for the model gate's tests. It serves only what
 * tests/fixtures/mlflow/model-registry-api.json vendors from MLflow's model_registry.proto, checks every request
 * against that shape (method, path, required and unknown query fields) and every answer it gives against the
 * ModelVersion message, and records each problem: a test that ends with `problems` non-empty used the API wrongly.
 */
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";

interface Spec {
    endpoints: Record<string, { method: string; paths: string[]; request: Record<string, { type: string; required?: boolean }>; response: Record<string, string> }>;
    messages: Record<string, Record<string, string>>;
    enums: Record<string, string[]>;
}

export const SPEC: Spec = JSON.parse(fs.readFileSync(path.join(__dirname, "../fixtures/mlflow/model-registry-api.json"), "utf8"));

export interface StoredVersion {
    status?: "PENDING_REGISTRATION" | "FAILED_REGISTRATION" | "READY";
    source?: string;
    tags?: Record<string, string>;
}

export interface RecordedRequest {
    method: string;
    path: string;
    query: Record<string, string>;
    authorization?: string;
}

export class FakeMlflowRegistry {
    /** registered model name → version → version record */
    readonly models = new Map<string, Map<string, StoredVersion>>();
    readonly requests: RecordedRequest[] = [];
    readonly problems: string[] = [];
    /** When set, every request gets this HTTP status and MLflow error body. */
    failWith?: { status: number; error_code: string };
    private server?: http.Server;
    uri = "";

    addVersion(name: string, version: string, v: StoredVersion): this {
        if (!this.models.has(name)) this.models.set(name, new Map());
        this.models.get(name)!.set(version, v);
        return this;
    }

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => this.handle(req, res));
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        this.uri = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this.uri;
    }

    async stop(): Promise<void> {
        if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const query = Object.fromEntries(url.searchParams);
        this.requests.push({ method: req.method ?? "", path: url.pathname, query, authorization: req.headers.authorization });
        const send = (status: number, body: unknown) => {
            res.writeHead(status, { "Content-Type": "application/json" });
            res.end(JSON.stringify(body));
        };
        const entry = Object.entries(SPEC.endpoints).find(([, e]) => e.paths.includes(url.pathname));
        if (!entry) {
            this.problems.push(`${req.method} ${url.pathname}: no such endpoint in the vendored API`);
            return send(404, { error_code: "ENDPOINT_NOT_FOUND", message: `no endpoint ${url.pathname}` });
        }
        const [rpc, e] = entry;
        if (req.method !== e.method) {
            this.problems.push(`${rpc}: method ${req.method}, the API serves ${e.method}`);
            return send(405, { error_code: "BAD_REQUEST", message: "method not allowed" });
        }
        for (const [field, f] of Object.entries(e.request)) {
            if (f.required && !query[field]) {
                this.problems.push(`${rpc}: required field '${field}' missing`);
                return send(400, { error_code: "INVALID_PARAMETER_VALUE", message: `Missing value for required parameter '${field}'` });
            }
        }
        for (const field of Object.keys(query)) if (!(field in e.request)) this.problems.push(`${rpc}: unknown field '${field}'`);
        if (this.failWith) return send(this.failWith.status, { error_code: this.failWith.error_code, message: "fake failure" });

        const v = this.models.get(query.name)?.get(query.version);
        if (!v) return send(404, { error_code: "RESOURCE_DOES_NOT_EXIST", message: `Model Version (name=${query.name}, version=${query.version}) not found` });
        const body = {
            model_version: {
                name: query.name,
                version: query.version,
                creation_timestamp: 1_764_000_000_000,
                last_updated_timestamp: 1_764_000_000_000,
                current_stage: "None",
                source: v.source ?? `models:/m-${query.name}`,
                status: v.status ?? "READY",
                tags: Object.entries(v.tags ?? {}).map(([key, value]) => ({ key, value })),
            },
        };
        this.checkAnswer(body.model_version);
        send(200, body);
    }

    /** The fake's own answers must have the real message's shape. */
    private checkAnswer(mv: Record<string, unknown>): void {
        const fields = SPEC.messages.ModelVersion;
        for (const k of Object.keys(mv)) if (!(k in fields)) this.problems.push(`answer: ModelVersion has no field '${k}'`);
        if (!SPEC.enums.ModelVersionStatus.includes(String(mv.status))) this.problems.push(`answer: status '${String(mv.status)}' is not a ModelVersionStatus`);
        for (const t of mv.tags as Record<string, unknown>[]) {
            for (const k of Object.keys(t)) if (!(k in SPEC.messages.ModelVersionTag)) this.problems.push(`answer: ModelVersionTag has no field '${k}'`);
        }
    }
}
