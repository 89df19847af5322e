/**
 * Cross-stack rules for Cloudflare zones, run by config validation before anything is declared:
 * - prd's zone is prd's alone (issue 22 §8): a Cloudflare API token is scoped to zones, not records, so any token
 *   that can write a shared zone's DNS or settings for dev could rewrite prd's records and TLS settings;
 * - at most one stack per zone owns its zone-wide settings (`edge.zoneOwner: true`; an unreadable sibling file must
 *   not fail this stack, so a zone without owner is not judged here); the WAF/rate-limit rulesets
 *   (`edge.waf: true`, see waf.ts) belong to that owner;
 * - stacks naming the same zoneId must name the same domain (a zone has one apex);
 * - regions of one environment in one zone publish the same public hosts: they steer between each other through
 *   `edge.traffic` (components/edge/traffic.ts), every one of them with the same regions and mode, exactly one of them
 *   the owner of the steering; without it two stacks would write the same records.
 */
import type { Problem } from "./problems";

export interface StackEdgeFacts {
    /** Stack file, e.g. Pulumi.prd-uaenorth.yaml. */
    file: string;
    /** aiplatform:environment of the stack (prd's zone may not be shared). */
    environment?: unknown;
    /** aiplatform:location: a stack steering traffic must be one of its regions. */
    location?: unknown;
    edge?: { zoneId?: unknown; domain?: unknown; waf?: unknown; zoneOwner?: unknown; traffic?: TrafficFacts };
}

interface TrafficFacts {
    regions?: unknown;
    owner?: unknown;
    loadBalancer?: unknown;
    accountId?: unknown;
}

const sameSteering = (a: TrafficFacts, b: TrafficFacts) => JSON.stringify(a.regions) === JSON.stringify(b.regions) && (a.loadBalancer === true) === (b.loadBalancer === true);

/** The steering rules between the regions of one environment in one zone (the `edge.traffic` key). */
function trafficProblems(self: StackEdgeFacts, sameEnvironment: StackEdgeFacts[]): Problem[] {
    const mine = self.edge?.traffic;
    const problems: Problem[] = [];
    if (!mine) {
        if (sameEnvironment.length) {
            problems.push({
                path: ["edge"],
                message: `${sameEnvironment.map((o) => o.file).join(", ")} also serves ${self.environment} in zone ${self.edge?.zoneId}: both would write the same public records; set edge.traffic (the same regions on each, one owner) to steer between the regions`,
            });
        }
        return problems;
    }
    const regions = Array.isArray(mine.regions) ? mine.regions : [];
    if (typeof self.location === "string" && !regions.includes(self.location)) {
        problems.push({ path: ["edge", "traffic", "regions"], message: `must include this stack's own region ${self.location}: a region steers only between regions that serve it` });
    }
    if (new Set(regions).size !== regions.length) problems.push({ path: ["edge", "traffic", "regions"], message: "names a region twice" });
    if (mine.loadBalancer === true && typeof mine.accountId !== "string") {
        problems.push({ path: ["edge", "traffic", "accountId"], message: "is required with loadBalancer: true (pools and monitors are Cloudflare account resources)" });
    }
    for (const o of sameEnvironment) {
        const theirs = o.edge?.traffic;
        if (!theirs) problems.push({ path: ["edge", "traffic"], message: `${o.file} serves ${self.environment} in the same zone without edge.traffic: it would write the same public records` });
        else if (!sameSteering(mine, theirs)) problems.push({ path: ["edge", "traffic"], message: `differs from ${o.file}'s (regions ${JSON.stringify(theirs.regions)}, loadBalancer ${theirs.loadBalancer === true}): the regions of one environment steer as one` });
    }
    const owners = sameEnvironment.filter((o) => o.edge?.traffic?.owner === true).map((o) => o.file);
    if (mine.owner === true && owners.length) {
        problems.push({ path: ["edge", "traffic", "owner"], message: `the steering of ${self.environment} in zone ${self.edge?.zoneId} is already owned by ${owners.join(", ")}; exactly one stack sets edge.traffic.owner: true` });
    }
    return problems;
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
    problems.push(...trafficProblems(self, sameZone.filter((o) => o.environment === self.environment)));
    const otherDomains = sameZone.filter((o) => o.edge?.domain !== mine.domain);
    if (otherDomains.length) {
        problems.push({
            path: ["edge", "domain"],
            message: `zone ${mine.zoneId} is ${otherDomains.map((o) => `${JSON.stringify(o.edge?.domain)} in ${o.file}`).join(", ")}: stacks sharing a zoneId must share its domain`,
        });
    }
    return problems;
}
