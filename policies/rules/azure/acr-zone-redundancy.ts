import { validateResourceOfType } from "@pulumi/policy";
import { Registry, Replication } from "@pulumi/azure-native/containerregistry";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const acrZoneRedundancy: ResourceRule = {
    name: "acr-zone-redundancy",
    description: "ACR and each of its geo-replicas are zone redundant: zoneRedundancy Enabled on Registry and Replication. Matches Checkov CKV_AZURE_233.",
    enforcementLevel: "advisory",
    validateResource: [
        validateResourceOfType(Registry, (registry, _args, report) => {
            expect(report, () => registry.zoneRedundancy === "Enabled", "set zoneRedundancy: \"Enabled\"");
        }),
        validateResourceOfType(Replication, (replica, _args, report) => {
            expect(report, () => replica.zoneRedundancy === "Enabled", "set zoneRedundancy: \"Enabled\" on the replica (where its region has availability zones)");
        }),
    ],
};
