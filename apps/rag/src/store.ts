/** Qdrant through its official client: collections, upserts and similarity queries with the shared payload. */
import type { QdrantClient as Client } from "@qdrant/js-client-rest" with { "resolution-mode": "import" };
import { DISTANCE, type ChunkPayload } from "./collection";
import { RETRYABLE_STATUS, RetryBudget, UpstreamError, withRetry } from "./retry";

// The package's type declarations are ESM-only; its CommonJS build ("require" export) is what runs.
const { QdrantClient } = require("@qdrant/js-client-rest") as { QdrantClient: typeof Client };

export interface StoreOptions { url: string; apiKey: string; timeoutMs: number; retries: number; budget: RetryBudget }
export interface Hit extends ChunkPayload { score: number }
export interface CollectionSummary { name: string; points: number; dimension?: number; distance?: string; model?: string }

/** The client's errors (ApiError with `status`, timeout, connection) as UpstreamErrors. */
function upstream(e: unknown): UpstreamError {
    if (e instanceof UpstreamError) return e;
    const err = e as Error & { status?: number; data?: { status?: { error?: string } } };
    const status = typeof err.status === "number" ? err.status : undefined;
    const detail = err.data?.status?.error ?? (err.cause ? `${err.message} (${(err.cause as Error).message})` : err.message);
    return new UpstreamError("qdrant", status ? `${status}: ${detail}` : detail, status, status === undefined || RETRYABLE_STATUS.has(status));
}

export class Store {
    private readonly client: Client;
    private readonly models = new Map<string, string | undefined>();

    constructor(private readonly o: StoreOptions) {
        const u = new URL(o.url);
        this.client = new QdrantClient({
            // The client ignores a path in `url`; a base path (behind an ingress) must go as `prefix`.
            url: u.origin, prefix: u.pathname === "/" ? undefined : u.pathname, port: u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80, timeout: o.timeoutMs,
            // Readiness checks the server version instead of a fire-and-forget request at construction.
            checkCompatibility: false,
            // In-cluster plain HTTP behind NetworkPolicies (only this app and ingest reach Qdrant): the client's
            // apiKey option would print its insecure-connection warning on every start, so the key goes as the header.
            headers: { "api-key": o.apiKey },
        });
    }

    private run<T>(fn: () => Promise<T>): Promise<T> {
        return withRetry(this.o, () => fn().catch((e) => { throw upstream(e); }));
    }

    async version(): Promise<string> {
        return this.run(async () => (await this.client.versionInfo()).version);
    }

    async ensureCollection(name: string, dimension: number, model: string): Promise<void> {
        const { exists } = await this.run(() => this.client.collectionExists(name));
        if (!exists) await this.run(() => this.client.createCollection(name, { vectors: { size: dimension, distance: DISTANCE }, metadata: { embedding_model: model } }));
        else await this.checkModel(name, model);
    }

    async upsert(name: string, points: { id: number; vector: number[]; payload: ChunkPayload }[]): Promise<void> {
        await this.run(() => this.client.upsert(name, { wait: true, points: points.map((p) => ({ ...p, payload: { ...p.payload } })) }));
    }

    /** Refuses a collection whose vectors came from another embedding model: distances between them mean nothing. */
    async checkModel(name: string, model: string): Promise<void> {
        if (!this.models.has(name)) this.models.set(name, (await this.describe(name)).model);
        const recorded = this.models.get(name);
        if (recorded && recorded !== model) throw new UpstreamError("qdrant", `collection "${name}" was embedded with ${recorded}, but TEI serves ${model}: re-ingest it or point TEI_URL at ${recorded}`);
    }

    async search(name: string, vector: number[], limit: number): Promise<Hit[]> {
        const res = await this.run(() => this.client.query(name, { query: vector, limit, with_payload: true }));
        return res.points.map((p) => ({ ...(p.payload as unknown as ChunkPayload), score: p.score }));
    }

    async list(): Promise<string[]> {
        return (await this.run(() => this.client.getCollections())).collections.map((c) => c.name).sort();
    }

    async describe(name: string): Promise<CollectionSummary> {
        const info = await this.run(() => this.client.getCollection(name));
        const vectors = info.config.params.vectors as { size?: number; distance?: string } | undefined;
        const model = (info.config.metadata as Record<string, unknown> | null | undefined)?.embedding_model;
        return { name, points: info.points_count ?? 0, dimension: vectors?.size, distance: vectors?.distance, model: typeof model === "string" ? model : undefined };
    }
}
