/**
 * The RAG service end to end on loopback: ingest → query (SSE) → MCP tools and resources → agent loop, against
 * stand-ins that check every request and response against TEI's, Qdrant's and OpenAI's published OpenAPI documents.
 * One stand-in server and one service for the whole file.
 */
import type { AddressInfo } from "net";
import type { Server } from "http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { chunk, CHUNK_CHARS, CHUNK_OVERLAP, pointId } from "../src/collection";
import { ConfigError, ENV, INGEST_ENV, loadConfig } from "../src/config";
import { deps as buildDeps } from "../src/deps";
import { ingest } from "../src/ingest";
import { connectMcp, runAgent } from "../src/agent";
import type { Deps } from "../src/rag";
import { RetryBudget, UpstreamError } from "../src/retry";
import { ragServer } from "../src/server";
import { Gateway } from "../src/gateway";
import { EMBEDDING_MODEL, StandIns } from "./support/standins";
import { propagation, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

const KEY = "rag-client-key-0123456789";
const stand = new StandIns();
let env: NodeJS.ProcessEnv;
let deps: Deps;
let server: Server;
let base: string;

const HANDBOOK = [
    { source: "leave.md", offset: 0, text: "Annual leave: every employee has 25 days of paid annual leave per year." },
    { source: "travel.md", offset: 0, text: "Travel: book flights through the travel desk at least two weeks ahead." },
    { source: "security.md", offset: 0, text: "Security: report a lost laptop to the service desk within one hour." },
];

const spans = new InMemorySpanExporter();

beforeAll(async () => {
    // What startTelemetry registers, with an in-memory exporter instead of OTLP.
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }));
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    await stand.start();
    env = {
        TEI_URL: `${stand.url}/tei`, QDRANT_URL: `${stand.url}/qdrant`, QDRANT_API_KEY: "qdrant-key-0123456789",
        GATEWAY_BASE_URL: `${stand.url}/gateway/v1`, GATEWAY_MODEL: "llama-3.1-8b-instruct", GATEWAY_API_KEY: "gateway-team-key-0123456789",
        RAG_API_KEY: KEY, RAG_TIMEOUT_MS: "300", RAG_RETRIES: "2",
    };
    deps = buildDeps(loadConfig(env));
    server = ragServer(deps, { apiKey: KEY, readyTimeoutMs: 300, log: () => undefined });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await ingest(deps, "handbook", HANDBOOK);
});
afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await stand.stop();
});
beforeEach(() => stand.reset());
afterEach(() => expect(stand.violations).toEqual([]));

const post = (path: string, body: unknown, key = KEY) => fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify(body) });

describe("configuration", () => {
    test("every problem at once, naming variable, value and rule; secrets never echoed", () => {
        let err: ConfigError | undefined;
        try { loadConfig({ ...env, TEI_URL: "tei:8080", GATEWAY_API_KEY: "short-secret", RAG_RETRIES: "9", GATEWAY_MODEL: undefined }); } catch (e) { err = e as ConfigError; }
        expect(err).toBeInstanceOf(ConfigError);
        expect(err!.problems).toEqual([
            expect.stringMatching(/^TEI_URL = "tei:8080": /),
            "GATEWAY_MODEL = unset: required",
            "GATEWAY_API_KEY = <12 characters>: must be at least 16 characters (a generated key, not a placeholder)",
            expect.stringMatching(/^RAG_RETRIES = "9": .*5/),
        ]);
        expect(err!.message).not.toContain("short-secret");
    });
    test("the ingest job needs no gateway or client key", () => {
        expect(Object.keys(INGEST_ENV.shape)).not.toContain("GATEWAY_BASE_URL");
        expect(loadConfig({ TEI_URL: env.TEI_URL, QDRANT_URL: env.QDRANT_URL, QDRANT_API_KEY: env.QDRANT_API_KEY }, INGEST_ENV).RAG_TIMEOUT_MS).toBe(ENV.shape.RAG_TIMEOUT_MS.parse(undefined));
    });
});

describe("collection contract (shared by ingest and query)", () => {
    test("chunks overlap and cover the text; ids are stable per source and offset", () => {
        const text = "x".repeat(CHUNK_CHARS * 2);
        const chunks = chunk("a.md", text);
        expect(chunks.map((c) => c.offset)).toEqual([0, CHUNK_CHARS - CHUNK_OVERLAP, 2 * (CHUNK_CHARS - CHUNK_OVERLAP)]);
        expect(chunks.at(-1)!.offset + chunks.at(-1)!.text.length).toBe(text.length);
        expect(pointId("a.md", 0)).toBe(pointId("a.md", 0));
        expect(pointId("a.md", 0)).not.toBe(pointId("a.md", 1200));
        expect(Number.isSafeInteger(pointId("a.md", 0))).toBe(true);
    });
    test("ingest created the collection with the TEI model recorded and one point per chunk", () => {
        const c = stand.collections.get("handbook")!;
        expect({ size: c.size, distance: c.distance, metadata: c.metadata, points: c.points.size }).toEqual({ size: 16, distance: "Cosine", metadata: { embedding_model: EMBEDDING_MODEL }, points: 3 });
        expect([...c.points.values()][0].payload).toEqual({ ...HANDBOOK[0], model: EMBEDDING_MODEL });
    });
});

describe("query over HTTP", () => {
    test("/v1/ask streams citations, then the answer, then done; the gateway gets the sources and the team key", async () => {
        const res = await post("/v1/ask", { collection: "handbook", question: "How many days of annual leave?", top_k: 2 });
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toBe("text/event-stream");
        const events = (await res.text()).trim().split("\n\n").map((e) => JSON.parse(e.replace(/^data: /, "")));
        expect(events[0]).toEqual({ type: "citations", citations: [expect.objectContaining({ n: 1, source: "leave.md", offset: 0 }), expect.objectContaining({ n: 2 })] });
        expect(events.filter((e) => e.type === "token").map((e) => e.text).join("")).toBe("From the sources: yes [1].");
        expect(events.at(-1)).toEqual({ type: "done" });
        const chat = stand.requests.find((r) => r.service === "gateway")!;
        expect(chat.headers.authorization).toBe("Bearer gateway-team-key-0123456789");
        expect(chat.body).toMatchObject({ model: "llama-3.1-8b-instruct", stream: true });
        expect((chat.body as { messages: { content: string }[] }).messages[1].content).toContain("[1] leave.md (offset 0)\nAnnual leave");
        expect(stand.requests.filter((r) => r.service === "qdrant").every((r) => r.headers["api-key"] === "qdrant-key-0123456789")).toBe(true);
    });
    test("traces: a request span continues the caller's traceparent; embed and retrieve are its children", async () => {
        spans.reset();
        const caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        await fetch(`${base}/v1/search`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, traceparent: caller }, body: JSON.stringify({ collection: "handbook", query: "leave" }) });
        const done = spans.getFinishedSpans();
        const root = done.find((s) => s.name === "POST /v1/search")!;
        expect(root.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
        expect(root.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
        for (const name of ["tei.embed", "qdrant.query"]) expect(done.find((s) => s.name === name)?.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    });
    test("/v1/search returns scored chunks; bad input is a 400 naming the field; no token is a 401", async () => {
        const hits = (await (await post("/v1/search", { collection: "handbook", query: "lost laptop" })).json()) as { hits: { source: string }[] };
        expect(hits.hits[0].source).toBe("security.md");
        expect(await (await post("/v1/search", { collection: "Handbook!", query: "x" })).json()).toEqual({ error: expect.stringContaining('collection "Handbook!" is not allowed') });
        const bad = await post("/v1/ask", { collection: "handbook" });
        expect([bad.status, ((await bad.json()) as { error: string }).error]).toEqual([400, expect.stringContaining("question")]);
        expect((await post("/v1/ask", { collection: "handbook", question: "q" }, "wrong-key")).status).toBe(401);
    });
    test("an unknown collection is a 404, not a 502", async () => {
        expect((await post("/v1/search", { collection: "nothing-here", query: "x" })).status).toBe(404);
    });
    test("probes: /healthz always; /readyz names the dependency that fails", async () => {
        expect((await fetch(`${base}/healthz`)).status).toBe(200);
        expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ tei: "ok", qdrant: "ok", gateway: "ok" });
        stand.faults.push({ service: "tei", path: /^\/health$/, status: 503, times: 1 });
        const res = await fetch(`${base}/readyz`);
        expect([res.status, ((await res.json()) as Record<string, string>).tei]).toEqual([503, expect.stringMatching(/^tei: 503 from \/tei\/health/)]);
    });
});

describe("timeouts, retries and the retry budget", () => {
    test("a 503 is retried and the answer still comes; a 400 is not retried", async () => {
        stand.faults.push({ service: "tei", path: /^\/embed$/, status: 503, times: 1 });
        expect((await post("/v1/search", { collection: "handbook", query: "travel desk" })).status).toBe(200);
        expect(stand.requests.filter((r) => r.path === "/embed")).toHaveLength(2);
        stand.reset();
        stand.faults.push({ service: "qdrant", path: /points\/query$/, status: 400, times: 1 });
        expect((await post("/v1/search", { collection: "handbook", query: "travel" })).status).toBe(502);
        expect(stand.requests.filter((r) => r.path.endsWith("/points/query"))).toHaveLength(1);
    });
    test("a call that outlives its timeout fails with the service and the deadline named", async () => {
        stand.faults.push({ service: "tei", path: /^\/embed$/, delayMs: 400, times: 3 });
        const res = await post("/v1/search", { collection: "handbook", query: "leave" });
        expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([502, expect.stringMatching(/^tei: no answer within 300 ms/)]);
    });
    test("an empty budget stops retrying", async () => {
        const budget = new RetryBudget(0, 1);
        const gw = new Gateway({ baseUrl: env.GATEWAY_BASE_URL!, model: "m", apiKey: "k".repeat(16), timeoutMs: 300, retries: 3, budget });
        stand.faults.push({ service: "gateway", path: /^\/chat\/completions$/, status: 503, times: 5 });
        await expect(gw.complete([{ role: "user", content: "hi" }], [])).rejects.toThrow(UpstreamError);
        expect(stand.requests).toHaveLength(2); // the first try and the one retry the budget held
    });
});

test("a client call that drifts from the published API fails (the stand-in checks the request schema)", async () => {
    const gw = new Gateway({ baseUrl: env.GATEWAY_BASE_URL!, model: "m", apiKey: "k".repeat(16), timeoutMs: 300, retries: 0, budget: new RetryBudget(0) });
    await expect(gw.complete([], [])).rejects.toThrow(/gateway: 400/);
    expect(stand.violations).toEqual([expect.stringMatching(/^openai POST \/chat\/completions request: \/messages must NOT have fewer than 1 items/)]);
    stand.reset();
});

test("a collection embedded with another model is refused with what to do", async () => {
    await deps.store.ensureCollection("other-model", 16, "intfloat/e5-small");
    await expect(deps.store.checkModel("other-model", EMBEDDING_MODEL)).rejects.toThrow('collection "other-model" was embedded with intfloat/e5-small, but TEI serves BAAI/bge-small-en-v1.5: re-ingest it or point TEI_URL at intfloat/e5-small');
});

describe("MCP server (Streamable HTTP) and the agent example", () => {
    let mcp: Client;
    beforeAll(async () => { mcp = await connectMcp(`${base}/mcp`, KEY); });
    afterAll(() => mcp.close());

    test("tools and collection resources", async () => {
        expect((await mcp.listTools()).tools.map((t) => t.name).sort()).toEqual(["ask", "search_documents"]);
        const found = await mcp.callTool({ name: "search_documents", arguments: { collection: "handbook", query: "annual leave days", top_k: 1 } });
        expect(JSON.parse((found.content as { text: string }[])[0].text)).toEqual([expect.objectContaining({ source: "leave.md", text: HANDBOOK[0].text })]);
        const asked = await mcp.callTool({ name: "ask", arguments: { collection: "handbook", question: "leave?" } });
        expect(JSON.parse((asked.content as { text: string }[])[0].text)).toMatchObject({ answer: "From the sources: yes [1].", citations: expect.arrayContaining([expect.objectContaining({ n: 1 })]) });
        expect((await mcp.listResources()).resources.map((r) => r.uri)).toContain("rag://collections/handbook");
        const read = await mcp.readResource({ uri: "rag://collections/handbook" });
        expect(JSON.parse((read.contents[0] as { text: string }).text)).toEqual({ name: "handbook", points: 3, dimension: 16, distance: "Cosine", model: EMBEDDING_MODEL });
    });
    test("the MCP endpoint refuses a client without the key", async () => {
        await expect(connectMcp(`${base}/mcp`, "wrong-key-0123456789")).rejects.toThrow(/missing or wrong bearer token/);
    });
    test("agent: calls the MCP tool the model asks for, answers, logs each step", async () => {
        stand.script = (b) => b.messages.at(-1)!.role === "tool"
            ? { content: "25 days [leave.md]." }
            : { content: null, toolCalls: [{ name: "search_documents", arguments: { collection: "handbook", query: "annual leave" } }] };
        const log: Record<string, unknown>[] = [];
        expect(await runAgent(deps.gateway, mcp, "How much leave?", 4, (l) => log.push(l))).toEqual({ answer: "25 days [leave.md].", steps: 2, stopped: "answered" });
        expect(log).toEqual([{ step: 1, toolCalls: ["search_documents"], answered: false }, expect.objectContaining({ step: 1, tool: "search_documents" }), { step: 2, toolCalls: [], answered: true }]);
    });
    test("agent: stops after its step bound when the model keeps calling tools", async () => {
        stand.script = () => ({ content: null, toolCalls: [{ name: "search_documents", arguments: { collection: "handbook", query: "x" } }] });
        const log: Record<string, unknown>[] = [];
        expect(await runAgent(deps.gateway, mcp, "loop", 3, (l) => log.push(l))).toEqual({ answer: null, steps: 3, stopped: "max_steps" });
        expect(log.at(-1)).toEqual({ stopped: "max_steps", maxSteps: 3 });
        stand.script = () => ({ content: "From the sources: yes [1]." });
    });
});
