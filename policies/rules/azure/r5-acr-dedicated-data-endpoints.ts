import { validateResourceOfType } from "@pulumi/policy";
import { Registry } from "@pulumi/azure-native/containerregistry";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const r5AcrDedicatedDataEndpoints: ResourceRule = {
    name: "r5-acr-dedicated-data-endpoints",
    description:
        "ACR serves layers from its own regional data endpoints (<registry>.<region>.data.azurecr.io), so the firewall " +
        "allows this registry's blobs rather than every registry's *.blob.core.windows.net: dataEndpointEnabled is true. " +
        "Matches Checkov CKV_AZURE_237.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(Registry, (registry, _args, report) => {
        expect(report, () => registry.dataEndpointEnabled === true, "set dataEndpointEnabled: true (dedicated data endpoints; Premium SKU)");
    }),
};
