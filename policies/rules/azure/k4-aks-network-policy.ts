import { validateResourceOfType } from "@pulumi/policy";
import { ManagedCluster } from "@pulumi/azure-native/containerservice";
import { expectOneOf } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";

export const k4AksNetworkPolicy: ResourceRule = {
    name: "k4-aks-network-policy",
    description:
        "AKS uses Azure CNI with a network policy engine: networkProfile.networkPlugin is azure and networkPolicy is azure, " +
        "calico or cilium. Matches Checkov CKV_AZURE_7 and CKV2_AZURE_29, Azure Policy " +
        "46238e2f-3f6f-4589-9f3f-77bed4116e67 (Azure Kubernetes Clusters should use Azure CNI).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
        expectOneOf(report, () => cluster.networkProfile?.networkPlugin, ["azure"], "set networkProfile.networkPlugin: \"azure\"");
        expectOneOf(report, () => cluster.networkProfile?.networkPolicy, ["azure", "calico", "cilium"],
            "set networkProfile.networkPolicy to \"cilium\", \"calico\" or \"azure\"");
    }),
};
