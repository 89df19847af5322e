/**
 * RBAC persona templates: which built-in roles each persona holds at which scope, per environment. Pure data, so
 * the component, the tests, the README and the audit script read the same table. prd is narrower than dev:
 * developers lose write access and AcrPull, the platform team loses Monitoring Contributor, and only prd gives the
 * pipeline its lock-writer role (prd is the only environment with locks).
 */
import type { Environment } from "../../config/schema";
import { BUILT_IN_ROLES, type BuiltInRole } from "./roles";

export const PERSONAS = ["developers", "platform", "automation"] as const;
export type Persona = (typeof PERSONAS)[number];

/** Scopes a persona grant can name; `namespaces` means each of rbac.developerNamespaces inside the cluster. */
export type PersonaScope = "subscription" | "resourceGroup" | "cluster" | "namespaces" | "registry" | "vault" | "workspace";

/** The custom role that lets the pipeline create/update (never delete) management locks. */
export const LOCK_WRITER = "lockWriter" as const;
export type PersonaRole = BuiltInRole | typeof LOCK_WRITER;

export interface PersonaGrant {
    role: PersonaRole;
    scope: PersonaScope;
    /** Why the persona needs it (role assignment description, README). */
    why: string;
    /** The pipeline's Role Based Access Control Administrator is constrained to the ASSIGNABLE_ROLES allow-list. */
    constrained?: true;
}

const dev = {
    developers: [
        { role: "aksRbacWriter", scope: "namespaces", why: "deploy and debug in their team namespaces" },
        { role: "aksClusterUser", scope: "cluster", why: "fetch a kubeconfig (Entra login)" },
        { role: "acrPull", scope: "registry", why: "pull platform images locally" },
        { role: "monitoringReader", scope: "resourceGroup", why: "read metrics and alerts" },
        { role: "logAnalyticsReader", scope: "workspace", why: "query container logs" },
    ],
    platform: [
        { role: "aksRbacClusterAdmin", scope: "cluster", why: "operate the cluster" },
        { role: "aksClusterUser", scope: "cluster", why: "fetch a kubeconfig (Entra login)" },
        { role: "keyVaultSecretsOfficer", scope: "vault", why: "rotate and inspect platform secrets" },
        { role: "monitoringContributor", scope: "resourceGroup", why: "tune alerts and diagnostic settings" },
        { role: "logAnalyticsReader", scope: "workspace", why: "query all platform logs" },
    ],
    automation: [
        { role: "contributor", scope: "resourceGroup", why: "deploy the spoke's resources (no role or lock management)" },
        { role: "rbacAdministrator", scope: "resourceGroup", why: "assign the platform's data-plane roles, allow-listed only", constrained: true },
        { role: "acrPush", scope: "registry", why: "push images built by the pipelines" },
        { role: "costManagementContributor", scope: "subscription", why: "manage the environment's budget (subscription-scoped, filtered to its groups)" },
    ],
} satisfies Record<Persona, PersonaGrant[]>;

export const PERSONA_GRANTS: Record<Environment, Record<Persona, PersonaGrant[]>> = {
    dev,
    stg: {
        developers: [
            { role: "aksRbacReader", scope: "namespaces", why: "inspect their team namespaces (changes go through GitOps)" },
            { role: "aksClusterUser", scope: "cluster", why: "fetch a kubeconfig (Entra login)" },
            { role: "acrPull", scope: "registry", why: "pull release candidates locally" },
            { role: "monitoringReader", scope: "resourceGroup", why: "read metrics and alerts" },
            { role: "logAnalyticsReader", scope: "workspace", why: "query container logs" },
        ],
        platform: dev.platform,
        automation: dev.automation,
    },
    prd: {
        developers: [
            { role: "aksRbacReader", scope: "namespaces", why: "inspect their team namespaces (read-only)" },
            { role: "aksClusterUser", scope: "cluster", why: "fetch a kubeconfig (Entra login)" },
            { role: "monitoringReader", scope: "resourceGroup", why: "read metrics and alerts" },
        ],
        platform: [
            { role: "aksRbacClusterAdmin", scope: "cluster", why: "operate the cluster (on-call)" },
            { role: "aksClusterUser", scope: "cluster", why: "fetch a kubeconfig (Entra login)" },
            { role: "keyVaultSecretsOfficer", scope: "vault", why: "rotate platform secrets (runbook)" },
            { role: "monitoringReader", scope: "resourceGroup", why: "read metrics and alerts (changes go through code)" },
            { role: "logAnalyticsReader", scope: "workspace", why: "query all platform logs" },
        ],
        automation: [...dev.automation, { role: LOCK_WRITER, scope: "resourceGroup", why: "create and update (not delete) the CanNotDelete lock" }],
    },
};

/**
 * Roles the pipeline may assign (and remove) through its constrained Role Based Access Control Administrator:
 * everything the platform's components assign, and nothing that grants access management itself.
 */
export const ASSIGNABLE_ROLES: BuiltInRole[] = (Object.keys(BUILT_IN_ROLES) as BuiltInRole[]).filter(
    (r) => !["contributor", "rbacAdministrator", "costManagementContributor"].includes(r),
);

/** ABAC condition (version 2.0) limiting roleAssignments/write and /delete to `roles` (Azure's "constrain roles" template). */
export function assignableRolesCondition(roles: BuiltInRole[] = ASSIGNABLE_ROLES): string {
    const guids = roles.map((r) => BUILT_IN_ROLES[r].id).join(", ");
    return [
        "(",
        " (",
        "  !(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})",
        " )",
        " OR",
        " (",
        `  @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${guids}}`,
        " )",
        ")",
        "AND",
        "(",
        " (",
        "  !(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})",
        " )",
        " OR",
        " (",
        `  @Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${guids}}`,
        " )",
        ")",
    ].join("\n");
}
