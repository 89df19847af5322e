/**
 * Traffic steering between the regions that serve one environment (`aiplatform:edge.traffic`, issue 18).
 *
 *   users ──▶ <label>.<env>.<domain> (proxied) ──▶ Cloudflare Load Balancer: pools in failover order, one per region,
 *             each with a health monitor ──▶ <label>.<region>.<env>.<domain> (DNS-only) ──▶ that region's public ingress
 *   without the Load Balancing add-on (`loadBalancer: false`): a proxied CNAME to the first region's origin name, one
 *   standalone Cloudflare health check per region, and `npm run pipeline -- failover` moves the CNAME (DNS-only failover).
 *
 * Every region's stack declares its own origin record (an A record on its ingress IP output: nothing crosses stacks).
 * The steering itself (load balancer, pools, monitors, or the failover record and health checks) is declared by ONE
 * stack per environment and zone (`traffic.owner`), from names alone: pool origins are the regions' origin
 * hostnames, which Cloudflare requires to resolve to the origin directly (DNS-only, not proxied; @pulumi/cloudflare
 * LoadBalancerPoolOrigin.address). The WAF/rate-limit rulesets stay with the zone's owner (waf.ts), unchanged.
 * Names derive from config only, so `pipeline failover` finds the same objects in the plan and through the API.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../../config/schema";
import type { SteeringSpec } from "./names";

/** Probe settings shared by the load balancer's monitors and the standalone health checks. */
export const PROBE = { intervalSeconds: 60, timeoutSeconds: 5, retries: 2, consecutiveDown: 2, consecutiveUp: 2, expectedCode: "200" } as const;

export interface SteeringArgs {
    spec: SteeringSpec;
    environment: Environment;
    zoneId: string;
}

/**
 * Declares the steering (owner only); returns what answers each public host (load balancer or failover record), which
 * the per-hostname origin pulls wait for. `cf` carries the parent and the edge's explicit provider.
 */
export function declareSteering(name: string, args: SteeringArgs, cf: pulumi.CustomResourceOptions): Map<string, pulumi.Resource> {
    const { spec, zoneId, environment } = args;
    const answering = new Map<string, pulumi.Resource>();
    for (const { label, host } of spec.hosts) {
        const pools = spec.pools.filter((p) => p.label === label);
        if (spec.loadBalancer) {
            const accountId = spec.accountId!; // config validation requires it with loadBalancer
            const monitor = new cloudflare.LoadBalancerMonitor(
                `${name}-monitor-${label}`,
                {
                    accountId,
                    type: "https",
                    method: "GET",
                    path: spec.healthPath,
                    expectedCodes: PROBE.expectedCode,
                    // Probes reach the origin by its origin name; NGINX routes on the public host.
                    header: { Host: [host] },
                    interval: PROBE.intervalSeconds,
                    timeout: PROBE.timeoutSeconds,
                    retries: PROBE.retries,
                    consecutiveDown: PROBE.consecutiveDown,
                    consecutiveUp: PROBE.consecutiveUp,
                    description: `aiplatform ${environment}: ${host}${spec.healthPath} (managed by Pulumi)`,
                },
                cf,
            );
            const poolIds = pools.map(
                (p) =>
                    new cloudflare.LoadBalancerPool(
                        `${name}-pool-${p.region}-${label}`,
                        {
                            accountId,
                            name: p.name,
                            description: `aiplatform ${environment} ${p.region}: ${host} (managed by Pulumi)`,
                            origins: [{ name: p.region, address: p.origin, enabled: true, header: { hosts: [host] } }],
                            monitor: monitor.id,
                            minimumOrigins: 1,
                        },
                        cf,
                    ).id,
            );
            const lb = new cloudflare.LoadBalancer(
                `${name}-lb-${label}`,
                {
                    zoneId,
                    name: host,
                    description: `aiplatform ${environment}: failover ${pools.map((p) => p.region).join(" → ")} (managed by Pulumi)`,
                    // "off": pools in defaultPools order, the next one when a pool is unhealthy (failover, not balancing).
                    steeringPolicy: "off",
                    defaultPools: poolIds,
                    fallbackPool: poolIds[poolIds.length - 1],
                    proxied: true,
                    sessionAffinity: "none",
                },
                cf,
            );
            answering.set(host, lb);
        } else {
            for (const p of pools) {
                new cloudflare.Healthcheck(
                    `${name}-health-${p.region}-${label}`,
                    {
                        zoneId,
                        name: p.name,
                        description: `aiplatform ${environment} ${p.region}: ${host}${spec.healthPath} (managed by Pulumi)`,
                        address: p.origin,
                        type: "HTTPS",
                        httpConfig: { method: "GET", path: spec.healthPath, expectedCodes: [PROBE.expectedCode], header: { Host: [host] } },
                        interval: PROBE.intervalSeconds,
                        timeout: PROBE.timeoutSeconds,
                        retries: PROBE.retries,
                        consecutiveFails: PROBE.consecutiveDown,
                        consecutiveSuccesses: PROBE.consecutiveUp,
                    },
                    cf,
                );
            }
            const record = new cloudflare.DnsRecord(
                `${name}-dns-${label}`,
                {
                    zoneId,
                    name: host,
                    type: "CNAME",
                    // The first region serves; `pipeline failover --apply` moves this target, then the stack file follows.
                    content: pools[0].origin,
                    proxied: true,
                    ttl: 1,
                    comment: `aiplatform ${environment}: failover record, active region ${pools[0].region} (managed by Pulumi)`,
                },
                cf,
            );
            answering.set(host, record);
        }
    }
    return answering;
}
