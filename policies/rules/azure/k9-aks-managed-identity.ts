import { validateResourceOfType } from "@pulumi/policy";
import { ManagedCluster } from "@pulumi/azure-native/containerservice";
import { expectOneOf } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const k9AksManagedIdentity: ResourceRule = {
    name: "k9-aks-managed-identity",
    description:
        "AKS runs as a managed identity, never a service principal with a secret: identity.type is SystemAssigned or " +
        "UserAssigned and servicePrincipalProfile.secret is absent. Matches Azure Policy " +
        "da6e2401-19da-4532-9141-fb8fbde08431 (AKS Clusters should use managed identities).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
        expectOneOf(report, () => cluster.identity?.type, ["SystemAssigned", "UserAssigned"],
            "set identity.type: \"UserAssigned\" (or \"SystemAssigned\")");
        expect(report, () => cluster.servicePrincipalProfile?.secret === undefined,
            "remove servicePrincipalProfile.secret; use a managed identity (identity.type)");
    }),
};
