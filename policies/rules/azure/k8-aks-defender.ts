import { validateResourceOfType } from "@pulumi/policy";
import { ManagedCluster } from "@pulumi/azure-native/containerservice";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const k8AksDefender: ResourceRule = {
    name: "k8-aks-defender",
    description:
        "Microsoft Defender for Containers watches the cluster: securityProfile.defender.securityMonitoring.enabled with a " +
        "logAnalyticsWorkspaceResourceId. Matches Azure Policy a1840de2-8088-4ea8-b153-b4c723e9cb01 (AKS clusters should " +
        "have Defender profile enabled).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
        expect(report, () => cluster.securityProfile?.defender?.securityMonitoring?.enabled === true,
            "set securityProfile.defender.securityMonitoring.enabled: true");
        expect(report, () => {
            const ws = cluster.securityProfile?.defender?.logAnalyticsWorkspaceResourceId;
            return typeof ws === "string" && ws !== "";
        }, "set securityProfile.defender.logAnalyticsWorkspaceResourceId to the Log Analytics workspace id");
    }),
};
