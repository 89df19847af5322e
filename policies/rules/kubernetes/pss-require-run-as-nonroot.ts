import { containersOf, podRule } from "../../lib/kubernetes";
import { expect } from "../../lib/values";

export const pssRequireRunAsNonroot = podRule({
    name: "pss-require-run-as-nonroot",
    description:
        "PSS restricted \"Running as Non-root\": either the pod sets securityContext.runAsNonRoot: true and no container " +
        "sets it to anything else, or every container sets it true. Matches Kyverno require-run-as-nonroot, Checkov CKV_K8S_23.",
    enforcementLevel: "mandatory",
    check: (view, report) => {
        expect(report, () => {
            const values = containersOf(view.spec).map(({ container }) => container.securityContext?.runAsNonRoot);
            return view.spec.securityContext?.runAsNonRoot === true ? values.every((v) => v === undefined || v === true) : values.every((v) => v === true);
        }, "set securityContext.runAsNonRoot: true on the pod (and on no container to false), or on every container");
    },
});
