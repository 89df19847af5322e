import { containersOf } from "../../lib/kubernetes";
import { pssRule, userNamespaced } from "../../lib/pss";
import { expect } from "../../lib/values";

const nonRootUid = (uid: unknown) => uid === undefined || (typeof uid === "number" && uid > 0);

export const pssRequireRunAsNonRootUser = pssRule({
    name: "pss-require-run-as-non-root-user",
    description:
        "PSS restricted \"Running as Non-root user\" (since 1.23): runAsUser is unset or greater than 0 for the pod and " +
        "every container; from 1.35 any value in a user-namespaced pod (hostUsers: false), as upstream. Matches Kyverno " +
        "require-run-as-non-root-user, Azure Policy f06ddb64-5fa3-4b77-b166-acb36f7f6042.",
    enforcementLevel: "mandatory",
    since: 23,
    check: (view, report, _config, minor) => {
        if (minor >= 35 && userNamespaced(view.spec)) return;
        expect(report, () => nonRootUid(view.spec.securityContext?.runAsUser), "set securityContext.runAsUser to a non-zero UID (or remove it)");
        for (const { label, container } of containersOf(view.spec)) {
            expect(report, () => nonRootUid(container.securityContext?.runAsUser), `${label}: set securityContext.runAsUser to a non-zero UID (or remove it)`);
        }
    },
});
