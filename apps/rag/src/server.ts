/**
 * HTTP front of the service: `/v1/ask` (server-sent events), `/v1/search`, `/mcp` (MCP Streamable HTTP), and the
 * probes `/healthz` (the process answers) and `/readyz` (TEI, Qdrant and the gateway answer). `/v1` and `/mcp` need
 * `Authorization: Bearer <RAG_API_KEY>`.
 */
import { timingSafeEqual } from "crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "http";
import { context, propagation, type Context } from "@opentelemetry/api";
import { z } from "zod";
import { handleMcp } from "./mcp";
import { ask, BadRequest, search, type Deps } from "./rag";
import { UpstreamError } from "./retry";
import { inSpan } from "./telemetry";

export interface ServerOptions { apiKey: string; readyTimeoutMs?: number; log?: (line: Record<string, unknown>) => void }

const MAX_BODY = 64 * 1024;
const Query = z.object({ collection: z.string(), question: z.string().min(1).max(4000), top_k: z.number().int().min(1).max(50).optional() });
const Search = z.object({ collection: z.string(), query: z.string().min(1).max(4000), top_k: z.number().int().min(1).max(50).optional() });

function json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
    let size = 0;
    const parts: Buffer[] = [];
    for await (const part of req as AsyncIterable<Buffer>) {
        size += part.length;
        if (size > MAX_BODY) throw new BadRequest(`request body is larger than ${MAX_BODY} bytes`);
        parts.push(part);
    }
    try {
        return parts.length ? JSON.parse(Buffer.concat(parts).toString("utf8")) : undefined;
    } catch {
        throw new BadRequest("request body is not JSON");
    }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
    const r = schema.safeParse(body);
    if (!r.success) throw new BadRequest(r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
    return r.data;
}

function authorised(req: IncomingMessage, key: Buffer): boolean {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "");
    return given.length === key.length && timingSafeEqual(given, key);
}

/** Probes every dependency with a short deadline; reports which one failed. */
async function readiness(deps: Deps, timeoutMs: number): Promise<Record<string, string>> {
    const checks: Record<string, Promise<unknown>> = {
        tei: deps.embedder.health(timeoutMs),
        qdrant: deps.store.version(),
        gateway: deps.gateway.models(timeoutMs),
    };
    const out: Record<string, string> = {};
    await Promise.all(Object.entries(checks).map(async ([k, p]) => { out[k] = await p.then(() => "ok", (e: Error) => e.message); }));
    return out;
}

export function ragServer(deps: Deps, o: ServerOptions): Server {
    const key = Buffer.from(o.apiKey);
    const log = o.log ?? ((line) => process.stdout.write(JSON.stringify(line) + "\n"));

    async function route(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
        const path = (req.url ?? "/").split("?")[0];
        if (req.method === "GET" && path === "/healthz") return json(res, 200, { status: "ok" });
        if (req.method === "GET" && path === "/readyz") {
            const checks = await readiness(deps, o.readyTimeoutMs ?? 2000);
            return json(res, Object.values(checks).every((v) => v === "ok") ? 200 : 503, checks);
        }
        if (!["/v1/ask", "/v1/search", "/mcp"].includes(path)) return json(res, 404, { error: `no route ${req.method} ${path}` });
        if (!authorised(req, key)) return json(res, 401, { error: "missing or wrong bearer token (Authorization: Bearer <RAG_API_KEY>)" });
        if (path === "/mcp") return handleMcp(deps, req, res, req.method === "POST" ? await readJson(req) : undefined);
        if (req.method !== "POST") return json(res, 405, { error: `${path} takes POST` });
        if (path === "/v1/search") {
            const q = parse(Search, await readJson(req));
            return json(res, 200, { hits: await search(deps, q.collection, q.query, q.top_k, ctx) });
        }
        const q = parse(Query, await readJson(req));
        const events = ask(deps, q.collection, q.question, q.top_k, ctx);
        // Pull the first event before committing to a 200 stream, so retrieval errors still get a proper status.
        const first = await events.next();
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        // Events produced in the same tick leave in one write (cork until the next tick): one syscall, not one per token.
        const send = (e: unknown) => {
            res.write(`data: ${JSON.stringify(e)}\n\n`);
        };
        if (!first.done) send(first.value);
        try {
            for await (const e of events) send(e);
        } catch (e) {
            send({ type: "error", message: (e as Error).message });
        }
        res.end();
    }

    return createServer((req, res) => {
        const started = performance.now();
        const parent = propagation.extract(context.active(), req.headers);
        void inSpan(`${req.method} ${(req.url ?? "/").split("?")[0]}`, parent, { "http.method": req.method ?? "" }, (ctx) => route(req, res, ctx))
            .catch((e: Error) => {
                const status = e instanceof BadRequest ? 400 : e instanceof UpstreamError ? (e.status === 404 ? 404 : 502) : 500;
                if (!res.headersSent) json(res, status, { error: e.message });
                else res.end();
                if (status >= 500) log({ level: "error", path: req.url, error: e.message });
            })
            .finally(() => {
                if (req.url !== "/healthz" && req.url !== "/readyz") log({ level: "info", method: req.method, path: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) });
            });
    });
}
