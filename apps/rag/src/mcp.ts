/**
 * The MCP server: tools `search_documents` and `ask`, and one resource per Qdrant collection. Served over Streamable
 * HTTP in stateless mode (a fresh server and transport per request, as the SDK documents for horizontally scaled
 * deployments): any replica answers any request and nothing is kept between calls.
 */
import type { IncomingMessage, ServerResponse } from "http";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";
import { answer, search, type Deps } from "./rag";

const collection = z.string().describe("Qdrant collection, e.g. handbook (resources rag://collections/{name} list them)");
const topK = z.number().int().min(1).max(50).optional().describe("chunks to retrieve (default: the service's RAG_TOP_K)");

export function mcpServer(deps: Deps): McpServer {
    const server = new McpServer({ name: "aiplatform-rag", version: "0.1.0" });
    server.registerTool("search_documents", {
        title: "Search documents",
        description: "Semantic search over an ingested document collection; returns the best-matching chunks with source and score.",
        inputSchema: { collection, query: z.string().min(1), top_k: topK },
    }, async ({ collection, query, top_k }) => {
        const hits = await search(deps, collection, query, top_k);
        return { content: [{ type: "text", text: JSON.stringify(hits.map(({ source, offset, score, text }) => ({ source, offset, score, text }))) }] };
    });
    server.registerTool("ask", {
        title: "Ask",
        description: "Answers a question from a document collection, citing sources as [n].",
        inputSchema: { collection, question: z.string().min(1), top_k: topK },
    }, async ({ collection, question, top_k }) => {
        const result = await answer(deps, collection, question, top_k);
        return { content: [{ type: "text", text: JSON.stringify(result) }] };
    });
    server.registerResource("collection", new ResourceTemplate("rag://collections/{name}", {
        list: async () => ({ resources: (await deps.store.list()).map((name) => ({ uri: `rag://collections/${name}`, name, mimeType: "application/json" })) }),
    }), { title: "Document collection", description: "Points, vector size, distance and embedding model of one collection", mimeType: "application/json" },
    async (uri, { name }) => ({ contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(await deps.store.describe(String(name))) }] }));
    return server;
}

export async function handleMcp(deps: Deps, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const server = mcpServer(deps);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => { void transport.close(); void server.close(); });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
}
