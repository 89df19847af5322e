import type { PolicyResource } from "@pulumi/policy";
import type { StackRule } from "../../lib/rule";
import { objectsOf, ofType, refersTo } from "../../lib/stack";
import { known, UNKNOWN } from "../../lib/values";

export const PRIVATE_LINK_TARGETS = [
    "azure-native:keyvault:Vault",
    "azure-native:storage:StorageAccount",
    "azure-native:containerregistry:Registry",
];

/** Whether any private endpoint connects to `target`: true, false, or UNKNOWN when some endpoint can't tell. */
function hasPrivateEndpoint(target: PolicyResource, endpoints: readonly PolicyResource[]): boolean | typeof UNKNOWN {
    let undecided = false;
    for (const pe of endpoints) {
        const connections = objectsOf(pe, "privateLinkServiceConnections");
        if (connections === UNKNOWN) {
            undecided = true;
            continue;
        }
        for (const conn of connections) {
            const id = conn === UNKNOWN ? UNKNOWN : known(() => conn?.privateLinkServiceId);
            const hit = refersTo(pe, "privateLinkServiceConnections", id, target);
            if (hit === true) return true;
            if (hit === UNKNOWN) undecided = true;
        }
    }
    return undecided ? UNKNOWN : false;
}

export const w1PrivateEndpointRequired: StackRule = {
    name: "w1-private-endpoint-required",
    description:
        "Every Key Vault, storage account and container registry has a network:PrivateEndpoint whose " +
        "privateLinkServiceConnections[].privateLinkServiceId is its id. Matches Checkov CKV2_AZURE_32 and CKV2_AZURE_33, " +
        "Azure Policy a6abeaec-4d90-4a02-805f-6b26c4d3fbe9 (Key Vaults should use private link), " +
        "6edd7eda-6dd8-40f7-810d-67160c639cd9 (Storage accounts should use private link) and " +
        "e8eef0a8-67cf-4eb4-9386-14b0e78733d4 (Container registries should use private link).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const endpoints = ofType(args.resources, "azure-native:network:PrivateEndpoint");
        for (const target of ofType(args.resources, ...PRIVATE_LINK_TARGETS)) {
            if (hasPrivateEndpoint(target, endpoints) === false) {
                report(`add a network:PrivateEndpoint with privateLinkServiceConnections[].privateLinkServiceId set to this resource's id`, target.urn);
            }
        }
    },
};
