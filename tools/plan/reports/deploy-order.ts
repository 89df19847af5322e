/**
 * Plan report: the plan's dependency graph against the Azure ordering constraints of tools/plan/deploy-order.ts.
 * One line per constraint (how many orders it asked of this stack); each missing order is a failure, printed under
 * its constraint with the resource that would start too early, what it must wait for, why, and the source.
 */
import { checkDeployOrder } from "../deploy-order";
import type { Reporter } from "../reports";

const report: Reporter = ({ exported }) => {
    const results = checkDeployOrder(exported.deployment.resources);
    const lines: string[] = [];
    let failures = 0;
    for (const r of results) {
        if (!r.checked) continue;
        lines.push(`${r.violations.length ? "FAIL" : "ok  "} ${r.id}: ${r.checked} order${r.checked > 1 ? "s" : ""} — ${r.rule}`);
        // One line per resource and reason (a lock can miss a hundred resources).
        const grouped = new Map<string, string[]>();
        for (const v of r.violations) {
            const key = `${v.resource}\u0000${v.why}`;
            grouped.set(key, [...(grouped.get(key) ?? []), v.mustWaitFor]);
        }
        for (const [key, earlier] of grouped) {
            const [resource, why] = key.split("\u0000");
            lines.push(`  ${resource} does not wait for ${earlier.join(", ")}: ${why} (source: ${r.source})`);
        }
        failures += r.violations.length;
    }
    return {
        title: "deploy order (Azure ordering constraints on the dependency graph)",
        lines,
        failures,
        data: results.map(({ id, checked, violations }) => ({ id, checked, violations })),
    };
};

export default report;
