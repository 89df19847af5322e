/**
 * The CrossGuard pack, run in-process on the planned stack export: the gate of every plan (mandatory → exit 1).
 * Per-stack levels come from `policies/config/<stack>.json` when present (the same document `pulumi preview
 * --policy-pack-config` takes), so a team can move a rule between mandatory/advisory/disabled for one stack. The
 * `pss-*` rules judge at the stack's `aks.kubernetesVersion` unless that file sets their `version`.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../../config/stack-files";
import { clusterPssVersion } from "../../policy/cluster-version";
import { evaluateStackExport, type PackConfig } from "../../policy/evaluate";
import type { Reporter } from "../reports";

export function stackPackConfig(stack: string, root = REPO_ROOT): { file?: string; config?: PackConfig } {
    const file = path.join(root, "policies", "config", `${stack}.json`);
    if (!fs.existsSync(file)) return {};
    try {
        return { file: path.relative(root, file), config: JSON.parse(fs.readFileSync(file, "utf8")) as PackConfig };
    } catch (e) {
        throw new Error(`${path.relative(root, file)}: not valid JSON (${(e as Error).message})`);
    }
}

const policy: Reporter = ({ planned, exported }) => {
    const { file, config } = stackPackConfig(planned.stack.stack);
    // Pod Security rules judge at the cluster's own version, as its PSA admission would.
    const report = evaluateStackExport(exported, { config, pssVersion: clusterPssVersion(planned.stack.stack) });
    const lines = report.violations.map((v) => `${v.enforcementLevel.padEnd(9)} ${v.policyName}  ${v.name} (${v.type}): ${v.message}`);
    lines.push(`${report.resources} resources checked${file ? ` with ${file}` : ""}: ${report.mandatory} mandatory, ${report.advisory} advisory violation(s)`);
    return { title: "policy pack", lines, failures: report.mandatory, data: { mandatory: report.mandatory, advisory: report.advisory, violations: report.violations } };
};
export default policy;
