import { containersOf, podRule } from "../../lib/kubernetes";
import { expect } from "../../lib/values";

export const pssDisallowProcMount = podRule({
    name: "pss-disallow-proc-mount",
    description:
        "PSS baseline \"/proc Mount Type\": securityContext.procMount is unset or Default. Matches Kyverno " +
        "disallow-proc-mount, Azure Policy f85eb0dd-92ee-40e9-8a76-db25a507d6d3.",
    enforcementLevel: "mandatory",
    check: (view, report) => {
        for (const { label, container } of containersOf(view.spec)) {
            expect(report, () => {
                const m = container.securityContext?.procMount;
                return m === undefined || m === "Default";
            }, `${label}: set securityContext.procMount: Default (or remove it)`);
        }
    },
});
