import { containersOf } from "../../lib/kubernetes";
import { pssRule, windowsPod } from "../../lib/pss";
import { elements, expect } from "../../lib/values";

export const pssDisallowCapabilitiesStrict = pssRule({
    name: "pss-disallow-capabilities-strict",
    description:
        "PSS restricted \"Capabilities\" (since 1.22; Windows pods, spec.os.name: windows, exempt from 1.25 as upstream): every container drops ALL and adds nothing but NET_BIND_SERVICE. Matches Kyverno " +
        "disallow-capabilities-strict, Checkov CKV_K8S_37.",
    enforcementLevel: "mandatory",
    since: 22,
    check: (view, report, _config, minor) => {
        if (minor >= 25 && windowsPod(view.spec)) return;
        for (const { label, container } of containersOf(view.spec)) {
            expect(report, () => {
                const drop = container.securityContext?.capabilities?.drop;
                return Array.isArray(drop) && drop.includes("ALL");
            }, `${label}: set securityContext.capabilities.drop: ["ALL"]`);
            const extra = elements(() => container.securityContext?.capabilities?.add as unknown[]).filter((c) => c !== "NET_BIND_SERVICE" && c !== "");
            if (extra.length > 0) report(`${label}: remove ${extra.map(String).join(", ")} from securityContext.capabilities.add (only NET_BIND_SERVICE is allowed)`);
        }
    },
});
