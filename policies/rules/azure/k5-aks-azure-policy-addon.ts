import { validateResourceOfType } from "@pulumi/policy";
import { ManagedCluster } from "@pulumi/azure-native/containerservice";
import { addonProfile } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect, UNKNOWN } from "../../lib/values";

export const k5AksAzurePolicyAddon: ResourceRule = {
    name: "k5-aks-azure-policy-addon",
    description:
        "AKS runs the Azure Policy add-on and neither the Kubernetes dashboard nor HTTP application routing (addon keys " +
        "matched case-insensitively). Matches Checkov CKV_AZURE_116, CKV_AZURE_8 and CKV_AZURE_246, Azure Policy " +
        "0a15ec92-a229-4763-bb14-0ea34a568f8d (Azure Policy Add-on for AKS should be installed and enabled).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
        const policy = addonProfile(cluster, "azurepolicy");
        if (policy !== UNKNOWN) {
            expect(report, () => policy?.enabled === true, "set addonProfiles.azurepolicy: { enabled: true }");
        }
        for (const name of ["kubeDashboard", "httpApplicationRouting"]) {
            const addon = addonProfile(cluster, name);
            if (addon === UNKNOWN) continue;
            expect(report, () => addon?.enabled !== true, `set addonProfiles.${name}.enabled: false (or remove it)`);
        }
    }),
};
