/**
 * The service's typed configuration, read once from the environment. Every problem is reported at once, each naming
 * the variable, the value it had and what is allowed; secrets are never echoed.
 */
import { z } from "zod";

const ms = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const url = z.string().url().refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL").transform((u) => u.replace(/\/+$/, ""));
const secret = z.string().min(16, "must be at least 16 characters (a generated key, not a placeholder)");

/** Names of variables whose value must never appear in an error message. */
const SECRETS = new Set(["QDRANT_API_KEY", "GATEWAY_API_KEY", "RAG_API_KEY"]);

export const ENV = z.object({
    /** Port of the HTTP API, the MCP endpoint and the probes. */
    RAG_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
    /** Text Embeddings Inference base URL (the model must match the one ingest used: collections record it). */
    TEI_URL: url,
    /** Qdrant REST base URL. */
    QDRANT_URL: url,
    /** Qdrant API key (Key Vault `qdrant-api-key` via ESO). */
    QDRANT_API_KEY: secret,
    /** OpenAI-compatible base URL of the LLM gateway, including `/v1`. */
    GATEWAY_BASE_URL: url,
    /** Model name the gateway routes (`model` of chat completions). */
    GATEWAY_MODEL: z.string().min(1).regex(/^[\w.:/-]+$/, "letters, digits, . _ : / - only"),
    /** This app's gateway key (per-team key from Key Vault via ESO). */
    GATEWAY_API_KEY: secret,
    /** Bearer token clients present to /v1 and /mcp (Key Vault `rag-api-key` via ESO). */
    RAG_API_KEY: secret,
    /** Timeout of one embed or retrieve call, ms. */
    RAG_TIMEOUT_MS: ms(5_000, 60_000),
    /** Timeout of one whole generation (stream included), ms. */
    RAG_GENERATE_TIMEOUT_MS: ms(120_000, 600_000),
    /** Retries of one call on 429/502/503/504, timeouts and connection errors (0 = none). */
    RAG_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
    /** Retry budget: retries may be at most this share of calls (plus a reserve of 10), so an outage is not amplified. */
    RAG_RETRY_RATIO: z.coerce.number().min(0).max(1).default(0.2),
    /** Chunks retrieved per question. */
    RAG_TOP_K: z.coerce.number().int().min(1).max(50).default(5),
    /** Tool-calling steps of the agent example before it stops. */
    AGENT_MAX_STEPS: z.coerce.number().int().min(1).max(20).default(6),
    /** OTLP/HTTP traces endpoint (Tempo's distributor, e.g. http://tempo.monitoring:4318); unset = no export. */
    OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
    OTEL_SERVICE_NAME: z.string().min(1).default("rag"),
});

export type Config = z.infer<typeof ENV>;

/** What the ingest job needs: no gateway, no client key. */
export const INGEST_ENV = ENV.pick({ TEI_URL: true, QDRANT_URL: true, QDRANT_API_KEY: true, RAG_TIMEOUT_MS: true, RAG_RETRIES: true, RAG_RETRY_RATIO: true, OTEL_EXPORTER_OTLP_ENDPOINT: true, OTEL_SERVICE_NAME: true });

export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "ConfigError";
    }
}

export function loadConfig<S extends z.ZodObject = typeof ENV>(env: NodeJS.ProcessEnv = process.env, schema: S = ENV as unknown as S): z.infer<S> {
    // An empty variable counts as unset (Kubernetes and shells often define optional ones as "").
    const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues.map((i) => {
        const key = String(i.path[0]);
        const raw = env[key];
        const shown = raw === undefined ? "unset" : SECRETS.has(key) ? `<${raw.length} characters>` : JSON.stringify(raw);
        const why = raw === undefined ? "required" : i.message;
        return `${key} = ${shown}: ${why}`;
    });
    throw new ConfigError(problems);
}
