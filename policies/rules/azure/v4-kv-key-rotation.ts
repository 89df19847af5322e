import { validateResourceOfType } from "@pulumi/policy";
import { Key } from "@pulumi/azure-native/keyvault";
import type { ResourceRule } from "../../lib/rule";
import { elements, expect, hasUnknown } from "../../lib/values";

export const v4KvKeyRotation: ResourceRule = {
    name: "v4-kv-key-rotation",
    description:
        "Every Key Vault key rotates and expires on its own: properties.rotationPolicy has a Rotate lifetime action " +
        "(timeAfterCreate or timeBeforeExpiry) and attributes.expiryTime. Matches Checkov CKV_AZURE_40 (expiration date on " +
        "keys), adapted to the rotation policy that renews it, and Azure Policy d8cf8476-a2ec-4916-896e-992351803c44 (Keys " +
        "should have a rotation policy ensuring that their rotation is scheduled within the specified number of days after creation).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(Key, (key, _args, report) => {
        const actions = () => key.properties.rotationPolicy?.lifetimeActions;
        if (!hasUnknown(actions)) expect(report, () => elements(actions).some((a) => {
            const type = a.action?.type;
            return typeof type === "string" && type.toLowerCase() === "rotate" && (!!a.trigger?.timeAfterCreate || !!a.trigger?.timeBeforeExpiry);
        }), "add properties.rotationPolicy.lifetimeActions entry { action: { type: \"rotate\" }, trigger: { timeAfterCreate: \"P<n>D\" } }");
        expect(report, () => {
            const t = key.properties.rotationPolicy?.attributes?.expiryTime;
            return typeof t === "string" && t !== "";
        }, "set properties.rotationPolicy.attributes.expiryTime (e.g. \"P365D\")");
    }),
};
