/** Text Embeddings Inference client (`POST /embed`, `GET /info`, `GET /health`). */
import { call, RetryBudget, withRetry } from "./retry";

export interface TeiOptions { url: string; timeoutMs: number; retries: number; budget: RetryBudget }

export class Embedder {
    private modelId?: string;
    constructor(private readonly o: TeiOptions) {}

    async embed(texts: string[]): Promise<number[][]> {
        return withRetry(this.o, async () => {
            const res = await call("tei", `${this.o.url}/embed`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ inputs: texts, truncate: true }) }, this.o.timeoutMs);
            return (await res.json()) as number[][];
        });
    }

    /** The served model (`model_id`), asked once: collections record it and query refuses a mismatch. */
    async model(): Promise<string> {
        this.modelId ??= await withRetry(this.o, async () => {
            const res = await call("tei", `${this.o.url}/info`, { method: "GET" }, this.o.timeoutMs);
            return ((await res.json()) as { model_id: string }).model_id;
        });
        return this.modelId;
    }

    async health(timeoutMs: number): Promise<void> {
        await call("tei", `${this.o.url}/health`, { method: "GET" }, timeoutMs);
    }
}
