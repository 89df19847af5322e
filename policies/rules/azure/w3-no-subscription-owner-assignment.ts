import type { StackRule } from "../../lib/rule";
import { ofType } from "../../lib/stack";
import { known } from "../../lib/values";

/** Built-in role definition ids that grant control over access itself. */
export const PRIVILEGED_ROLES: Record<string, string> = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
};

const SUBSCRIPTION_SCOPE = /^\/subscriptions\/[^/]+\/?$/i;

export const w3NoSubscriptionOwnerAssignment: StackRule = {
    name: "w3-no-subscription-owner-assignment",
    description:
        "No authorization:RoleAssignment grants Owner or User Access Administrator at subscription scope " +
        "(/subscriptions/<id>); grant narrower roles on resource groups or resources. Matches Azure Policy " +
        "4f11b553-d42e-4e3a-89be-32ca364cad4c (A maximum of 3 owners should be designated for your subscription) in spirit, " +
        "enforced before deployment.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const ra of ofType(args.resources, "azure-native:authorization:RoleAssignment")) {
            const scope = known(() => ra.props.scope as unknown);
            const role = known(() => ra.props.roleDefinitionId as unknown);
            if (typeof scope !== "string" || typeof role !== "string" || !SUBSCRIPTION_SCOPE.test(scope.trim())) continue;
            const guid = role.trim().replace(/\/+$/, "").split("/").pop()!.toLowerCase();
            const name = PRIVILEGED_ROLES[guid];
            if (name) report(`${name} at subscription scope ${scope}: assign a narrower role, or scope it to a resource group`, ra.urn);
        }
    },
};
