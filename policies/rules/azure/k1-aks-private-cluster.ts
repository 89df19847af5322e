import { validateResourceOfType } from "@pulumi/policy";
import { ManagedCluster } from "@pulumi/azure-native/containerservice";
import type { ResourceRule } from "../../lib/rule";
import { elements, expect } from "../../lib/values";

/** A range that admits every address: 0.0.0.0/0, ::/0 (and any other /0). */
const isOpenRange = (cidr: string): boolean => /\/0$/.test(cidr.trim()) || cidr.trim() === "0.0.0.0" || cidr.trim() === "*";

export const k1AksPrivateCluster: ResourceRule = {
    name: "k1-aks-private-cluster",
    description:
        "AKS API server is private and never open to the internet: apiServerAccessProfile.enablePrivateCluster is true and " +
        "authorizedIPRanges holds no 0.0.0.0/0 or ::/0. Matches Checkov CKV_AZURE_115 and CKV_AZURE_6, Azure Policy " +
        "040732e8-d947-40b8-95d6-854c95024bf8 (AKS Private Clusters should be enabled).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
        expect(report, () => cluster.apiServerAccessProfile?.enablePrivateCluster === true,
            "set apiServerAccessProfile.enablePrivateCluster: true");
        for (const range of elements(() => cluster.apiServerAccessProfile?.authorizedIPRanges)) {
            if (typeof range === "string" && isOpenRange(range)) {
                report(`remove "${range}" from apiServerAccessProfile.authorizedIPRanges (it admits every address)`);
            }
        }
    }),
};
