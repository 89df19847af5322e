/**
 * The hub deployer's own rights (issue 22): what the hub's deploying identity (`aiplatform:rbac.automation` of the
 * hub stack, state-backend identity `hub`) holds, declared in the hub so the permissions report checks it like a
 * spoke's pipeline. Granted once by the break-glass Owner on the hub's first `up` (docs/runbooks/break-glass.md),
 * seen unchanged afterwards:
 * - Contributor on the hub resource group (its resources; no role or lock management);
 * - `aiplatform lock writer (<hub>)` there: create and update, never delete, the CanNotDelete lock;
 * - Role Based Access Control Administrator there, ABAC-constrained to the hub's spoke roles (and RBAC
 *   Administrator for each spoke's AKS zone) assigned to the spoke pipelines of `aiplatform:spokePipelines` only;
 * - `aiplatform defender plans writer (<hub>)` and `aiplatform role assignment reader (<hub>)` at the subscription:
 *   Defender for Cloud plans are subscription pricings, and every refresh reads its own subscription-scoped grants.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import { assignmentCondition } from "../rbac/condition";
import { CUSTOM_ROLES } from "../rbac/personas";
import { BUILT_IN_ROLES, grant, readyAfter, stableGuid, subscriptionIdOf } from "../rbac/roles";
import { HUB_SPOKE_ROLES, spokeRoleGuid } from "./spoke-access";

/** Custom roles of the hub deployer, each defined at `scope`. */
const DEPLOYER_ROLES = {
    lockWriter: { ...CUSTOM_ROLES.lockWriter },
    assignmentReader: { ...CUSTOM_ROLES.assignmentReader },
    defenderWriter: {
        name: "defender plans writer",
        description: "Read and set the subscription's Microsoft Defender for Cloud plans (pricings); nothing else in Defender.",
        actions: ["Microsoft.Security/pricings/read", "Microsoft.Security/pricings/write"],
        scope: "subscription",
    },
} as const;

export interface HubDeployerArgs {
    /** The hub stack's name (custom role names are unique per tenant). */
    stack: string;
    /** Object id of the hub's deploying identity's service principal. */
    principalId: string;
    resourceGroupId: pulumi.Input<string>;
    /** Object ids of the spoke pipelines the hub grants (aiplatform:spokePipelines values). */
    spokePipelines: string[];
}

/** Declares the deployer's roles and grants under `parent`; returns them (the hub's lock waits for them). */
export function createHubDeployerAccess(name: string, args: HubDeployerArgs, parent: pulumi.Resource): pulumi.CustomResource[] {
    const declared: pulumi.CustomResource[] = [];
    const subscriptionId = subscriptionIdOf(parent);
    const subscription = pulumi.interpolate`/subscriptions/${subscriptionId}`;
    const scopeOf = (s: "subscription" | "resourceGroup") => (s === "subscription" ? subscription : args.resourceGroupId);
    const to = (key: string, role: Parameters<typeof grant>[1]["role"], scope: pulumi.Input<string>, why: string, condition?: string) =>
        declared.push(grant(`${name}-${key}`, { principalId: args.principalId, principalType: "ServicePrincipal", role, scope, subscriptionId, description: `hub deployer: ${why}`, ...(condition ? { condition } : {}) }, parent));

    for (const [key, def] of Object.entries(DEPLOYER_ROLES)) {
        const guid = stableGuid(`aiplatform:${args.stack}:deployer-${key}`);
        const role = new authorization.RoleDefinition(
            `${name}-role-${key}`,
            {
                roleDefinitionId: guid,
                roleName: `aiplatform ${def.name} (${args.stack})`,
                description: def.description,
                roleType: "CustomRole",
                scope: scopeOf(def.scope),
                assignableScopes: [scopeOf(def.scope)],
                permissions: [{ actions: [...def.actions], notActions: [], dataActions: [], notDataActions: [] }],
            },
            { parent },
        );
        declared.push(role);
        to(key, { customRoleGuid: readyAfter(guid, [role]) }, scopeOf(def.scope), def.description);
    }
    to("contributor", "contributor", args.resourceGroupId, "deploy the hub's resources (no role or lock management)");
    if (args.spokePipelines.length) {
        const roles = [...(Object.keys(HUB_SPOKE_ROLES) as (keyof typeof HUB_SPOKE_ROLES)[]).map((k) => spokeRoleGuid(args.stack, k)), BUILT_IN_ROLES.rbacAdministrator.id];
        const condition = assignmentCondition([{ roles, principalIds: args.spokePipelines, principalTypes: ["ServicePrincipal"] }]);
        to("rbacAdministrator", "rbacAdministrator", args.resourceGroupId, "assign the spoke pipelines their hub-side roles, nothing else to no one else", condition);
    }
    return declared;
}
