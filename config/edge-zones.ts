/**
 * Cross-stack rules for Cloudflare zones, run by config validation before anything is declared:
 * - prd's zone is prd's alone (issue 22 §8): a Cloudflare API token is scoped to zones, not records, so any token
 *   that can write a shared zone's DNS or settings for dev could rewrite prd's records and TLS settings;
 * - at most one stack per zone owns its zone-wide settings (`edge.zoneOwner: true`; an unreadable sibling file must
 *   not fail this stack, so a zone without owner is not judged here); the WAF/rate-limit rulesets
 *   (`edge.waf: true`, see waf.ts) belong to that owner;
 * - stacks naming the same zoneId must name the same domain (a zone has one apex).
 */
import type { Problem } from "./problems";

export interface StackEdgeFacts {
    /** Stack file, e.g. Pulumi.prd-uaenorth.yaml. */
    file: string;
    /** aiplatform:environment of the stack (prd's zone may not be shared). */
    environment?: unknown;
    edge?: { zoneId?: unknown; domain?: unknown; waf?: unknown; zoneOwner?: unknown };
}

export function edgeZoneProblems(self: StackEdgeFacts, others: StackEdgeFacts[]): Problem[] {
    const mine = self.edge;
    if (!mine || typeof mine.zoneId !== "string") return [];
    const sameZone = others.filter((o) => o.edge?.zoneId === mine.zoneId);
    const problems: Problem[] = [];
    const crossing = sameZone.filter((o) => (o.environment === "prd") !== (self.environment === "prd"));
    if (crossing.length) {
        problems.push({
            path: ["edge", "zoneId"],
            message: `zone ${mine.zoneId} is also ${crossing.map((o) => o.file).join(", ")}'s: prd needs a Cloudflare zone of its own (a token that can edit a shared zone for another environment can rewrite prd's records and settings)`,
        });
    }
    if (mine.zoneOwner === true) {
        const owners = sameZone.filter((o) => o.edge?.zoneOwner === true).map((o) => o.file);
        if (owners.length) {
            problems.push({ path: ["edge", "zoneOwner"], message: `zone ${mine.zoneId} is already owned by ${owners.join(", ")}; zone-wide settings have one writer, so exactly one stack sets edge.zoneOwner: true` });
        }
    }
    if (mine.waf === true && mine.zoneOwner !== true) {
        problems.push({ path: ["edge", "waf"], message: `the zone's WAF/rate-limit rulesets are zone-wide: only the zone's owner (edge.zoneOwner: true) may set edge.waf: true` });
    }
    const otherDomains = sameZone.filter((o) => o.edge?.domain !== mine.domain);
    if (otherDomains.length) {
        problems.push({
            path: ["edge", "domain"],
            message: `zone ${mine.zoneId} is ${otherDomains.map((o) => `${JSON.stringify(o.edge?.domain)} in ${o.file}`).join(", ")}: stacks sharing a zoneId must share its domain`,
        });
    }
    return problems;
}
