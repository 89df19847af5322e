/**
 * RbacTemplates: applies the persona table (personas.ts) for one environment — Entra groups from config for
 * developers and the platform team, the pipeline's service principal for automation. Every grant is at the
 * narrowest scope the persona needs; nothing here is Owner or User Access Administrator, and the pipeline's
 * access-management right is Role Based Access Control Administrator constrained by an ABAC condition to the
 * platform's data-plane roles. In prd the pipeline also gets a custom role that can create/update (never delete)
 * management locks.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../../config/schema";
import { assignmentCondition } from "./condition";
import { CUSTOM_ROLES, type CustomRole, LOCK_WRITER, PERSONA_GRANTS, pipelineAssignmentRules, type Persona, type PersonaGrant, type PersonaScope } from "./personas";
import { type BuiltInRole, grant, stableGuid, subscriptionIdOf } from "./roles";

export interface RbacTemplatesArgs {
    environment: Environment;
    /** Stack name, e.g. prd-uaenorth (names the custom role, which must be unique in the tenant). */
    stack: string;
    /** Entra object ids per persona (rbac.developers / rbac.platform groups, rbac.automation service principal). */
    principals: { developers: string[]; platform: string[]; automation?: string };
    /** GUIDs of the stack's custom roles the pipeline assigns to its managed identities (pool scheduler, public IP reader). */
    customServiceRoles?: string[];
    /** Namespaces the developers persona gets its namespace-scoped role on (rbac.developerNamespaces). */
    developerNamespaces: string[];
    /** ARM ids of the scopes the table names (the subscription is the deploying one); `cluster` undefined skips cluster and namespace grants. */
    scopes: {
        resourceGroup: pulumi.Input<string>;
        registry: pulumi.Input<string>;
        vault: pulumi.Input<string>;
        workspace: pulumi.Input<string>;
        cluster?: pulumi.Input<string>;
    };
}

export interface RbacTemplatesOutputs {
    /** Number of role assignments declared per persona (plan summary, README). */
    assignmentCounts: Record<Persona, number>;
}


const PRINCIPAL_TYPE: Record<Persona, "Group" | "ServicePrincipal"> = { developers: "Group", platform: "Group", automation: "ServicePrincipal" };

export function createRbacTemplates(name: string, args: RbacTemplatesArgs, parent: pulumi.Resource): RbacTemplatesOutputs {
    const table = PERSONA_GRANTS[args.environment];
    const subscriptionId = subscriptionIdOf(parent);
    const counts: Record<Persona, number> = { developers: 0, platform: 0, automation: 0 };
    const customGuids = new Map<CustomRole, pulumi.Output<string>>();
    const customRole = (key: CustomRole) => {
        const hit = customGuids.get(key);
        if (hit) return hit;
        const def = CUSTOM_ROLES[key];
        const guid = stableGuid(`aiplatform:${args.stack}:${key === LOCK_WRITER ? "lock-writer" : key}`);
        const scope = def.scope === "subscription" ? pulumi.interpolate`/subscriptions/${subscriptionId}` : args.scopes.resourceGroup;
        const role = new authorization.RoleDefinition(
            `${name}-${key === LOCK_WRITER ? "lock-writer" : key}`,
            {
                roleDefinitionId: guid,
                roleName: `aiplatform ${def.name} (${args.stack})`,
                description: def.description,
                roleType: "CustomRole",
                scope,
                assignableScopes: [scope],
                permissions: [{ actions: [...def.actions], notActions: [], dataActions: [], notDataActions: [] }],
            },
            { parent },
        );
        customGuids.set(key, role.id.apply(() => guid));
        return customGuids.get(key)!;
    };

    const condition = assignmentCondition(pipelineAssignmentRules(args.environment, args.principals, args.customServiceRoles));
    const scopesOf = (scope: PersonaScope): { key: string; id: pulumi.Input<string> }[] => {
        switch (scope) {
            case "namespaces":
                return args.scopes.cluster ? args.developerNamespaces.map((ns) => ({ key: `ns-${ns}`, id: pulumi.interpolate`${args.scopes.cluster}/namespaces/${ns}` })) : [];
            case "cluster":
                return args.scopes.cluster ? [{ key: "cluster", id: args.scopes.cluster }] : [];
            case "subscription":
                return [{ key: scope, id: pulumi.interpolate`/subscriptions/${subscriptionId}` }];
            default:
                return [{ key: scope, id: args.scopes[scope] }];
        }
    };

    for (const persona of Object.keys(table) as Persona[]) {
        const ids = persona === "automation" ? (args.principals.automation ? [args.principals.automation] : []) : args.principals[persona];
        for (const principalId of ids) {
            for (const g of table[persona] as PersonaGrant[]) {
                for (const scope of scopesOf(g.scope)) {
                    grant(
                        `${name}-${persona}-${principalId.slice(0, 8)}-${g.role}-${scope.key}`,
                        {
                            principalId,
                            principalType: PRINCIPAL_TYPE[persona],
                            role: g.role in CUSTOM_ROLES ? { customRoleGuid: customRole(g.role as CustomRole) } : (g.role as BuiltInRole),
                            scope: scope.id,
                            subscriptionId,
                            description: `persona ${persona} (${args.environment}): ${g.why}`,
                            ...(g.constrained ? { condition } : {}),
                        },
                        parent,
                    );
                    counts[persona]++;
                }
            }
        }
    }
    return { assignmentCounts: counts };
}

export class RbacTemplates extends pulumi.ComponentResource implements RbacTemplatesOutputs {
    public readonly assignmentCounts: Record<Persona, number>;

    constructor(name: string, args: RbacTemplatesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:rbac:RbacTemplates", name, {}, opts);
        const out = createRbacTemplates(name, args, this);
        this.assignmentCounts = out.assignmentCounts;
        this.registerOutputs({ assignmentCounts: out.assignmentCounts });
    }
}
