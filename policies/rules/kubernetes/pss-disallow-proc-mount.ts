import type { ReportViolation } from "@pulumi/policy";
import { containersOf, type Obj } from "../../lib/kubernetes";
import { pssRule, userNamespaced } from "../../lib/pss";
import { expect } from "../../lib/values";

export const pssDisallowProcMount = pssRule({
    name: "pss-disallow-proc-mount",
    description:
        "PSS baseline \"/proc Mount Type\": securityContext.procMount is unset or Default; from 1.35 any value is allowed " +
        "in a user-namespaced pod (hostUsers: false), as upstream's procMount check. Matches Kyverno disallow-proc-mount, " +
        "Azure Policy f85eb0dd-92ee-40e9-8a76-db25a507d6d3.",
    enforcementLevel: "mandatory",
    check: (view, report, _config, minor) => {
        if (minor >= 35 && userNamespaced(view.spec)) return;
        checkProcMount(view.spec, report);
    },
});

/** Every container's procMount is unset or Default (upstream procMount_1_0). */
export function checkProcMount(spec: Obj, report: ReportViolation): void {
    for (const { label, container } of containersOf(spec)) {
        expect(report, () => {
            const m = container.securityContext?.procMount;
            return m === undefined || m === "Default";
        }, `${label}: set securityContext.procMount: Default (or remove it)`);
    }
}
