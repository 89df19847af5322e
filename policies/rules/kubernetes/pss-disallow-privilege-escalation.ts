import { containersOf } from "../../lib/kubernetes";
import { pssRule, windowsPod } from "../../lib/pss";
import { expect } from "../../lib/values";

export const pssDisallowPrivilegeEscalation = pssRule({
    name: "pss-disallow-privilege-escalation",
    description:
        "PSS restricted \"Privilege Escalation\" (since 1.8; Windows pods, spec.os.name: windows, exempt from 1.25 as upstream): every container sets securityContext.allowPrivilegeEscalation: false. " +
        "Matches Kyverno disallow-privilege-escalation, Azure Policy 1c6e92c9-99f0-4e55-9cf2-0c234dc48f99, Checkov CKV_K8S_20.",
    enforcementLevel: "mandatory",
    since: 8,
    check: (view, report, _config, minor) => {
        if (minor >= 25 && windowsPod(view.spec)) return;
        for (const { label, container } of containersOf(view.spec)) {
            expect(report, () => container.securityContext?.allowPrivilegeEscalation === false, `${label}: set securityContext.allowPrivilegeEscalation: false`);
        }
    },
});
