/**
 * The AKS control-plane identity can find the public ingress IP in the IP's resource group (cloud-provider-azure
 * lists public IPs there: Learn aks/static-ip.md, Azure/AKS#921) — through a read-only custom role, not Network
 * Contributor on the group.
 */
import { SPOKES, ofType, one, resources } from "../support/plan";
import { clusterOf, ROLE_ASSIGNMENT } from "./support";

describe.each(SPOKES)("%s: AKS control-plane network reader", (stack) => {
    const cluster = clusterOf(stack);
    const identityId = ((cluster.inputs.identity as any).userAssignedIdentities as string[])[0];
    const identity = resources(stack).find((r) => r.type === "azure-native:managedidentity:UserAssignedIdentity" && r.id === identityId)!;
    const ip = one(stack, "azure-native:network:PublicIPAddress");
    const ipGroup = String(ip.id).split("/providers/")[0];

    it("holds a role at the public IP's resource group that lists public IPs, and nothing else", () => {
        const atGroup = ofType(stack, ROLE_ASSIGNMENT).filter((a) => a.inputs.principalId === identity.outputs.principalId && a.inputs.scope === ipGroup);
        expect(atGroup).toHaveLength(1);
        const guid = String(atGroup[0].inputs.roleDefinitionId).split("/").pop();
        const def = ofType(stack, "azure-native:authorization:RoleDefinition").find((d) => d.inputs.roleDefinitionId === guid);
        expect(def?.inputs).toMatchObject({
            assignableScopes: [ipGroup],
            permissions: [{ actions: ["Microsoft.Network/publicIPAddresses/read"], notActions: [], dataActions: [] }],
        });
    });
});
