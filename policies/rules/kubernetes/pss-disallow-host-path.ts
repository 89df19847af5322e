import { pssRule } from "../../lib/pss";
import { elements, expect } from "../../lib/values";

export const pssDisallowHostPath = pssRule({
    name: "pss-disallow-host-path",
    description:
        "PSS baseline \"HostPath Volumes\": no volume is a hostPath. Matches Kyverno disallow-host-path, Azure Policy " +
        "16697877-1118-4fb1-9b65-9898ec2509ec (allowed volume types).",
    enforcementLevel: "mandatory",
    check: (view, report) => {
        elements(() => view.spec.volumes as Record<string, unknown>[]).forEach((v, i) => {
            expect(report, () => v.hostPath === undefined, `volumes[${i}]: replace the hostPath volume (use a PVC, emptyDir or CSI volume)`);
        });
    },
});
