import { podRule } from "../../lib/kubernetes";
import { elements, known, UNKNOWN } from "../../lib/values";

/** The "safe" sysctls of the Kyverno policy (PSS baseline before 1.27 added a few more, which config can allow). */
export const SAFE_SYSCTLS = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range"];

export const pssRestrictSysctls = podRule({
    name: "pss-restrict-sysctls",
    description:
        "PSS baseline \"Sysctls\": securityContext.sysctls uses only the safe set (config allowedSysctls; default " +
        "kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, " +
        "net.ipv4.ping_group_range). Matches Kyverno restrict-sysctls, Azure Policy 56d0a13f-712f-466b-8416-56fb354fb823.",
    enforcementLevel: "mandatory",
    configSchema: {
        allowedSysctls: { type: "array", items: { type: "string" }, default: SAFE_SYSCTLS, description: "sysctl names a pod may set." },
    },
    check: (view, report, config) => {
        const allowed: string[] = config.allowedSysctls ?? [];
        elements(() => view.spec.securityContext?.sysctls as Record<string, unknown>[]).forEach((s, i) => {
            const name = known(() => s.name);
            if (name === UNKNOWN) return;
            if (typeof name !== "string" || !allowed.includes(name)) report(`remove securityContext.sysctls[${i}] ${String(name)} (not a safe sysctl)`);
        });
    },
});
