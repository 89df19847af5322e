/**
 * The Cloudflare API v4 on loopback (127.0.0.1, random port) for `pipeline failover`'s tests. It serves only the
 * endpoints tests/fixtures/cloudflare/api.json vendors, answers in the v4 envelope, requires the bearer token, and
 * records every request that does not fit the vendored shape (method, path, query and body fields) in `problems`.
 */
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";

interface Endpoint {
    method: string;
    path: string;
    query: string[];
    body: string[];
}
const SPEC: { endpoints: Endpoint[] } = JSON.parse(fs.readFileSync(path.join(__dirname, "../fixtures/cloudflare/api.json"), "utf8"));

export interface FakeState {
    pools: { id: string; name: string; enabled: boolean; healthy: boolean }[];
    loadBalancers: { id: string; name: string; default_pools: string[]; fallback_pool: string }[];
    healthchecks: { id: string; name: string; status: "unknown" | "healthy" | "unhealthy" | "suspended" }[];
    records: { id: string; name: string; type: string; content: string }[];
}

export class FakeCloudflare {
    readonly state: FakeState = { pools: [], loadBalancers: [], healthchecks: [], records: [] };
    readonly requests: { method: string; path: string; body?: Record<string, unknown> }[] = [];
    readonly problems: string[] = [];
    private server?: http.Server;
    base = "";

    constructor(readonly token: string) {}

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => {
            let raw = "";
            req.on("data", (c) => (raw += c));
            req.on("end", () => this.handle(req, raw, res));
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/client/v4`;
        return this.base;
    }

    async stop(): Promise<void> {
        if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }

    private handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): void {
        const url = new URL(req.url ?? "/", "http://x");
        const route = url.pathname.replace(/^\/client\/v4/, "");
        const send = (status: number, result: unknown, errors: { code: number; message: string }[] = []) => {
            res.writeHead(status, { "Content-Type": "application/json" });
            res.end(JSON.stringify({ success: status < 400, errors, messages: [], result }));
        };
        if (req.headers.authorization !== `Bearer ${this.token}`) return send(403, null, [{ code: 10000, message: "Authentication error" }]);
        const ep = SPEC.endpoints.find((e) => e.method === req.method && new RegExp(`^${e.path.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(route));
        if (!ep) {
            this.problems.push(`${req.method} ${route}: not an endpoint of the vendored API`);
            return send(404, null, [{ code: 7003, message: "No route for that URI" }]);
        }
        const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
        for (const k of url.searchParams.keys()) if (!ep.query.includes(k)) this.problems.push(`${req.method} ${ep.path}: unknown query field ${k}`);
        for (const k of Object.keys(body ?? {})) if (!ep.body.includes(k)) this.problems.push(`${req.method} ${ep.path}: unknown body field ${k}`);
        this.requests.push({ method: req.method!, path: route + url.search, body });
        const id = route.split("/").pop()!;
        const s = this.state;
        switch (ep.path) {
            case "/accounts/{account_id}/load_balancers/pools":
                return send(200, s.pools.map(({ id: i, name, enabled }) => ({ id: i, name, enabled })));
            case "/accounts/{account_id}/load_balancers/pools/{pool_id}/health": {
                const poolId = route.split("/")[5];
                const pool = s.pools.find((p) => p.id === poolId);
                return pool ? send(200, { pool_id: poolId, pop_health: { "Amsterdam, NL": { healthy: pool.healthy }, "Dubai, AE": { healthy: pool.healthy } } }) : send(404, null, [{ code: 1003, message: "pool not found" }]);
            }
            case "/zones/{zone_id}/load_balancers":
                return send(200, s.loadBalancers);
            case "/zones/{zone_id}/load_balancers/{load_balancer_id}": {
                const lb = s.loadBalancers.find((x) => x.id === id);
                if (!lb) return send(404, null, [{ code: 1002, message: "load balancer not found" }]);
                lb.default_pools = body!.default_pools as string[];
                return send(200, lb);
            }
            case "/zones/{zone_id}/healthchecks":
                return send(200, s.healthchecks);
            case "/zones/{zone_id}/dns_records":
                return send(200, s.records.filter((r) => r.name === url.searchParams.get("name") && r.type === url.searchParams.get("type")));
            case "/zones/{zone_id}/dns_records/{dns_record_id}": {
                const r = s.records.find((x) => x.id === id);
                if (!r) return send(404, null, [{ code: 81044, message: "record not found" }]);
                r.content = String(body!.content);
                return send(200, r);
            }
        }
    }
}
