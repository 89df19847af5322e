import { validateResourceOfType } from "@pulumi/policy";
import { ManagedCluster } from "@pulumi/azure-native/containerservice";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const k10AksAutoUpgrade: ResourceRule = {
    name: "k10-aks-auto-upgrade",
    description:
        "AKS patches itself: autoUpgradeProfile.upgradeChannel is set and not none, and nodeOSUpgradeChannel is not None " +
        "or Unmanaged. Matches Checkov CKV_AZURE_171, Azure Policy 5c345cdf-2049-47e0-b8fe-b0e96bc2df35 (cluster " +
        "auto-upgrade) and 04408ca5-aa10-42ce-8536-98955cdddd4c (node OS auto-upgrade).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
        expect(report, () => {
            const channel = cluster.autoUpgradeProfile?.upgradeChannel;
            return typeof channel === "string" && channel !== "" && channel.toLowerCase() !== "none";
        }, "set autoUpgradeProfile.upgradeChannel to patch, stable, rapid or node-image");
        expect(report, () => {
            const channel = cluster.autoUpgradeProfile?.nodeOSUpgradeChannel;
            return typeof channel !== "string" || !["none", "unmanaged"].includes(channel.toLowerCase());
        }, "set autoUpgradeProfile.nodeOSUpgradeChannel to NodeImage or SecurityPatch");
    }),
};
