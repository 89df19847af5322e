import { containersOf, podRule } from "../../lib/kubernetes";
import { expect } from "../../lib/values";

const nonRootUid = (uid: unknown) => uid === undefined || (typeof uid === "number" && uid > 0);

export const pssRequireRunAsNonRootUser = podRule({
    name: "pss-require-run-as-non-root-user",
    description:
        "PSS restricted \"Running as Non-root user\": runAsUser is unset or greater than 0 for the pod and every " +
        "container. Matches Kyverno require-run-as-non-root-user, Azure Policy f06ddb64-5fa3-4b77-b166-acb36f7f6042.",
    enforcementLevel: "mandatory",
    check: (view, report) => {
        expect(report, () => nonRootUid(view.spec.securityContext?.runAsUser), "set securityContext.runAsUser to a non-zero UID (or remove it)");
        for (const { label, container } of containersOf(view.spec)) {
            expect(report, () => nonRootUid(container.securityContext?.runAsUser), `${label}: set securityContext.runAsUser to a non-zero UID (or remove it)`);
        }
    },
});
