/**
 * Managed WAF rules and rate limiting for the zone (config `aiplatform:edge.waf`, needs a paid Cloudflare plan).
 *
 * Zone entry-point rulesets exist once per zone and phase: two stacks declaring them would overwrite each other
 * (or the second create fails). The zone is shared by every environment, so exactly ONE stack per zone sets
 * `edge.waf: true` and owns these rulesets for the whole zone (config/index.ts rejects a second owner); the rules
 * therefore match every host of the zone, not only the owner's.
 */
import type * as cfInputs from "@pulumi/cloudflare/types/input";

/** Managed rulesets by their fixed Cloudflare ids (https://developers.cloudflare.com/waf/managed-rules/). */
export const MANAGED_RULESETS = {
    cloudflareManaged: "efb7b8c949ac4650a09736fc376e9aee",
    owaspCore: "4814384a9e5d4991b9815dcfc25d2f1f",
} as const;

/** Per-client budget at the edge: requests per minute per client IP (and Cloudflare data centre), then 10 min block. */
export const RATE_LIMIT = { requestsPerPeriod: 1200, periodSeconds: 60, mitigationTimeoutSeconds: 600 } as const;

export interface RulesetSpec {
    role: string;
    name: string;
    phase: string;
    description: string;
    rules: cfInputs.RulesetRule[];
}

/** Every host of the zone: the apex and its subdomains. */
export function zoneHostsExpression(domain: string): string {
    return `(http.host eq "${domain}" or ends_with(http.host, ".${domain}"))`;
}

export function wafRulesets(domain: string): RulesetSpec[] {
    const hosts = zoneHostsExpression(domain);
    return [
        {
            role: "waf-managed",
            name: "aiplatform managed WAF",
            phase: "http_request_firewall_managed",
            description: `Cloudflare Managed and OWASP Core rulesets for ${domain} (managed by Pulumi, aiplatform)`,
            rules: [
                {
                    action: "execute",
                    expression: hosts,
                    description: "Cloudflare Managed Ruleset",
                    enabled: true,
                    actionParameters: { id: MANAGED_RULESETS.cloudflareManaged },
                },
                {
                    action: "execute",
                    expression: hosts,
                    description: "Cloudflare OWASP Core Ruleset (paranoia level 1, default threshold)",
                    enabled: true,
                    actionParameters: { id: MANAGED_RULESETS.owaspCore },
                },
            ],
        },
        {
            role: "rate-limit",
            name: "aiplatform rate limiting",
            phase: "http_ratelimit",
            description: `Per-client rate limit for ${domain} (managed by Pulumi, aiplatform)`,
            rules: [
                {
                    action: "block",
                    expression: hosts,
                    description: `more than ${RATE_LIMIT.requestsPerPeriod} requests per ${RATE_LIMIT.periodSeconds}s from one client`,
                    enabled: true,
                    ratelimit: {
                        // cf.colo.id is mandatory on non-Enterprise plans: counters are per data centre.
                        characteristics: ["ip.src", "cf.colo.id"],
                        period: RATE_LIMIT.periodSeconds,
                        requestsPerPeriod: RATE_LIMIT.requestsPerPeriod,
                        mitigationTimeout: RATE_LIMIT.mitigationTimeoutSeconds,
                    },
                },
            ],
        },
    ];
}
