import { validateResourceOfType } from "@pulumi/policy";
import { ManagedCluster } from "@pulumi/azure-native/containerservice";
import { addonProfile } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect, UNKNOWN } from "../../lib/values";

export const k6AksSecretsStoreRotation: ResourceRule = {
    name: "k6-aks-secrets-store-rotation",
    description:
        "AKS runs the Key Vault Secrets Store CSI driver add-on with rotation: addonProfiles.azureKeyvaultSecretsProvider " +
        "enabled with config.enableSecretRotation \"true\". Matches Checkov CKV_AZURE_172.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
        const addon = addonProfile(cluster, "azureKeyvaultSecretsProvider");
        if (addon === UNKNOWN) return;
        expect(report, () => addon?.enabled === true, "set addonProfiles.azureKeyvaultSecretsProvider.enabled: true");
        expect(report, () => addon?.enabled !== true || String(addon?.config?.enableSecretRotation).toLowerCase() === "true",
            "set addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation: \"true\"");
    }),
};
