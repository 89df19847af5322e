/**
 * `npm run pipeline -- failover --from <region> --to <region> [--env prd] [--apply]`: moves an environment's users
 * from one region to another (README "Disaster recovery", docs/runbooks/disaster-recovery.md).
 *
 * It reads the steering from the stack files (`edge.traffic`, the one owner of the environment) and the objects the
 * plan declares for it (`<plan dir>/<owner>.json`, from `npm run plan`), prints the steps against them, and checks
 * through the Cloudflare API that the target region is healthy (its load-balancer pools' health, or its standalone
 * health checks without the add-on). Only with --apply does it move the steering (the load balancers' pool order, or
 * the failover CNAMEs' target) and write the new region order into every stack file of the group, so the next deploy
 * keeps it. Dry run by default; the API is not touched without --apply except to read health.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { type Environment, spokeSchema } from "../config/schema";
import { listStacks, namespaceValues, readStackConfig } from "../config/stack-files";
import { steeringSpec, type SteeringSpec } from "../components/edge/names";
import type { StackExport } from "../tools/plan/export";
import { cloudflareApi, type CloudflareApi, cloudflareConfig, poolIsHealthy } from "./cloudflare";
import { PipelineError } from "./errors";
import { EXIT, type ExitCode } from "./exit-codes";
import type { Host } from "./host";

export interface FailoverOptions {
    from: string;
    to: string;
    environment: string;
    apply: boolean;
    /** Where `npm run plan` wrote the exports (default .plan). */
    planDir: string;
}

const bad = (m: string) => new PipelineError(EXIT.badInput, m);
const TRAFFIC_PATH = ["config", "aiplatform:edge", "traffic", "regions"];

/** The stacks of `environment` that steer between regions, and the one that owns the steering. */
function steeringGroup(root: string, environment: string) {
    const group = listStacks(root)
        .filter((s) => s.kind === "spoke")
        .flatMap((sf) => {
            const v = namespaceValues(readStackConfig(sf.file, root)) as { environment?: unknown; edge?: { traffic?: { owner?: unknown } } };
            return v.environment === environment && v.edge?.traffic ? [{ sf, owner: v.edge.traffic.owner === true }] : [];
        });
    const owners = group.filter((g) => g.owner);
    if (owners.length !== 1) {
        throw bad(
            owners.length
                ? `${owners.map((o) => o.sf.file).join(", ")} all own ${environment}'s steering; exactly one may set aiplatform:edge.traffic.owner`
                : `no stack file steers ${environment} between regions (aiplatform:edge.traffic with owner: true); failover needs the environment in two regions`,
        );
    }
    return { group: group.map((g) => g.sf), owner: owners[0].sf };
}

/** Cloudflare resources the plan declares, by type token and their `name` input. */
function plannedNames(exported: StackExport): Map<string, Set<string>> {
    const byType = new Map<string, Set<string>>();
    for (const r of exported.deployment.resources) {
        if (!r.type.startsWith("cloudflare:") || typeof r.inputs.name !== "string") continue;
        if (!byType.has(r.type)) byType.set(r.type, new Set());
        byType.get(r.type)!.add(r.inputs.name);
    }
    return byType;
}

const TYPES = {
    pool: "cloudflare:index/loadBalancerPool:LoadBalancerPool",
    lb: "cloudflare:index/loadBalancer:LoadBalancer",
    healthcheck: "cloudflare:index/healthcheck:Healthcheck",
    record: "cloudflare:index/dnsRecord:DnsRecord",
} as const;

/** Each object failover acts on must be in the plan of the owner: a stale or missing plan is refused before anything else. */
function checkPlanned(spec: SteeringSpec, exported: StackExport, exportFile: string, owner: string): void {
    const planned = plannedNames(exported);
    const want: [string, string][] = spec.loadBalancer
        ? [...spec.pools.map((p): [string, string] => [TYPES.pool, p.name]), ...spec.hosts.map((h): [string, string] => [TYPES.lb, h.host])]
        : [...spec.pools.map((p): [string, string] => [TYPES.healthcheck, p.name]), ...spec.hosts.map((h): [string, string] => [TYPES.record, h.host])];
    const missing = want.filter(([t, n]) => !planned.get(t)?.has(n));
    if (missing.length) {
        throw bad(`${exportFile} does not declare ${missing.map(([t, n]) => `${t.split(":").pop()} ${n}`).join(", ")}: re-run npm run plan -- --stack ${owner} after changing the stack files`);
    }
}

function steps(spec: SteeringSpec, from: string, to: string, order: string[], files: string[]): string[] {
    const next = [to, ...order.filter((r) => r !== to)];
    const out: string[] = [];
    const target = spec.pools.filter((p) => p.region === to);
    out.push(
        spec.loadBalancer
            ? `1. check ${to} is healthy: load-balancer pool(s) ${target.map((p) => p.name).join(", ")} (Cloudflare pool health from every reporting location)`
            : `1. check ${to} is healthy: health check(s) ${target.map((p) => p.name).join(", ")} (Cloudflare standalone health checks)`,
    );
    for (const { label, host } of spec.hosts) {
        const pools = (regions: string[]) => regions.map((r) => spec.pools.find((p) => p.label === label && p.region === r)!.name).join(", ");
        out.push(
            spec.loadBalancer
                ? `2. load balancer ${host}: default pools [${pools(order)}] → [${pools(next)}]`
                : `2. failover record ${host} (CNAME, proxied): ${spec.pools.find((p) => p.label === label && p.region === from)!.origin} → ${spec.pools.find((p) => p.label === label && p.region === to)!.origin}`,
        );
    }
    out.push(`3. aiplatform:edge.traffic.regions [${order.join(", ")}] → [${next.join(", ")}] in ${files.join(", ")} (commit it: the next deploy keeps ${to} first)`);
    return out;
}

/** The stack file with the steering order replaced where it stands (every other byte unchanged). */
function withRegions(text: string, file: string, regions: string[]): string {
    const doc = YAML.parseDocument(text);
    const node = doc.getIn(TRAFFIC_PATH, true);
    if (!YAML.isSeq(node) || !node.range) throw bad(`${file}: aiplatform:edge.traffic.regions is not a list`);
    // The node's range ends where the next key starts: keep the line break and indentation it spans.
    const trailing = /\s*$/.exec(text.slice(node.range[0], node.range[1]))![0];
    return text.slice(0, node.range[0]) + `[${regions.join(", ")}]` + trailing + text.slice(node.range[1]);
}

async function unhealthyTargets(api: CloudflareApi, spec: SteeringSpec, to: string, zoneId: string): Promise<string[]> {
    const target = spec.pools.filter((p) => p.region === to);
    if (spec.loadBalancer) {
        const pools = await api.pools(spec.accountId!);
        const problems: string[] = [];
        for (const p of target) {
            const found = pools.find((x) => x.name === p.name);
            if (!found) throw new PipelineError(EXIT.cloudflareUnavailable, `Cloudflare API: no load-balancer pool named ${p.name} in account ${spec.accountId}: is ${to}'s steering deployed?`);
            if (found.enabled === false) problems.push(`pool ${p.name} is disabled`);
            else if (!poolIsHealthy(await api.poolHealth(spec.accountId!, found.id))) problems.push(`pool ${p.name} is not healthy (${p.origin}${spec.healthPath})`);
        }
        return problems;
    }
    const checks = await api.healthchecks(zoneId);
    return target.flatMap((p) => {
        const found = checks.find((c) => c.name === p.name);
        if (!found) throw new PipelineError(EXIT.cloudflareUnavailable, `Cloudflare API: no health check named ${p.name} in zone ${zoneId}: is ${to}'s steering deployed?`);
        return found.status === "healthy" ? [] : [`health check ${p.name} is ${found.status ?? "unknown"} (${p.origin}${spec.healthPath})`];
    });
}

async function shift(api: CloudflareApi, spec: SteeringSpec, to: string, zoneId: string): Promise<string[]> {
    const done: string[] = [];
    if (spec.loadBalancer) {
        const pools = await api.pools(spec.accountId!);
        const lbs = await api.loadBalancers(zoneId);
        for (const { label, host } of spec.hosts) {
            const lb = lbs.find((x) => x.name === host);
            const toPool = pools.find((x) => x.name === spec.pools.find((p) => p.label === label && p.region === to)!.name);
            if (!lb || !toPool) throw new PipelineError(EXIT.cloudflareUnavailable, `Cloudflare API: ${lb ? `no pool for ${to}` : `no load balancer ${host}`} in the account/zone: is the steering deployed?`);
            await api.setDefaultPools(zoneId, lb.id, [toPool.id, ...lb.default_pools.filter((id) => id !== toPool.id)]);
            done.push(`load balancer ${host}: ${to} first`);
        }
        return done;
    }
    for (const { label, host } of spec.hosts) {
        const records = await api.dnsRecords(zoneId, host, "CNAME");
        if (records.length !== 1) throw new PipelineError(EXIT.cloudflareUnavailable, `Cloudflare API: expected one CNAME ${host}, found ${records.length}: is the steering deployed?`);
        const origin = spec.pools.find((p) => p.label === label && p.region === to)!.origin;
        await api.setRecordContent(zoneId, records[0].id, origin);
        done.push(`failover record ${host} → ${origin}`);
    }
    return done;
}

export async function failover(host: Host, root: string, opts: FailoverOptions): Promise<ExitCode> {
    const { group, owner } = steeringGroup(root, opts.environment);
    // The edge block as the program reads it (defaults applied); the rest of the file is the plan's to judge.
    const raw = namespaceValues(readStackConfig(owner.file, root));
    const parsed = spokeSchema.shape.edge.safeParse(raw.edge);
    if (!parsed.success || !parsed.data?.traffic) throw bad(`${owner.file}: aiplatform:edge is invalid; npm run plan -- --stack ${owner.stack} names the problem`);
    const edge = parsed.data;
    const traffic = edge.traffic!;
    const order = traffic.regions;
    const listed = `${owner.file}: aiplatform:edge.traffic.regions = [${order.join(", ")}]`;
    for (const [flag, r] of [["--from", opts.from], ["--to", opts.to]] as const) {
        if (!order.includes(r)) throw bad(`${flag} '${r}' is not a region of ${opts.environment}'s steering (${listed})`);
    }
    if (order[0] === opts.to) throw bad(`${opts.environment} already sends users to ${opts.to} first (${listed}): nothing to fail over`);
    if (order[0] !== opts.from) throw bad(`${opts.environment} sends users to ${order[0]} first, not ${opts.from} (${listed}); to move them to ${opts.to}: --from ${order[0]} --to ${opts.to}`);

    const spec = steeringSpec(String(raw.namePrefix), opts.environment as Environment, edge, traffic);
    const exportFile = path.join(opts.planDir, `${owner.stack}.json`);
    if (!fs.existsSync(exportFile)) throw bad(`no plan of ${owner.stack} in ${opts.planDir}: run npm run plan -- --stack ${owner.stack} first (failover acts on what the plan declares)`);
    checkPlanned(spec, JSON.parse(fs.readFileSync(exportFile, "utf8")) as StackExport, exportFile, owner.stack);

    host.out(`failover ${opts.environment}: ${opts.from} → ${opts.to} (${spec.loadBalancer ? "Cloudflare load balancer" : "DNS-only failover"}; steering owned by ${owner.stack}, plan ${exportFile})`);
    for (const line of steps(spec, opts.from, opts.to, order, group.map((g) => g.file))) host.out(`  ${line}`);

    if (!opts.apply && !host.env.CLOUDFLARE_API_TOKEN) {
        host.out(`dry run: nothing changed; ${opts.to}'s health not checked (CLOUDFLARE_API_TOKEN not set). --apply checks it, then performs steps 2-3`);
        return EXIT.ok;
    }
    const api = cloudflareApi(cloudflareConfig(host.env));
    const unhealthy = await unhealthyTargets(api, spec, opts.to, edge.zoneId);
    if (unhealthy.length) {
        for (const u of unhealthy) host.err(`pipeline: failover refused: ${u}`);
        return EXIT.failoverRefused;
    }
    host.out(`  ${opts.to} is healthy`);
    if (!opts.apply) {
        host.out("dry run: nothing changed; --apply performs steps 2-3");
        return EXIT.ok;
    }
    for (const line of await shift(api, spec, opts.to, edge.zoneId)) host.out(`  done: ${line}`);
    const next = [opts.to, ...order.filter((r) => r !== opts.to)];
    for (const sf of group) {
        const file = path.join(root, sf.file);
        host.writeFile(file, withRegions(host.readFile(file), sf.file, next));
    }
    host.out(`failover ${opts.environment}: users go to ${opts.to}; commit ${group.map((g) => g.file).join(", ")} so the next deploy keeps this order`);
    return EXIT.ok;
}
