/**
 * The edge's names, derived from config in one place so the Pulumi side, the GitOps tree (through cluster-vars),
 * `pipeline failover` and the tests agree: public hosts `<label>.<env>.<domain>`, the Key Vault secret names the
 * in-cluster ExternalSecrets read, and the steering between regions (traffic.ts declares it).
 */
import type { Environment, SpokeConfig } from "../../config/schema";

export type EdgeConfig = NonNullable<SpokeConfig["edge"]>;

/** Key Vault secret names (fixed: the GitOps tree's ExternalSecrets refer to them through cluster-vars). */
export const EDGE_SECRET_NAMES = {
    /** Cloudflare Origin CA certificate (PEM) for the public ingress' default TLS secret. */
    originCert: "edge-origin-cert",
    /** Its private key (PKCS#8 PEM). */
    originKey: "edge-origin-key",
    /** CA that signs the client certificate Cloudflare presents on origin pulls (PEM; NGINX verifies with it). */
    originPullCa: "edge-origin-pull-ca",
} as const;

/** Public host names published through Cloudflare: api.dev.ai.contoso.com, ... */
export function publicHostnames(environment: Environment, edge: Pick<EdgeConfig, "hostnames" | "domain">): string[] {
    return edge.hostnames.map((label) => `${label}.${environment}.${edge.domain}`);
}

/** The environment's subdomain, e.g. dev.ai.contoso.com (Cloudflare's Universal SSL does not cover its children). */
export function environmentDomain(environment: Environment, domain: string): string {
    return `${environment}.${domain}`;
}

export type TrafficConfig = NonNullable<EdgeConfig["traffic"]>;

/** A region's origin name for one public host label: `<label>.<region>.<env>.<domain>`, DNS-only, → its ingress IP. */
export function originHostname(label: string, region: string, environment: Environment, domain: string): string {
    return `${label}.${region}.${environment}.${domain}`;
}

/** Account-wide names (pools, monitors' descriptions, health checks): prefix, environment, region and host label. */
export function steeringName(prefix: string, environment: Environment, region: string, label: string): string {
    return `${prefix}-${environment}-${region}-${label}`;
}

export interface PoolSpec {
    label: string;
    region: string;
    name: string;
    /** The region's origin name (DNS-only record declared by that region's stack). */
    origin: string;
    /** The public host the origin serves: the Host header of requests and health probes. */
    host: string;
}

export interface SteeringSpec {
    /** Public hosts, one per label: the load balancer's name, or the failover record's name. */
    hosts: { label: string; host: string }[];
    /** One per region and label, in the configured failover order (regions[0] first). */
    pools: PoolSpec[];
    loadBalancer: boolean;
    accountId?: string;
    healthPath: string;
}

/** What the owner declares: the same list `pipeline failover` reads back from the plan. */
export function steeringSpec(prefix: string, environment: Environment, edge: Pick<EdgeConfig, "hostnames" | "domain">, traffic: TrafficConfig): SteeringSpec {
    const hosts = edge.hostnames.map((label) => ({ label, host: `${label}.${environment}.${edge.domain}` }));
    return {
        hosts,
        pools: hosts.flatMap(({ label, host }) =>
            traffic.regions.map((region) => ({ label, region, name: steeringName(prefix, environment, region, label), origin: originHostname(label, region, environment, edge.domain), host })),
        ),
        loadBalancer: traffic.loadBalancer,
        accountId: traffic.accountId,
        healthPath: traffic.healthPath,
    };
}
