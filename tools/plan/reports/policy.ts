/** The CrossGuard pack, run in-process on the planned stack export: the gate of every plan (mandatory → exit 1). */
import { evaluateStackExport } from "../../policy/evaluate";
import type { Reporter } from "../reports";

const policy: Reporter = ({ exported }) => {
    const report = evaluateStackExport(exported);
    const lines = report.violations.map((v) => `${v.enforcementLevel.padEnd(9)} ${v.policyName}  ${v.name} (${v.type}): ${v.message}`);
    lines.push(`${report.resources} resources checked: ${report.mandatory} mandatory, ${report.advisory} advisory violation(s)`);
    return { title: "policy pack", lines, failures: report.mandatory, data: { mandatory: report.mandatory, advisory: report.advisory, violations: report.violations } };
};
export default policy;
