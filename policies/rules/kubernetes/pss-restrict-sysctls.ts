import { pssRule } from "../../lib/pss";
import { elements, known, UNKNOWN } from "../../lib/values";

/** Upstream's safe sysctls, each with the first minor version that allows it (pod-security-admission check_sysctls.go). */
export const SAFE_SYSCTLS: Readonly<Record<string, number>> = {
    "kernel.shm_rmid_forced": 0,
    "net.ipv4.ip_local_port_range": 0,
    "net.ipv4.tcp_syncookies": 0,
    "net.ipv4.ping_group_range": 0,
    "net.ipv4.ip_unprivileged_port_start": 0,
    "net.ipv4.ip_local_reserved_ports": 27,
    "net.ipv4.tcp_keepalive_time": 29,
    "net.ipv4.tcp_fin_timeout": 29,
    "net.ipv4.tcp_keepalive_intvl": 29,
    "net.ipv4.tcp_keepalive_probes": 29,
    "net.ipv4.tcp_rmem": 32,
    "net.ipv4.tcp_wmem": 32,
    "net.ipv4.tcp_slow_start_after_idle": 37,
    "net.ipv4.tcp_notsent_lowat": 37,
};

export const pssRestrictSysctls = pssRule({
    name: "pss-restrict-sysctls",
    description:
        "PSS baseline \"Sysctls\": securityContext.sysctls uses only the safe set of the configured version (upstream: " +
        "kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, ip_unprivileged_port_start, tcp_syncookies, ping_group_range; " +
        "ip_local_reserved_ports from 1.27; tcp_keepalive_time/intvl/probes and tcp_fin_timeout from 1.29; tcp_rmem/tcp_wmem " +
        "from 1.32; tcp_slow_start_after_idle and tcp_notsent_lowat from 1.37), plus config allowedSysctls. Matches Kyverno " +
        "restrict-sysctls, Azure Policy 56d0a13f-712f-466b-8416-56fb354fb823.",
    enforcementLevel: "mandatory",
    configSchema: {
        allowedSysctls: { type: "array", items: { type: "string" }, default: [], description: "sysctl names a pod may set beyond the version's safe set." },
    },
    check: (view, report, config, minor) => {
        const extra: string[] = config.allowedSysctls ?? [];
        const allowed = (name: string) => (name in SAFE_SYSCTLS && SAFE_SYSCTLS[name] <= minor) || extra.includes(name);
        elements(() => view.spec.securityContext?.sysctls as Record<string, unknown>[]).forEach((s, i) => {
            const name = known(() => s.name);
            if (name === UNKNOWN) return;
            if (typeof name !== "string" || !allowed(name)) report(`remove securityContext.sysctls[${i}] ${String(name)} (not a safe sysctl at this Kubernetes version)`);
        });
    },
});
