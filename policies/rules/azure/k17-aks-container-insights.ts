import { validateResourceOfType } from "@pulumi/policy";
import { ManagedCluster } from "@pulumi/azure-native/containerservice";
import { addonProfile } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { known, UNKNOWN } from "../../lib/values";

export const k17AksContainerInsights: ResourceRule = {
    name: "k17-aks-container-insights",
    description:
        "Every cluster sends container logs and metrics to Log Analytics (Container Insights): addon omsagent enabled " +
        "(any key casing) with config logAnalyticsWorkspaceResourceID. Matches Checkov CKV_AZURE_4 (AKS logging to Azure " +
        "Monitoring) in full: the addon and its workspace, on every cluster.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
        const oms = addonProfile(cluster, "omsagent");
        if (oms === UNKNOWN) return;
        const enabled = known(() => oms?.enabled);
        const workspace = known(() => oms?.config && Object.entries(oms.config).find(([k]) => k.toLowerCase() === "loganalyticsworkspaceresourceid")?.[1]);
        if (enabled === UNKNOWN || workspace === UNKNOWN) return;
        if (enabled !== true || typeof workspace !== "string" || workspace === "") {
            report("set addonProfiles.omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: <Log Analytics workspace id> } } (Container Insights)");
        }
    }),
};
