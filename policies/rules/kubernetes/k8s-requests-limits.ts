import { containersOf, podRule } from "../../lib/kubernetes";
import { expect } from "../../lib/values";

export const k8sRequestsLimits = podRule({
    name: "k8s-requests-limits",
    description:
        "Every container (and init container) requests CPU and memory and limits memory; a CPU limit is required only with " +
        "config requireCpuLimit (default false: CPU limits throttle latency-sensitive inference). Matches Checkov " +
        "CKV_K8S_10, CKV_K8S_12, CKV_K8S_13 (and CKV_K8S_11 when requireCpuLimit), Azure Policy " +
        "03a4ecdb-4919-47ef-922b-34eda4c7f0ce (CPU and memory resource requests must be defined).",
    enforcementLevel: "mandatory",
    exemptNamespaces: [],
    configSchema: {
        requireCpuLimit: { type: "boolean", default: false, description: "Also require resources.limits.cpu." },
    },
    check: (view, report, config) => {
        const required: [string, string][] = [["requests", "cpu"], ["requests", "memory"], ["limits", "memory"]];
        if (config.requireCpuLimit === true) required.push(["limits", "cpu"]);
        for (const { label, container } of containersOf(view.spec, ["initContainers", "containers"])) {
            for (const [kind, resource] of required) {
                expect(report, () => {
                    const v = container.resources?.[kind]?.[resource];
                    return v !== undefined && v !== null && v !== "";
                }, `${label}: set resources.${kind}.${resource}`);
            }
        }
    },
});
