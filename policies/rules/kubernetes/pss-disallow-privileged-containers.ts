import { containersOf } from "../../lib/kubernetes";
import { pssRule } from "../../lib/pss";
import { expect } from "../../lib/values";

export const pssDisallowPrivilegedContainers = pssRule({
    name: "pss-disallow-privileged-containers",
    description:
        "PSS baseline \"Privileged Containers\": securityContext.privileged is unset or false. Matches Kyverno " +
        "disallow-privileged-containers, Azure Policy 95edb821-ddaf-4404-9732-666045e056b4, Checkov CKV_K8S_16.",
    enforcementLevel: "mandatory",
    check: (view, report) => {
        for (const { label, container } of containersOf(view.spec)) {
            expect(report, () => container.securityContext?.privileged !== true, `${label}: set securityContext.privileged: false`);
        }
    },
});
