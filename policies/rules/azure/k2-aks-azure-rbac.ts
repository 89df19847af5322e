import { validateResourceOfType } from "@pulumi/policy";
import { ManagedCluster } from "@pulumi/azure-native/containerservice";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const k2AksAzureRbac: ResourceRule = {
    name: "k2-aks-azure-rbac",
    description:
        "AKS authorizes with Microsoft Entra ID and Azure RBAC: aadProfile.enableAzureRBAC is true and enableRBAC is not " +
        "false. Matches Checkov CKV_AZURE_5, Azure Policy ac4a19c2-fa67-49b4-8ae5-0b2e78c49457 (RBAC should be used on " +
        "Kubernetes Services) and 450d2877-ebea-41e8-b00c-e286317d21bf (AKS should enable Microsoft Entra ID integration).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
        expect(report, () => cluster.aadProfile?.enableAzureRBAC === true, "set aadProfile.enableAzureRBAC: true (with aadProfile.managed: true)");
        expect(report, () => cluster.enableRBAC !== false, "remove enableRBAC: false (Kubernetes RBAC must stay on)");
    }),
};
