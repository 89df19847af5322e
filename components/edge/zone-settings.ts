/**
 * The zone's TLS/HTTP security floor. These are ZONE-WIDE settings and the zone is shared by every environment
 * (one `zoneId` in all spoke stack files), so the values are a code constant — not environment config — and every
 * spoke declares the same values: applying them is idempotent, no stack can weaken another environment's edge,
 * and `retainOnDelete` keeps the floor in place when one environment is destroyed. Change them only upwards; a
 * change reaches the whole zone at the first environment that deploys it.
 *
 * Setting ids are the API's (https://developers.cloudflare.com/api/resources/zones/subresources/settings/).
 */
export interface ZoneSettingSpec {
    /** Cloudflare setting id. */
    id: string;
    value: unknown;
    /** Why, in one line (printed nowhere; for reviewers). */
    why: string;
}

/** HSTS max-age: one year (the minimum the HSTS preload list accepts; preload itself stays off — it is hard to undo). */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

export const ZONE_SETTINGS: readonly ZoneSettingSpec[] = [
    { id: "ssl", value: "strict", why: "Full (strict): Cloudflare validates the origin certificate (our Origin CA certificate)" },
    { id: "min_tls_version", value: "1.2", why: "no TLS 1.0/1.1 at the edge" },
    { id: "tls_1_3", value: "on", why: "TLS 1.3 offered to clients" },
    { id: "always_use_https", value: "on", why: "http:// is redirected to https:// at the edge; port 80 never reaches the origin" },
    { id: "automatic_https_rewrites", value: "on", why: "mixed-content links rewritten to https" },
    {
        id: "security_header",
        // `value` is a dynamic attribute passed to the API untranslated: the API's snake_case keys, not the camelCase of
        // the provider's docs example, which never converges (pulumi/pulumi-cloudflare#1579).
        value: { strict_transport_security: { enabled: true, max_age: HSTS_MAX_AGE_SECONDS, include_subdomains: true, preload: false, nosniff: true } },
        why: "HSTS for a year including subdomains, and X-Content-Type-Options: nosniff",
    },
];
