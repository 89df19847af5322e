import { containersOf } from "../../lib/kubernetes";
import { pssRule } from "../../lib/pss";
import { expect } from "../../lib/values";

export const pssDisallowHostProcess = pssRule({
    name: "pss-disallow-host-process",
    description:
        "PSS baseline \"HostProcess\": no Windows HostProcess pod or container (securityContext.windowsOptions.hostProcess " +
        "unset or false). Matches Kyverno disallow-host-process.",
    enforcementLevel: "mandatory",
    check: (view, report) => {
        expect(report, () => view.spec.securityContext?.windowsOptions?.hostProcess !== true, "set securityContext.windowsOptions.hostProcess: false");
        for (const { label, container } of containersOf(view.spec)) {
            expect(report, () => container.securityContext?.windowsOptions?.hostProcess !== true, `${label}: set securityContext.windowsOptions.hostProcess: false`);
        }
    },
});
