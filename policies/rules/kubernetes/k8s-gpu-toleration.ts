import { containersOf, podRule } from "../../lib/kubernetes";
import { elements, entries, known, UNKNOWN } from "../../lib/values";

/** The taint key that guards the nodes of a GPU extended resource (see components/gpu-pools/facts.ts). */
export function gpuTaintKey(resource: string): string | undefined {
    if (resource === "nvidia.com/gpu" || resource.startsWith("nvidia.com/mig-")) return "nvidia.com/gpu";
    if (resource === "amd.com/gpu") return "amd.com/gpu";
    return undefined;
}

const nonZero = (v: unknown) => v !== undefined && v !== null && v !== 0 && v !== "0";

export const k8sGpuToleration = podRule({
    name: "k8s-gpu-toleration",
    description:
        "A pod that requests a GPU (nvidia.com/gpu, nvidia.com/mig-*, amd.com/gpu) tolerates that GPU pool's NoSchedule " +
        "taint (key nvidia.com/gpu or amd.com/gpu, effect NoSchedule or any), otherwise it can never schedule. Platform " +
        "rule, pairs with K14.",
    enforcementLevel: "mandatory",
    exemptNamespaces: [],
    check: (view, report) => {
        const tolerations = known(() => view.spec.tolerations);
        if (tolerations === UNKNOWN) return;
        const tolerated = (key: string) =>
            elements(() => view.spec.tolerations as Record<string, unknown>[]).some((t) => {
                const k = known(() => t.key);
                const op = known(() => t.operator);
                const effect = known(() => t.effect);
                if (k === UNKNOWN || op === UNKNOWN || effect === UNKNOWN) return true; // can't tell: assume it matches
                const keyOk = k === key || ((k === undefined || k === "") && op === "Exists");
                const effectOk = effect === undefined || effect === "" || effect === "NoSchedule";
                return keyOk && effectOk;
            });
        for (const { label, container } of containersOf(view.spec, ["initContainers", "containers"])) {
            const keys = new Set<string>();
            for (const kind of ["limits", "requests"]) {
                for (const [resource, amount] of entries(() => container.resources?.[kind])) {
                    const key = gpuTaintKey(resource);
                    if (key && amount !== UNKNOWN && nonZero(amount)) keys.add(key);
                }
            }
            for (const key of keys) {
                if (!tolerated(key)) report(`${label} requests a GPU: add tolerations: [{ key: "${key}", operator: "Exists", effect: "NoSchedule" }]`);
            }
        }
    },
});
