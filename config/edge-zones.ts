/**
 * Cross-stack rules for the shared Cloudflare zone, run by config validation before anything is declared:
 * - at most one stack per zone owns the zone-wide WAF/rate-limit rulesets (`edge.waf: true`; see waf.ts);
 * - stacks naming the same zoneId must name the same domain (a zone has one apex).
 */
import type { Problem } from "./problems";

export interface StackEdgeFacts {
    /** Stack file, e.g. Pulumi.prd-uaenorth.yaml. */
    file: string;
    edge?: { zoneId?: unknown; domain?: unknown; waf?: unknown };
}

export function edgeZoneProblems(self: StackEdgeFacts, others: StackEdgeFacts[]): Problem[] {
    const mine = self.edge;
    if (!mine || typeof mine.zoneId !== "string") return [];
    const sameZone = others.filter((o) => o.edge?.zoneId === mine.zoneId);
    const problems: Problem[] = [];
    if (mine.waf === true) {
        const owners = sameZone.filter((o) => o.edge?.waf === true).map((o) => o.file);
        if (owners.length) {
            problems.push({
                path: ["edge", "waf"],
                message: `zone ${mine.zoneId} already has its WAF/rate-limit rulesets owned by ${owners.join(", ")}; zone entry-point rulesets exist once per zone, so exactly one stack sets edge.waf: true`,
            });
        }
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
