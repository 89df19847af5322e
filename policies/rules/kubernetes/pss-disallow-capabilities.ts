import { containersOf } from "../../lib/kubernetes";
import { pssRule } from "../../lib/pss";
import { elements } from "../../lib/values";

/** Pod Security Standards baseline: the capabilities a container may add. */
export const BASELINE_CAPABILITIES = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"];

export const pssDisallowCapabilities = pssRule({
    name: "pss-disallow-capabilities",
    description:
        "PSS baseline \"Capabilities\": containers add no capability beyond AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, " +
        "KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT. Matches Kyverno disallow-capabilities, " +
        "Azure Policy c26596ff-4d70-4e6a-9a30-c2506bd2f80c, Checkov CKV_K8S_25.",
    enforcementLevel: "mandatory",
    check: (view, report) => {
        for (const { label, container } of containersOf(view.spec)) {
            const extra = elements(() => container.securityContext?.capabilities?.add as unknown[]).filter((c) => typeof c !== "string" || !BASELINE_CAPABILITIES.includes(c));
            if (extra.length > 0) report(`${label}: remove ${extra.map(String).join(", ")} from securityContext.capabilities.add`);
        }
    },
});
