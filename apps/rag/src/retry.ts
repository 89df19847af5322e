/** Timeouts, retries and a retry budget shared by every outbound call of the service. */

export class UpstreamError extends Error {
    constructor(readonly service: string, message: string, readonly status?: number, readonly retryable = false) {
        super(`${service}: ${message}`);
        this.name = "UpstreamError";
    }
}

/** Statuses worth another try: the upstream is saturated or restarting, not refusing the request. */
export const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/**
 * Retries are allowed while they stay under `ratio` of all calls plus a small reserve (the retry budget of gRPC and
 * Finagle): during an outage every caller retrying every call would multiply the load on the failing service.
 */
export class RetryBudget {
    private tokens: number;
    constructor(private readonly ratio: number, private readonly reserve = 10) {
        this.tokens = reserve;
    }
    /** A first attempt earns `ratio` of a retry. */
    onCall(): void {
        this.tokens = Math.min(this.reserve, this.tokens + this.ratio);
    }
    tryRetry(): boolean {
        if (this.tokens < 1) return false;
        this.tokens -= 1;
        return true;
    }
}

export interface RetryOptions { retries: number; budget: RetryBudget; baseDelayMs?: number }

export async function withRetry<T>(opts: RetryOptions, fn: (attempt: number) => Promise<T>): Promise<T> {
    opts.budget.onCall();
    for (let attempt = 0; ; attempt++) {
        try {
            return await fn(attempt);
        } catch (e) {
            const retryable = e instanceof UpstreamError && e.retryable;
            if (!retryable || attempt >= opts.retries || !opts.budget.tryRetry()) throw e;
            // Full jitter keeps synchronised callers from retrying in lockstep.
            await new Promise((r) => setTimeout(r, Math.random() * (opts.baseDelayMs ?? 50) * 2 ** attempt));
        }
    }
}

/** fetch with a deadline; network failures and timeouts become retryable UpstreamErrors naming the service. */
export async function call(service: string, url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
    let res: Response;
    // A controller and a timer, not AbortSignal.timeout(): that one builds a transferable signal and a DOMException
    // per call, a fifth of the service's CPU per request in the overhead bench. The deadline covers the whole body
    // (the caller reads it, a stream may outlive this function), so the timer is left to fire; aborting a finished
    // fetch does nothing, and unref() keeps it from holding the process.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs).unref();
    try {
        res = await fetch(url, { ...init, signal: controller.signal });
    } catch (e) {
        clearTimeout(timer);
        const err = e as Error;
        const timedOut = err.name === "TimeoutError" || err.name === "AbortError";
        throw new UpstreamError(service, timedOut ? `no answer within ${timeoutMs} ms (${url})` : `cannot reach ${url}: ${(err.cause as Error)?.message ?? err.message}`, undefined, true);
    }
    if (!res.ok) {
        const body = (await res.text().catch(() => "")).slice(0, 300);
        throw new UpstreamError(service, `${res.status} from ${new URL(url).pathname}: ${body}`, res.status, RETRYABLE_STATUS.has(res.status));
    }
    return res;
}
