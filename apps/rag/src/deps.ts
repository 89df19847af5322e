/** Builds the clients from the configuration, sharing one retry budget per upstream. */
import type { Config } from "./config";
import { Gateway } from "./gateway";
import type { Deps } from "./rag";
import { RetryBudget } from "./retry";
import { Store } from "./store";
import { Embedder } from "./tei";

type StoreConfig = Pick<Config, "TEI_URL" | "QDRANT_URL" | "QDRANT_API_KEY" | "RAG_TIMEOUT_MS" | "RAG_RETRIES" | "RAG_RETRY_RATIO">;

export function storeDeps(c: StoreConfig): { embedder: Embedder; store: Store } {
    const common = { timeoutMs: c.RAG_TIMEOUT_MS, retries: c.RAG_RETRIES };
    return {
        embedder: new Embedder({ url: c.TEI_URL, ...common, budget: new RetryBudget(c.RAG_RETRY_RATIO) }),
        store: new Store({ url: c.QDRANT_URL, apiKey: c.QDRANT_API_KEY, ...common, budget: new RetryBudget(c.RAG_RETRY_RATIO) }),
    };
}

export function deps(c: Config): Deps {
    return {
        ...storeDeps(c),
        gateway: new Gateway({ baseUrl: c.GATEWAY_BASE_URL, model: c.GATEWAY_MODEL, apiKey: c.GATEWAY_API_KEY, timeoutMs: c.RAG_GENERATE_TIMEOUT_MS, retries: c.RAG_RETRIES, budget: new RetryBudget(c.RAG_RETRY_RATIO) }),
        topK: c.RAG_TOP_K,
    };
}
