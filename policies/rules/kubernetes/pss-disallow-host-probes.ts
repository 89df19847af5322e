import { containersOf, type Obj } from "../../lib/kubernetes";
import { pssRule } from "../../lib/pss";
import { known, UNKNOWN } from "../../lib/values";

const HANDLERS: [string, (c: Obj) => Obj | undefined][] = [
    ["livenessProbe", (c) => c.livenessProbe],
    ["readinessProbe", (c) => c.readinessProbe],
    ["startupProbe", (c) => c.startupProbe],
    ["lifecycle.postStart", (c) => c.lifecycle?.postStart],
    ["lifecycle.preStop", (c) => c.lifecycle?.preStop],
];

export const pssDisallowHostProbes = pssRule({
    name: "pss-disallow-host-probes",
    description:
        "PSS baseline \"Host Probes / Lifecycle Hooks\" (since 1.34): httpGet.host and tcpSocket.host of liveness, readiness " +
        "and startup probes and postStart/preStop handlers are unset or empty, so a pod cannot make the kubelet connect to " +
        "another host (upstream hostProbesAndHostLifecycle).",
    enforcementLevel: "mandatory",
    since: 34,
    check: (view, report) => {
        for (const { label, container } of containersOf(view.spec)) {
            for (const [field, read] of HANDLERS) {
                for (const action of ["httpGet", "tcpSocket"]) {
                    const host = known(() => read(container)?.[action]?.host);
                    if (host === UNKNOWN || host === undefined || host === null || host === "") continue;
                    report(`${label}: remove ${field}.${action}.host ${String(host)} (the kubelet would connect to that host; probe the pod's own IP)`);
                }
            }
        }
    },
});
