import { validateResourceOfType } from "@pulumi/policy";
import { ManagedCluster } from "@pulumi/azure-native/containerservice";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const k7AksWorkloadIdentity: ResourceRule = {
    name: "k7-aks-workload-identity",
    description:
        "Pods reach Azure with federated workload identity, not secrets: oidcIssuerProfile.enabled and " +
        "securityProfile.workloadIdentity.enabled are true. Matches Azure Policy 2cc2e023-0dac-4046-875b-178f683929d5 " +
        "(AKS Clusters should enable workload identity).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
        expect(report, () => cluster.oidcIssuerProfile?.enabled === true, "set oidcIssuerProfile.enabled: true");
        expect(report, () => cluster.securityProfile?.workloadIdentity?.enabled === true, "set securityProfile.workloadIdentity.enabled: true");
    }),
};
