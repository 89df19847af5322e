/** Retrieval-augmented answers: embed the question, retrieve chunks, answer from them with numbered citations. */
import type { Context } from "@opentelemetry/api";
import { checkCollectionName } from "./collection";
import type { Gateway, Message } from "./gateway";
import { UpstreamError } from "./retry";
import type { Hit, Store } from "./store";
import type { Embedder } from "./tei";
import { inSpan } from "./telemetry";

export interface Deps { embedder: Embedder; store: Store; gateway: Gateway; topK: number }
export interface Citation { n: number; source: string; offset: number; score: number }
export type AnswerEvent = { type: "citations"; citations: Citation[] } | { type: "token"; text: string } | { type: "done" };

/** A request the caller got wrong (bad collection name, empty question): answered 400, never retried. */
export class BadRequest extends Error {}

export async function search(deps: Deps, collection: string, query: string, topK: number | undefined, ctx?: Context): Promise<Hit[]> {
    const bad = checkCollectionName(collection) ?? (query.trim() ? undefined : "the question is empty");
    if (bad) throw new BadRequest(bad);
    const [vector] = await inSpan("tei.embed", ctx, { "rag.collection": collection }, () => deps.embedder.embed([query]));
    if (!vector) throw new UpstreamError("tei", "returned no embedding");
    await deps.store.checkModel(collection, await deps.embedder.model());
    return inSpan("qdrant.query", ctx, { "rag.collection": collection }, () => deps.store.search(collection, vector, topK ?? deps.topK));
}

export function prompt(question: string, hits: Hit[]): Message[] {
    const sources = hits.map((h, i) => `[${i + 1}] ${h.source} (offset ${h.offset})\n${h.text}`).join("\n\n");
    return [
        { role: "system", content: "Answer only from the numbered sources. Cite every claim as [n] with the source's number. If the sources do not contain the answer, say so." },
        { role: "user", content: `Sources:\n\n${sources}\n\nQuestion: ${question}` },
    ];
}

/** Citations first (the client can show them while the answer streams), then the answer's tokens, then done. */
export async function* ask(deps: Deps, collection: string, question: string, topK?: number, ctx?: Context): AsyncGenerator<AnswerEvent> {
    const hits = await search(deps, collection, question, topK, ctx);
    yield { type: "citations", citations: hits.map((h, i) => ({ n: i + 1, source: h.source, offset: h.offset, score: h.score })) };
    for await (const text of deps.gateway.stream(prompt(question, hits))) yield { type: "token", text };
    yield { type: "done" };
}

/** The whole answer at once (MCP `ask`, the agent's tool). */
export async function answer(deps: Deps, collection: string, question: string, topK?: number, ctx?: Context): Promise<{ answer: string; citations: Citation[] }> {
    let text = "";
    let citations: Citation[] = [];
    for await (const e of ask(deps, collection, question, topK, ctx)) {
        if (e.type === "citations") citations = e.citations;
        else if (e.type === "token") text += e.text;
    }
    return { answer: text, citations };
}
