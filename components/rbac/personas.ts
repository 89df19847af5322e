/**
 * RBAC persona templates: which built-in roles each persona holds at which scope, per environment. Pure data, so
 * the component, the tests, the README and the audit script read the same table. prd is narrower than dev:
 * developers lose write access and AcrPull, the platform team loses Monitoring Contributor, and only prd gives the
 * pipeline its lock-writer role (prd is the only environment with locks).
 */
import type { Environment } from "../../config/schema";
import { type AssignmentRule } from "./condition";
import { BUILT_IN_ROLES, type BuiltInRole } from "./roles";

export const PERSONAS = ["developers", "platform", "automation"] as const;
export type Persona = (typeof PERSONAS)[number];

/** Scopes a persona grant can name; `namespaces` means each of rbac.developerNamespaces inside the cluster. */
export type PersonaScope = "subscription" | "resourceGroup" | "cluster" | "namespaces" | "registry" | "vault" | "workspace";

/** Custom roles of the persona table: each is defined per stack at `scope`, assignable there only. */
export const CUSTOM_ROLES = {
    /** Create/update (never delete) management locks. */
    lockWriter: {
        name: "lock writer",
        description: "Create and update management locks; deleting a lock stays with Owner (break-glass).",
        actions: ["Microsoft.Authorization/locks/read", "Microsoft.Authorization/locks/write"],
        scope: "resourceGroup",
    },
    /** Read role assignments and definitions at the subscription: every refresh reads the pipeline's own subscription-scoped Cost Management grant (and this role), and Cost Management Contributor carries no Microsoft.Authorization read. */
    assignmentReader: {
        name: "role assignment reader",
        description: "Read role assignments and definitions (the pipeline refreshes its own subscription-scoped grant).",
        actions: ["Microsoft.Authorization/roleAssignments/read", "Microsoft.Authorization/roleDefinitions/read"],
        scope: "subscription",
    },
} as const;
export type CustomRole = keyof typeof CUSTOM_ROLES;
/** The custom role that lets the pipeline create/update (never delete) management locks. */
export const LOCK_WRITER = "lockWriter" as const;
export type PersonaRole = BuiltInRole | CustomRole;

export interface PersonaGrant {
    role: PersonaRole;
    scope: PersonaScope;
    /** Why the persona needs it (role assignment description, README). */
    why: string;
    /** The pipeline's Role Based Access Control Administrator is constrained by pipelineAssignmentRules (roles and principals). */
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
        { role: "assignmentReader", scope: "subscription", why: "refresh its own subscription-scoped role assignment (issue 14 §3)" },
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

/** Roles the pipeline assigns to the managed identities its stack creates (workloads, AKS control plane, kubelet). */
export const SERVICE_ROLES: BuiltInRole[] = [
    "keyVaultSecretsUser",
    "storageBlobDataReader",
    "storageBlobDataContributor",
    "acrPull",
    "networkContributor",
    "privateDnsZoneContributor",
    "monitoringMetricsPublisher",
    "keyVaultCryptoServiceEncryptionUser",
    "reader",
];

/**
 * What the pipeline's constrained Role Based Access Control Administrator may assign, role AND principal (issue 22
 * §4: a role allow-list alone let it make anyone prd cluster-admin or Secrets Officer):
 * - each persona's roles (this environment's table) only to that persona's groups, as groups;
 * - Key Vault Secrets Officer to the pipeline itself (components/secrets);
 * - SERVICE_ROLES and the stack's own custom roles only to service principals (managed identities: their object ids
 *   exist only after creation, and a condition naming them would need an Owner on every new identity).
 * Nothing that grants access management, Contributor, AcrPush or cost rights: those are the pipeline's own, granted
 * once by the break-glass Owner.
 */
export function pipelineAssignmentRules(
    environment: Environment,
    principals: { developers: string[]; platform: string[]; automation?: string },
    customServiceRoles: string[] = [],
): AssignmentRule[] {
    const guid = (r: PersonaRole) => BUILT_IN_ROLES[r as BuiltInRole].id;
    const personaRule = (persona: "developers" | "platform"): AssignmentRule[] =>
        principals[persona].length
            ? [{ roles: [...new Set(PERSONA_GRANTS[environment][persona].map((g) => guid(g.role)))], principalIds: principals[persona], principalTypes: ["Group"] }]
            : [];
    return [
        ...personaRule("platform"),
        ...personaRule("developers"),
        ...(principals.automation ? [{ roles: [BUILT_IN_ROLES.keyVaultSecretsOfficer.id], principalIds: [principals.automation], principalTypes: ["ServicePrincipal"] }] : []),
        { roles: [...SERVICE_ROLES.map((r) => BUILT_IN_ROLES[r].id), ...customServiceRoles], principalTypes: ["ServicePrincipal"] },
    ];
}
