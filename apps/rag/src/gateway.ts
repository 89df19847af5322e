/** The LLM gateway's OpenAI-compatible API: streamed chat completions for answers, tool calls for the agent. */
import { call, RetryBudget, UpstreamError, withRetry } from "./retry";

export interface GatewayOptions { baseUrl: string; model: string; apiKey: string; timeoutMs: number; retries: number; budget: RetryBudget }

export interface ToolCall { id: string; type: "function"; function: { name: string; arguments: string } }
export type Message =
    | { role: "system" | "user"; content: string }
    | { role: "assistant"; content: string | null; tool_calls?: ToolCall[] }
    | { role: "tool"; tool_call_id: string; content: string };
export interface Tool { type: "function"; function: { name: string; description?: string; parameters: Record<string, unknown> } }

export class Gateway {
    constructor(private readonly o: GatewayOptions) {}

    private post(body: Record<string, unknown>): Promise<Response> {
        // Retries cover only the time before the first byte: a stream that broke halfway is not replayed.
        return withRetry(this.o, () => call("gateway", `${this.o.baseUrl}/chat/completions`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${this.o.apiKey}` },
            body: JSON.stringify({ model: this.o.model, ...body }),
        }, this.o.timeoutMs));
    }

    /** Yields the answer's text as the gateway streams it (server-sent events, `data: [DONE]` at the end). */
    async *stream(messages: Message[], maxTokens = 1024): AsyncGenerator<string> {
        const res = await this.post({ messages, stream: true, max_tokens: maxTokens, temperature: 0 });
        if (!res.body) throw new UpstreamError("gateway", "streamed response has no body");
        const decoder = new TextDecoder();
        let buffered = "";
        for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
            buffered += decoder.decode(bytes, { stream: true });
            let end: number;
            while ((end = buffered.indexOf("\n\n")) >= 0) {
                const event = buffered.slice(0, end);
                buffered = buffered.slice(end + 2);
                for (const line of event.split("\n")) {
                    if (!line.startsWith("data:")) continue;
                    const data = line.slice(5).trim();
                    if (data === "[DONE]") return;
                    const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string | null } }[]; error?: { message: string } };
                    if (chunk.error) throw new UpstreamError("gateway", `stream failed: ${chunk.error.message}`);
                    const text = chunk.choices?.[0]?.delta?.content;
                    if (text) yield text;
                }
            }
        }
        throw new UpstreamError("gateway", "stream ended without [DONE]", undefined, false);
    }

    /** One non-streamed turn that may ask for tool calls. */
    async complete(messages: Message[], tools: Tool[]): Promise<{ content: string | null; toolCalls: ToolCall[] }> {
        const res = await this.post({ messages, tools, tool_choice: "auto", temperature: 0 });
        const body = (await res.json()) as { choices: { message: { content: string | null; tool_calls?: ToolCall[] } }[] };
        const message = body.choices[0]?.message;
        if (!message) throw new UpstreamError("gateway", "completion has no choices");
        return { content: message.content, toolCalls: message.tool_calls ?? [] };
    }

    async models(timeoutMs: number): Promise<string[]> {
        const res = await call("gateway", `${this.o.baseUrl}/models`, { headers: { authorization: `Bearer ${this.o.apiKey}` } }, timeoutMs);
        return ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id);
    }
}
