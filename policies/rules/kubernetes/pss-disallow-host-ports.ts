import { containersOf } from "../../lib/kubernetes";
import { pssRule } from "../../lib/pss";
import { elements, known, UNKNOWN } from "../../lib/values";

/** Whether `port` lies in one of the allowed specs: a single port "8080" or a range "5000-6000". */
function allowed(port: number, specs: readonly string[]): boolean {
    return specs.some((s) => {
        const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(s);
        if (!m) return false;
        const lo = Number(m[1]);
        const hi = m[2] === undefined ? lo : Number(m[2]);
        return port >= lo && port <= hi;
    });
}

export const pssDisallowHostPorts = pssRule({
    name: "pss-disallow-host-ports",
    description:
        "PSS baseline \"Host Ports\": containers use no hostPort (unset or 0), except ports in config allowedHostPorts " +
        "(single ports or ranges such as \"5000-6000\"; empty by default, as in PSS). Matches Kyverno disallow-host-ports " +
        "and, with allowedHostPorts [\"5000-6000\"], disallow-host-ports-range; Azure Policy " +
        "82985f06-dc18-4a48-bc1c-b9f4f0098cfe, Checkov CKV_K8S_26.",
    enforcementLevel: "mandatory",
    configSchema: {
        allowedHostPorts: { type: "array", items: { type: "string" }, default: [], description: "hostPort values or ranges (\"5000-6000\") that are allowed." },
    },
    check: (view, report, config) => {
        const specs: string[] = config.allowedHostPorts ?? [];
        for (const { label, container } of containersOf(view.spec)) {
            elements(() => container.ports as Record<string, unknown>[]).forEach((p, i) => {
                const hostPort = known(() => p.hostPort);
                if (hostPort === UNKNOWN || hostPort === undefined || hostPort === null || hostPort === 0) return;
                if (typeof hostPort === "number" && allowed(hostPort, specs)) return;
                report(`${label}: remove ports[${i}].hostPort ${String(hostPort)} (use a Service)`);
            });
        }
    },
});
