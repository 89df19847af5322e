/**
 * The CrossGuard pack, run in-process on the planned stack export: the gate of every plan (mandatory → exit 1),
 * with the stack's pack config (tools/policy/stack-config.ts): `policies/config/<stack>.json` when present, the
 * `pss-*` rules at the stack's `aks.kubernetesVersion` unless that file sets their `version`.
 */
import { evaluateStackExport } from "../../policy/evaluate";
import { stackPolicyConfig } from "../../policy/stack-config";
import type { Reporter } from "../reports";

const policy: Reporter = ({ planned, exported }) => {
    // Pod Security rules judge at the cluster's own version, as its PSA admission would.
    const { file, config } = stackPolicyConfig(planned.stack.stack);
    const report = evaluateStackExport(exported, { config });
    const lines = report.violations.map((v) => `${v.enforcementLevel.padEnd(9)} ${v.policyName}  ${v.name} (${v.type}): ${v.message}`);
    lines.push(`${report.resources} resources checked${file ? ` with ${file}` : ""}: ${report.mandatory} mandatory, ${report.advisory} advisory violation(s)`);
    return { title: "policy pack", lines, failures: report.mandatory, data: { mandatory: report.mandatory, advisory: report.advisory, violations: report.violations } };
};
export default policy;
