/**
 * Loopback stand-ins for the service's dependencies — TEI (`/tei`), Qdrant (`/qdrant`) and the LLM gateway's
 * OpenAI API (`/gateway/v1`) — on one real HTTP server. Every request and every response is checked against the
 * vendored published OpenAPI document of that service; a request that does not match is answered 400 and recorded
 * in `violations`, so a client call that drifts from the published API fails the test that made it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "http";
import type { AddressInfo } from "net";
import { OpenApi } from "./openapi";

export const DIM = 16;
export const EMBEDDING_MODEL = "BAAI/bge-small-en-v1.5";

interface Point { id: number; vector: number[]; payload: Record<string, unknown> }
interface Collection { size: number; distance: string; metadata?: Record<string, unknown>; points: Map<number, Point> }
export interface Fault { service: "tei" | "qdrant" | "gateway"; path: RegExp; status?: number; delayMs?: number; times: number }
/** The scripted model: what a chat completion answers, given the request's messages and tools. */
export type Script = (body: { messages: { role: string; content?: string | null }[]; tools?: unknown[] }) => { content: string | null; toolCalls?: { name: string; arguments: Record<string, unknown> }[] };

/** A deterministic bag-of-words embedding: texts sharing words are close, so retrieval results are meaningful. */
export function embed(text: string): number[] {
    const v = new Array<number>(DIM).fill(0);
    for (const w of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
        let h = 0;
        for (const c of w) h = (h * 31 + c.charCodeAt(0)) >>> 0;
        v[h % DIM] += 1;
    }
    const n = Math.hypot(...v) || 1;
    return v.map((x) => x / n);
}

const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

export class StandIns {
    readonly specs = { tei: new OpenApi("tei"), qdrant: new OpenApi("qdrant"), gateway: new OpenApi("openai") };
    readonly violations: string[] = [];
    readonly requests: { service: string; method: string; path: string; body: unknown; headers: IncomingMessage["headers"] }[] = [];
    readonly faults: Fault[] = [];
    readonly collections = new Map<string, Collection>();
    script: Script = () => ({ content: "From the sources: yes [1]." });
    private server?: Server;
    url = "";

    async start(): Promise<this> {
        this.server = createServer((req, res) => void this.handle(req, res).catch((e: Error) => { this.violations.push(`stand-in crashed: ${e.stack}`); res.writeHead(500).end(); }));
        await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this;
    }

    async stop(): Promise<void> {
        this.server?.closeAllConnections();
        await new Promise((r) => this.server?.close(r));
    }

    reset(): void {
        this.violations.length = 0;
        this.requests.length = 0;
        this.faults.length = 0;
    }

    private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", "http://x");
        const [, service, ...rest] = url.pathname.split("/");
        const svc = service as "tei" | "qdrant" | "gateway";
        const spec = this.specs[svc];
        const p = svc === "gateway" ? "/" + rest.join("/").replace(/^v1\//, "") : "/" + rest.join("/");
        const chunks: Buffer[] = [];
        for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
        const text = Buffer.concat(chunks).toString("utf8");
        const body = text ? JSON.parse(text) : undefined;
        this.requests.push({ service: svc, method: req.method!, path: p, body, headers: req.headers });
        const template = spec?.route(req.method!, svc === "qdrant" ? p.replace(/\/$/, "") || "/" : p);
        if (!spec || !template) return this.reject(res, [`${service}: ${req.method} ${p} is not an operation of the published API`]);
        const problems = spec.request(req.method!, template, body);
        if (problems.length) return this.reject(res, problems);
        const fault = this.faults.find((f) => f.service === svc && f.path.test(p) && f.times > 0);
        if (fault) {
            fault.times--;
            if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
            if (fault.status) { res.writeHead(fault.status, { "content-type": "application/json" }).end(JSON.stringify({ error: "injected" })); return; }
        }
        if (svc === "gateway" && template === "/chat/completions" && body.stream) return this.stream(res, spec, template, body);
        const [status, out] = svc === "tei" ? this.tei(template, body) : svc === "qdrant" ? this.qdrant(req.method!, template, p, body) : this.gateway(template, body);
        this.violations.push(...spec.response(req.method!, template, status, out));
        res.writeHead(status, out === undefined ? {} : { "content-type": "application/json" }).end(out === undefined ? undefined : JSON.stringify(out));
    }

    private reject(res: ServerResponse, problems: string[]): void {
        this.violations.push(...problems);
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: problems.join("; ") }));
    }

    private tei(template: string, body: { inputs: string | string[] }): [number, unknown] {
        if (template === "/embed") return [200, (Array.isArray(body.inputs) ? body.inputs : [body.inputs]).map(embed)];
        if (template === "/info") return [200, { model_id: EMBEDDING_MODEL, model_dtype: "float32", model_type: { embedding: { pooling: "cls" } }, max_concurrent_requests: 512, max_input_length: 512, max_batch_tokens: 16384, max_client_batch_size: 32, auto_truncate: false, tokenization_workers: 2, version: "1.8.3" }];
        return [200, undefined];
    }

    private qdrant(method: string, template: string, p: string, body: Record<string, unknown>): [number, unknown] {
        const name = decodeURIComponent(p.split("/")[2] ?? "");
        const ok = (result: unknown): [number, unknown] => [200, { result, status: "ok", time: 0.0001 }];
        const c = this.collections.get(name);
        const missing: [number, unknown] = [404, { status: { error: `Not found: Collection \`${name}\` doesn't exist!` }, time: 0.0001 }];
        switch (`${method} ${template}`) {
            case "GET /": return [200, { title: "qdrant - vector search engine", version: "1.19.0", commit: "0000000000000000000000000000000000000000" }];
            case "GET /collections": return ok({ collections: [...this.collections.keys()].map((n) => ({ name: n })) });
            case "GET /collections/{collection_name}/exists": return ok({ exists: !!c });
            case "PUT /collections/{collection_name}": {
                const v = body.vectors as { size: number; distance: string };
                this.collections.set(name, { size: v.size, distance: v.distance, metadata: body.metadata as Record<string, unknown>, points: new Map() });
                return ok(true);
            }
            case "GET /collections/{collection_name}":
                if (!c) return missing;
                return ok({ status: "green", optimizer_status: "ok", segments_count: 1, points_count: c.points.size, indexed_vectors_count: 0, payload_schema: {},
                    config: { params: { vectors: { size: c.size, distance: c.distance }, shard_number: 1, replication_factor: 1, write_consistency_factor: 1, on_disk_payload: true },
                        hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000, max_indexing_threads: 0, on_disk: false },
                        optimizer_config: { deleted_threshold: 0.2, vacuum_min_vector_number: 1000, default_segment_number: 0, max_segment_size: null, memmap_threshold: null, indexing_threshold: 10000, flush_interval_sec: 5, max_optimization_threads: null },
                        wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 }, quantization_config: null, metadata: c.metadata ?? {} } });
            case "PUT /collections/{collection_name}/points":
                if (!c) return missing;
                for (const pt of body.points as Point[]) c.points.set(pt.id, pt);
                return ok({ operation_id: 1, status: "completed" });
            case "POST /collections/{collection_name}/points/query": {
                if (!c) return missing;
                const q = body.query as number[];
                const points = [...c.points.values()].map((pt) => ({ id: pt.id, version: 1, score: cosine(q, pt.vector), payload: pt.payload }))
                    .sort((a, b) => b.score - a.score).slice(0, (body.limit as number) ?? 10);
                return ok({ points });
            }
        }
        return [500, undefined];
    }

    private gateway(template: string, body: Parameters<Script>[0] & { model: string }): [number, unknown] {
        if (template === "/models") return [200, { object: "list", data: [{ id: "llama-3.1-8b-instruct", object: "model", created: 1_700_000_000, owned_by: "vllm" }] }];
        const turn = this.script(body);
        const tool_calls = turn.toolCalls?.map((t, i) => ({ id: `call_${i}`, type: "function", function: { name: t.name, arguments: JSON.stringify(t.arguments) } }));
        return [200, { id: "chatcmpl-standin", object: "chat.completion", created: 1_700_000_000, model: body.model,
            choices: [{ index: 0, finish_reason: tool_calls ? "tool_calls" : "stop", logprobs: null, message: { role: "assistant", content: turn.content, refusal: null, ...(tool_calls ? { tool_calls } : {}) } }],
            usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }];
    }

    private stream(res: ServerResponse, spec: OpenApi, template: string, body: Parameters<Script>[0] & { model: string }): void {
        if (!spec.documents("POST", template, 200, "text/event-stream")) this.violations.push("openai: POST /chat/completions documents no text/event-stream response");
        res.writeHead(200, { "content-type": "text/event-stream" });
        const words = (this.script(body).content ?? "").split(/(?<= )/);
        for (const [i, w] of ["", ...words].entries()) {
            const chunk = { id: "chatcmpl-standin", object: "chat.completion.chunk", created: 1_700_000_000, model: body.model,
                choices: [{ index: 0, delta: i === 0 ? { role: "assistant", content: "" } : { content: w }, finish_reason: i === words.length ? "stop" : null, logprobs: null }] };
            this.violations.push(...spec.schema("CreateChatCompletionStreamResponse", chunk));
            res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        }
        res.end("data: [DONE]\n\n");
    }
}
