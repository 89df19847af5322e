import { containersOf, podRule } from "../../lib/kubernetes";
import { expect } from "../../lib/values";

export const k8sProbes = podRule({
    name: "k8s-probes",
    description:
        "Long-running containers (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Argo Rollout, " +
        "restartPolicy-Always Pods; not Jobs, CronJobs, Argo steps or KServe components, whose server KServe probes) have a " +
        "readinessProbe and a livenessProbe. Matches Checkov CKV_K8S_8 and CKV_K8S_9.",
    enforcementLevel: "advisory",
    exemptNamespaces: [],
    check: (view, report) => {
        if (!view.longRunning) return;
        for (const { label, container } of containersOf(view.spec, ["containers"])) {
            for (const probe of ["readinessProbe", "livenessProbe"]) {
                expect(report, () => container[probe] !== undefined && container[probe] !== null, `${label}: add a ${probe}`);
            }
        }
    },
});
