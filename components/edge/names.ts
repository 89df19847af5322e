/**
 * The edge's names, derived from config in one place so the Pulumi side, the GitOps tree (through cluster-vars)
 * and the tests agree: public hosts `<label>.<env>.<domain>` and the Key Vault secret names the in-cluster
 * ExternalSecrets read.
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
