/**
 * Platform overhead on the request path: what the RAG service and a gateway hop add to a model that answers
 * instantly. Everything on loopback: the model stand-in (TEI /embed, Qdrant query, OpenAI chat completions, each
 * answering at once from memory) and a gateway stand-in (an HTTP proxy, one hop like the LLM gateway's) in this
 * process; the RAG service as its own Node process (src/main.ts, the production entry point).
 *
 *   direct  client → model stand-in /v1/chat/completions (streamed)             — the floor
 *   rag     client → RAG /v1/ask → TEI + Qdrant stand-ins → gateway → model     — the platform path
 * Added latency = rag − direct per percentile, one request at a time (--requests, default 1000); requests/second of
 * the rag path with --concurrency clients (default 16, 2000 requests), and the RAG process's CPU per request (from
 * /proc, so other load on the machine does not inflate it): requests/second one core of RAG service sustains.
 * 200 warm-up requests first. Prints one JSON line.
 */
import { spawn } from "child_process";
import { createServer, request, type IncomingMessage, type ServerResponse } from "http";
import type { AddressInfo } from "net";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";

const DIM = 384;
const VECTOR = Array.from({ length: DIM }, (_, i) => Math.sin(i));
const POINTS = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, version: 1, score: 0.9 - i / 10, payload: { source: `doc-${i}.md`, offset: 0, text: "Platform handbook text. ".repeat(40), model: "BAAI/bge-small-en-v1.5" } }));
const CHUNKS = ["", "The ", "answer ", "is ", "in ", "the ", "handbook ", "[1]."].map((w, i, all) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: i ? { content: w } : { role: "assistant", content: "" }, finish_reason: i === all.length - 1 ? "stop" : null }] })}\n\n`).join("") + "data: [DONE]\n\n";

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
    const s = createServer(handler);
    s.keepAliveTimeout = 60_000;
    return new Promise((r) => s.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
}

async function body(req: IncomingMessage): Promise<void> {
    for await (const _ of req) void _;
}

/** The model stand-in: every dependency's answer, from memory. */
function answer(url: string): [number, string, string] {
    const json = (v: unknown): [number, string, string] => [200, "application/json", JSON.stringify(v)];
    if (url === "/tei/embed") return json([VECTOR]);
    if (url === "/tei/info") return json({ model_id: "BAAI/bge-small-en-v1.5" });
    if (url === "/tei/health") return [200, "text/plain", ""];
    if (url.startsWith("/qdrant/collections/bench/points/query")) return json({ result: { points: POINTS }, status: "ok", time: 0 });
    if (url === "/qdrant/collections/bench") return json({ result: { status: "green", points_count: 5, config: { params: { vectors: { size: DIM, distance: "Cosine" } }, metadata: { embedding_model: "BAAI/bge-small-en-v1.5" } } }, status: "ok", time: 0 });
    if (url === "/v1/chat/completions") return [200, "text/event-stream", CHUNKS];
    return [404, "text/plain", ""];
}

function model(req: IncomingMessage, res: ServerResponse): void {
    void body(req).then(() => {
        const [status, type, text] = answer(req.url ?? "");
        res.writeHead(status, { "content-type": type }).end(text);
    });
}

/** One proxy hop, as the gateway adds: forward method, path, headers and body; stream the answer back. */
function gateway(upstream: URL) {
    return (req: IncomingMessage, res: ServerResponse) => {
        const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
        });
        req.pipe(out);
    };
}

async function load(url: string, init: RequestInit, n: number, concurrency: number): Promise<{ ms: number[]; wall: number }> {
    const ms: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next++ < n) {
            const t = performance.now();
            const res = await fetch(url, init);
            await res.text();
            if (!res.ok) throw new Error(`${url}: ${res.status}`);
            ms.push(performance.now() - t);
        }
    }));
    return { ms: ms.sort((a, b) => a - b), wall: performance.now() - started };
}

/** CPU milliseconds a process has used (Linux /proc: utime + stime in clock ticks, 100 per second). */
function cpuMs(pid: number): number {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { requests: { type: "string", default: "1000" }, concurrency: { type: "string", default: "16" } } });
    const n = Number(values.requests);
    const c = Number(values.concurrency);
    const modelUrl = await listen(model);
    const gatewayUrl = await listen(gateway(new URL(modelUrl)));
    const key = "bench-client-key-0123456789";
    const port = 20000 + Math.floor(Math.random() * 20000);
    const rag = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "..", "src", "main.ts")], {
        env: { ...process.env, RAG_PORT: String(port), TEI_URL: `${modelUrl}/tei`, QDRANT_URL: `${modelUrl}/qdrant`, QDRANT_API_KEY: "bench-qdrant-key-0123456789", GATEWAY_BASE_URL: `${gatewayUrl}/v1`, GATEWAY_MODEL: "m", GATEWAY_API_KEY: "bench-gateway-key-0123456789", RAG_API_KEY: key, OTEL_EXPORTER_OTLP_ENDPOINT: "" },
        stdio: ["ignore", "ignore", "inherit"],
    });
    rag.on("exit", (code) => { if (code) { console.error(`bench-overhead: the RAG service exited ${code}`); process.exit(1); } });
    try {
        const ragUrl = `http://127.0.0.1:${port}`;
        for (let i = 0; ; i++) {
            if (await fetch(`${ragUrl}/healthz`).then((r) => r.ok, () => false)) break;
            if (i > 100) throw new Error("the RAG service did not start within 10 s");
            await new Promise((r) => setTimeout(r, 100));
        }
        const chat: RequestInit = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "q" }] }) };
        const ask: RequestInit = { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ collection: "bench", question: "Where is the handbook?" }) };
        await load(`${modelUrl}/v1/chat/completions`, chat, 200, c);
        await load(`${ragUrl}/v1/ask`, ask, 200, c);
        const direct = await load(`${modelUrl}/v1/chat/completions`, chat, n, 1);
        const path_ = await load(`${ragUrl}/v1/ask`, ask, n, 1);
        const cpu0 = cpuMs(rag.pid!);
        const busy = await load(`${ragUrl}/v1/ask`, ask, 2000, c);
        const ragCpu = (cpuMs(rag.pid!) - cpu0) / 2000;
        const round = (x: number) => Math.round(x * 100) / 100;
        console.log(JSON.stringify({
            requests: n, concurrency: c, cores: os.cpus().length, load: Math.round(os.loadavg()[0] * 10) / 10,
            direct: { p50: round(pct(direct.ms, 50)), p99: round(pct(direct.ms, 99)) },
            rag: { p50: round(pct(path_.ms, 50)), p99: round(pct(path_.ms, 99)), rps: Math.round((2000 / busy.wall) * 1000), busyP99: round(pct(busy.ms, 99)), cpuMsPerRequest: round(ragCpu), rpsPerCore: Math.round(1000 / ragCpu) },
            added: { p50: round(pct(path_.ms, 50) - pct(direct.ms, 50)), p99: round(pct(path_.ms, 99) - pct(direct.ms, 99)) },
        }));
    } finally {
        rag.kill();
    }
    process.exit(0);
}

void main().catch((e: Error) => { console.error(`bench-overhead: ${e.message}`); process.exit(1); });
