import { validateResourceOfType } from "@pulumi/policy";
import { RoleDefinition } from "@pulumi/azure-native/authorization";
import type { ResourceRule } from "../../lib/rule";
import { elements } from "../../lib/values";

export const w4NoWildcardCustomRole: ResourceRule = {
    name: "w4-no-wildcard-custom-role",
    description:
        "Custom roles list what they allow: no permissions[].actions entry is \"*\" (an Owner-like custom role escapes " +
        "the built-in roles' review). Matches Checkov CKV_AZURE_39 (no custom subscription owner roles), applied at any " +
        "assignable scope.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(RoleDefinition, (role, _args, report) => {
        elements(() => role.permissions).forEach((p, i) => {
            if (elements(() => p.actions).some((a) => a === "*")) report(`permissions[${i}].actions: replace "*" with the actions the role needs`);
        });
    }),
};
