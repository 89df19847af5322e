/**
 * Agent example: a tool-calling loop against the gateway whose tools are the RAG service's MCP tools. Bounded by
 * AGENT_MAX_STEPS; every step is logged as one JSON line. Run: `node build/src/agent.js "<question>"` with
 * RAG_MCP_URL (default http://localhost:8080/mcp), RAG_API_KEY and the gateway variables set.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { loadConfig } from "./config";
import { deps } from "./deps";
import type { Gateway, Message, Tool } from "./gateway";
import { configOrExit } from "./main";

export interface AgentResult { answer: string | null; steps: number; stopped: "answered" | "max_steps" }

export async function connectMcp(url: string, apiKey: string): Promise<Client> {
    const client = new Client({ name: "aiplatform-agent-example", version: "0.1.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } }));
    return client;
}

export async function runAgent(gateway: Gateway, mcp: Client, question: string, maxSteps: number, log: (line: Record<string, unknown>) => void): Promise<AgentResult> {
    const tools: Tool[] = (await mcp.listTools()).tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.inputSchema as Record<string, unknown> } }));
    const messages: Message[] = [
        { role: "system", content: "You answer questions about the company's documents. Use the tools; cite sources as the tools return them." },
        { role: "user", content: question },
    ];
    for (let step = 1; step <= maxSteps; step++) {
        const turn = await gateway.complete(messages, tools);
        log({ step, toolCalls: turn.toolCalls.map((c) => c.function.name), answered: turn.toolCalls.length === 0 });
        if (turn.toolCalls.length === 0) return { answer: turn.content, steps: step, stopped: "answered" };
        messages.push({ role: "assistant", content: turn.content, tool_calls: turn.toolCalls });
        for (const c of turn.toolCalls) {
            let content: string;
            try {
                const result = await mcp.callTool({ name: c.function.name, arguments: JSON.parse(c.function.arguments) as Record<string, unknown> });
                content = (result.content as { type: string; text?: string }[]).map((p) => p.text ?? "").join("\n");
            } catch (e) {
                // The model sees the failure and may correct its call; the step count still bounds the loop.
                content = `tool error: ${(e as Error).message}`;
            }
            log({ step, tool: c.function.name, arguments: c.function.arguments, resultChars: content.length });
            messages.push({ role: "tool", tool_call_id: c.id, content });
        }
    }
    log({ stopped: "max_steps", maxSteps });
    return { answer: null, steps: maxSteps, stopped: "max_steps" };
}

if (require.main === module) {
    void (async () => {
        const config = configOrExit(() => loadConfig());
        const question = process.argv.slice(2).join(" ");
        if (!question) { console.error("usage: agent <question>"); process.exit(2); }
        const mcp = await connectMcp(process.env.RAG_MCP_URL ?? `http://localhost:${config.RAG_PORT}/mcp`, config.RAG_API_KEY);
        const result = await runAgent(deps(config).gateway, mcp, question, config.AGENT_MAX_STEPS, (l) => console.error(JSON.stringify(l)));
        console.log(result.answer ?? `(no answer within ${config.AGENT_MAX_STEPS} steps)`);
        await mcp.close();
    })();
}
