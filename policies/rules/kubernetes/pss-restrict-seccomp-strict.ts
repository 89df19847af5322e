import { containersOf } from "../../lib/kubernetes";
import { pssRule, windowsPod } from "../../lib/pss";
import { expect } from "../../lib/values";
import { SECCOMP_TYPES } from "./pss-restrict-seccomp";

export const pssRestrictSeccompStrict = pssRule({
    name: "pss-restrict-seccomp-strict",
    description:
        "PSS restricted \"Seccomp\" (since 1.19; Windows pods, spec.os.name: windows, exempt from 1.25 as upstream): the pod sets seccompProfile.type RuntimeDefault or Localhost (containers may only " +
        "repeat an allowed type), or every container sets one. Matches Kyverno restrict-seccomp-strict, Checkov CKV_K8S_31.",
    enforcementLevel: "mandatory",
    since: 19,
    check: (view, report, _config, minor) => {
        if (minor >= 25 && windowsPod(view.spec)) return;
        expect(report, () => {
            const allowed = (t: unknown) => SECCOMP_TYPES.includes(t as string);
            const containers = containersOf(view.spec);
            const podType = view.spec.securityContext?.seccompProfile?.type;
            if (allowed(podType)) {
                return containers.every(({ container }) => { const t = container.securityContext?.seccompProfile?.type; return t === undefined || allowed(t); });
            }
            return containers.every(({ container }) => allowed(container.securityContext?.seccompProfile?.type));
        }, "set securityContext.seccompProfile.type: RuntimeDefault on the pod (and no container with another type)");
    },
});
