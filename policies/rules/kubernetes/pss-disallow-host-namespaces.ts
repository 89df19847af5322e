import { pssRule } from "../../lib/pss";
import { expect } from "../../lib/values";

export const pssDisallowHostNamespaces = pssRule({
    name: "pss-disallow-host-namespaces",
    description:
        "PSS baseline \"Host Namespaces\": hostNetwork, hostPID and hostIPC are unset or false. Matches Kyverno " +
        "disallow-host-namespaces, Azure Policy 47a1ee2f-2a2a-4576-bf2a-e0e36709c2b8, Checkov CKV_K8S_17/18/19.",
    enforcementLevel: "mandatory",
    check: (view, report) => {
        for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
            expect(report, () => view.spec[field] === undefined || view.spec[field] === false, `set ${field}: false (or remove it)`);
        }
    },
});
