import { containersOf } from "../../lib/kubernetes";
import { pssRule } from "../../lib/pss";
import { expect } from "../../lib/values";

export const SECCOMP_TYPES = ["RuntimeDefault", "Localhost"];

export const pssRestrictSeccomp = pssRule({
    name: "pss-restrict-seccomp",
    description:
        "PSS baseline \"Seccomp\": seccompProfile.type is unset, RuntimeDefault or Localhost (never Unconfined) for the pod " +
        "and every container. Matches Kyverno restrict-seccomp, Azure Policy 975ce327-682c-4f2e-aa46-b9598289b86c.",
    enforcementLevel: "mandatory",
    check: (view, report) => {
        const ok = (t: unknown) => t === undefined || SECCOMP_TYPES.includes(t as string);
        expect(report, () => ok(view.spec.securityContext?.seccompProfile?.type), "set securityContext.seccompProfile.type: RuntimeDefault");
        for (const { label, container } of containersOf(view.spec)) {
            expect(report, () => ok(container.securityContext?.seccompProfile?.type), `${label}: set securityContext.seccompProfile.type: RuntimeDefault`);
        }
    },
});
