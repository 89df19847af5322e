import { containersOf, podRule } from "../../lib/kubernetes";
import { expect } from "../../lib/values";

export const pssDisallowPrivilegeEscalation = podRule({
    name: "pss-disallow-privilege-escalation",
    description:
        "PSS restricted \"Privilege Escalation\": every container sets securityContext.allowPrivilegeEscalation: false. " +
        "Matches Kyverno disallow-privilege-escalation, Azure Policy 1c6e92c9-99f0-4e55-9cf2-0c234dc48f99, Checkov CKV_K8S_20.",
    enforcementLevel: "mandatory",
    check: (view, report) => {
        for (const { label, container } of containersOf(view.spec)) {
            expect(report, () => container.securityContext?.allowPrivilegeEscalation === false, `${label}: set securityContext.allowPrivilegeEscalation: false`);
        }
    },
});
