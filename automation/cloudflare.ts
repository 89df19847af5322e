/**
 * The few Cloudflare API v4 calls `pipeline failover` makes (shapes vendored in tests/fixtures/cloudflare/api.json
 * from cloudflare/cloudflare-typescript, which is generated from Cloudflare's OpenAPI): read the steering objects by
 * name, read their health, move the steering. Token: CLOUDFLARE_API_TOKEN (never printed); base URL:
 * CLOUDFLARE_API_BASE (default https://api.cloudflare.com/client/v4; tests point it at a loopback fake).
 */
import { PipelineError } from "./errors";
import { EXIT } from "./exit-codes";

const DEFAULT_BASE = "https://api.cloudflare.com/client/v4";
const TIMEOUT_MS = 15_000;

export interface CloudflareClientConfig {
    base: string;
    token: string;
}

const unavailable = (m: string, cause?: unknown) => new PipelineError(EXIT.cloudflareUnavailable, `Cloudflare API: ${m}`, cause);

export function cloudflareConfig(env: Record<string, string | undefined>): CloudflareClientConfig {
    const token = env.CLOUDFLARE_API_TOKEN;
    if (!token) throw unavailable("CLOUDFLARE_API_TOKEN is not set: failover reads health and moves steering through the API (README: traffic steering, token scopes)");
    const base = (env.CLOUDFLARE_API_BASE ?? DEFAULT_BASE).replace(/\/+$/, "");
    if (!/^https?:\/\//.test(base)) throw unavailable(`CLOUDFLARE_API_BASE '${base}' is not an http(s) URL`);
    return { base, token };
}

interface Envelope<T> {
    success?: boolean;
    errors?: { code?: number; message?: string }[];
    result?: T;
}

async function call<T>(cfg: CloudflareClientConfig, method: "GET" | "PATCH", path: string, body?: unknown): Promise<T> {
    let res: Response;
    let env: Envelope<T> | undefined;
    try {
        res = await fetch(`${cfg.base}${path}`, {
            method,
            headers: { Authorization: `Bearer ${cfg.token}`, Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}) },
            body: body ? JSON.stringify(body) : undefined,
            signal: AbortSignal.timeout(TIMEOUT_MS),
            redirect: "error",
        });
        env = (await res.json().catch(() => undefined)) as Envelope<T> | undefined;
    } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        throw unavailable(`${method} ${path}: unreachable (${err.name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000}s` : (err.cause?.code ?? err.message)})`, e);
    }
    if (res.status === 401 || res.status === 403) throw unavailable(`${method} ${path}: rejected the token (HTTP ${res.status}); it needs the scopes in README "Traffic steering"`);
    if (!res.ok || env?.success !== true) {
        const why = env?.errors?.map((x) => `${x.code ?? ""} ${x.message ?? ""}`.trim()).join("; ");
        throw unavailable(`${method} ${path}: HTTP ${res.status}${why ? ` (${why})` : ""}`);
    }
    return env.result as T;
}

export interface Pool {
    id: string;
    name: string;
    enabled?: boolean;
}
export interface LoadBalancer {
    id: string;
    name: string;
    default_pools: string[];
    fallback_pool?: string;
}
export interface Healthcheck {
    id: string;
    name: string;
    status?: "unknown" | "healthy" | "unhealthy" | "suspended";
}
export interface DnsRecord {
    id: string;
    name: string;
    type: string;
    content: string;
}
/** Per Cloudflare point of presence: whether the pool is healthy from there. */
export interface PoolHealth {
    pool_id?: string;
    pop_health?: Record<string, { healthy?: boolean }>;
}

export const cloudflareApi = (cfg: CloudflareClientConfig) => ({
    pools: (accountId: string) => call<Pool[]>(cfg, "GET", `/accounts/${accountId}/load_balancers/pools`),
    poolHealth: (accountId: string, poolId: string) => call<PoolHealth>(cfg, "GET", `/accounts/${accountId}/load_balancers/pools/${poolId}/health`),
    loadBalancers: (zoneId: string) => call<LoadBalancer[]>(cfg, "GET", `/zones/${zoneId}/load_balancers`),
    setDefaultPools: (zoneId: string, lbId: string, pools: string[]) => call<LoadBalancer>(cfg, "PATCH", `/zones/${zoneId}/load_balancers/${lbId}`, { default_pools: pools }),
    healthchecks: (zoneId: string) => call<Healthcheck[]>(cfg, "GET", `/zones/${zoneId}/healthchecks`),
    dnsRecords: (zoneId: string, name: string, type: string) => call<DnsRecord[]>(cfg, "GET", `/zones/${zoneId}/dns_records?${new URLSearchParams({ name, type })}`),
    setRecordContent: (zoneId: string, recordId: string, content: string) => call<DnsRecord>(cfg, "PATCH", `/zones/${zoneId}/dns_records/${recordId}`, { content }),
});

export type CloudflareApi = ReturnType<typeof cloudflareApi>;

/** A pool is healthy when at least one Cloudflare location reports on it and every reporting location says healthy. */
export function poolIsHealthy(h: PoolHealth): boolean {
    const pops = Object.values(h.pop_health ?? {});
    return pops.length > 0 && pops.every((p) => p.healthy === true);
}
