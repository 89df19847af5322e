import { containersOf } from "../../lib/kubernetes";
import { pssRule, userNamespaced } from "../../lib/pss";
import { expect } from "../../lib/values";

export const pssRequireRunAsNonroot = pssRule({
    name: "pss-require-run-as-nonroot",
    description:
        "PSS restricted \"Running as Non-root\": either the pod sets securityContext.runAsNonRoot: true and no container " +
        "sets it to anything else, or every container sets it true; from 1.35 any value in a user-namespaced pod " +
        "(hostUsers: false), as upstream. Matches Kyverno require-run-as-nonroot, Checkov CKV_K8S_23.",
    enforcementLevel: "mandatory",
    check: (view, report, _config, minor) => {
        if (minor >= 35 && userNamespaced(view.spec)) return;
        expect(report, () => {
            const values = containersOf(view.spec).map(({ container }) => container.securityContext?.runAsNonRoot);
            const pod = view.spec.securityContext?.runAsNonRoot;
            // Upstream runAsNonRoot1_0: an explicit false anywhere fails, even when every container sets true.
            if (pod === false) return false;
            return pod === true ? values.every((v) => v === undefined || v === true) : values.every((v) => v === true);
        }, "set securityContext.runAsNonRoot: true on the pod (and on no container to false), or on every container (and not false on the pod)");
    },
});
