/**
 * RBAC personas on the planned spokes: each persona's assignments are exactly the table's for its environment,
 * prd is narrower than dev, nothing is Owner / User Access Administrator, and the pipeline's access-management right
 * is constrained to the platform's roles.
 */
import { parseAssignmentCondition, ruleAllows } from "../../components/rbac/condition";
import { CUSTOM_ROLES, PERSONA_GRANTS, type Persona } from "../../components/rbac/personas";
import { BUILT_IN_ROLES, FORBIDDEN_ROLES } from "../../components/rbac/roles";
import { cfgOf, clusterOf, nameOf, ofType, one, parentType, roleGuid, roleKeyOf, SPOKES, T } from "./support";

/** Custom role definitions declared by the persona templates (other components may declare their own). */
function lockWriterOf(stack: string) {
    return ofType(stack, T.roleDefinition).filter((d) => parentType(d) === "aiplatform:rbac:RbacTemplates" && String(d.inputs.roleName).includes("lock writer"));
}

/** "<roleKey> @ <scope kind>" for one persona's planned assignments (one principal). */
function plannedGrants(stack: string, principal: string): string[] {
    const cluster = String(clusterOf(stack).id);
    const acr = String(one(stack, T.registry).id);
    const vault = String(one(stack, T.vault).id);
    const rg = String(one(stack, T.group, "spoke-rg").id);
    const ws = String(one(stack, "azure-native:operationalinsights:Workspace").id);
    const customs = ofType(stack, T.roleDefinition).filter((d) => parentType(d) === "aiplatform:rbac:RbacTemplates");
    const customKey = (guid: string) => {
        const d = customs.find((x) => x.inputs.roleDefinitionId === guid);
        return d && (Object.keys(CUSTOM_ROLES) as (keyof typeof CUSTOM_ROLES)[]).find((k) => String(d.inputs.roleName).startsWith(`aiplatform ${CUSTOM_ROLES[k].name} (`));
    };
    const kind = (scope: string) =>
        scope === cluster ? "cluster"
        : scope.startsWith(`${cluster}/namespaces/`) ? `namespace:${scope.split("/").pop()}`
        : scope === acr ? "registry"
        : scope === vault ? "vault"
        : scope === rg ? "resourceGroup"
        : scope === ws ? "workspace"
        : /^\/subscriptions\/[^/]+$/.test(scope) ? "subscription"
        : `other:${scope}`;
    return ofType(stack, T.assignment)
        .filter((a) => a.inputs.principalId === principal && parentType(a) === "aiplatform:rbac:RbacTemplates")
        .map((a) => {
            const guid = roleGuid(a);
            const role = customKey(guid) ?? roleKeyOf(guid);
            return `${role} @ ${kind(String(a.inputs.scope))}`;
        })
        .sort();
}

function expectedGrants(stack: string, persona: Persona): string[] {
    const cfg = cfgOf(stack);
    return PERSONA_GRANTS[cfg.environment][persona]
        .flatMap((g) => (g.scope === "namespaces" ? cfg.rbac.developerNamespaces.map((ns) => `${g.role} @ namespace:${ns}`) : [`${g.role} @ ${g.scope}`]))
        .sort();
}

describe.each(SPOKES)("personas in %s", (stack) => {
    const cfg = cfgOf(stack);

    it.each(["developers", "platform"] as const)("%s groups hold exactly the table's grants, as groups", (persona) => {
        for (const group of cfg.rbac[persona]) {
            expect(plannedGrants(stack, group)).toEqual(expectedGrants(stack, persona));
            for (const a of ofType(stack, T.assignment).filter((x) => x.inputs.principalId === group)) expect(a.inputs.principalType).toBe("Group");
        }
    });

    it("the pipeline holds exactly the automation grants, plus Secrets Officer on the vault", () => {
        expect(plannedGrants(stack, cfg.rbac.automation!)).toEqual(expectedGrants(stack, "automation"));
        const vaultOfficer = ofType(stack, T.assignment).filter((a) => a.inputs.principalId === cfg.rbac.automation && parentType(a) === "aiplatform:secrets:Secrets");
        expect(vaultOfficer.map(roleGuid)).toEqual([BUILT_IN_ROLES.keyVaultSecretsOfficer.id]);
    });

    it("assigns no Owner or User Access Administrator anywhere", () => {
        const forbidden = new Set<string>(Object.values(FORBIDDEN_ROLES));
        expect(ofType(stack, T.assignment).filter((a) => forbidden.has(roleGuid(a))).map(nameOf)).toEqual([]);
    });

    it("constrains the pipeline's RBAC Administrator by role AND principal (issue 22 §4)", () => {
        const admin = ofType(stack, T.assignment).filter((a) => roleGuid(a) === BUILT_IN_ROLES.rbacAdministrator.id);
        expect(admin).toHaveLength(1);
        expect(admin[0].inputs).toMatchObject({ principalId: cfg.rbac.automation, conditionVersion: "2.0" });
        const condition = String(admin[0].inputs.condition);
        expect(condition).toContain("@Request[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAnyValues:GuidEquals");
        expect(condition).toContain("@Resource[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAnyValues:GuidEquals");
        const rules = parseAssignmentCondition(condition)!;
        const may = (role: string, principalId: string, principalType: string) => ruleAllows(rules, { roleGuid: role, principalId, principalType });
        const stranger = "11111111-2222-4333-8444-555555555555";
        const platform = cfg.rbac.platform[0];
        // Cluster-admin and Secrets Officer: the platform group only — never a stranger, a developer group or a service principal.
        for (const role of [BUILT_IN_ROLES.aksRbacClusterAdmin.id, BUILT_IN_ROLES.keyVaultSecretsOfficer.id]) {
            expect(may(role, platform, "Group")).toBe(true);
            expect(may(role, stranger, "Group")).toBe(false);
            expect(may(role, stranger, "User")).toBe(false);
            expect(may(role, cfg.rbac.developers[0], "Group")).toBe(false);
        }
        expect(may(BUILT_IN_ROLES.aksRbacClusterAdmin.id, stranger, "ServicePrincipal")).toBe(false);
        // Workload data roles go to managed identities (service principals), never to users or groups.
        expect(may(BUILT_IN_ROLES.keyVaultSecretsUser.id, stranger, "ServicePrincipal")).toBe(true);
        expect(may(BUILT_IN_ROLES.keyVaultSecretsUser.id, stranger, "User")).toBe(false);
        expect(may(BUILT_IN_ROLES.keyVaultSecretsUser.id, cfg.rbac.developers[0], "Group")).toBe(false);
        // prd developers cannot be made writers; access management, Contributor and Owner are never assignable.
        expect(may(BUILT_IN_ROLES.aksRbacWriter.id, cfg.rbac.developers[0], "Group")).toBe(cfg.environment === "dev");
        for (const role of [...Object.values(FORBIDDEN_ROLES), BUILT_IN_ROLES.rbacAdministrator.id, BUILT_IN_ROLES.contributor.id, BUILT_IN_ROLES.acrPush.id]) {
            for (const type of ["ServicePrincipal", "Group", "User"]) expect(may(role, cfg.rbac.automation!, type)).toBe(false);
        }
    });

    it("only prd defines the lock-writer role, with locks read/write and no delete", () => {
        const defs = lockWriterOf(stack);
        if (cfg.environment !== "prd") {
            expect(defs).toHaveLength(0);
            return;
        }
        expect(defs).toHaveLength(1);
        expect(defs[0].inputs).toMatchObject({
            roleName: `aiplatform lock writer (${stack})`,
            permissions: [{ actions: ["Microsoft.Authorization/locks/read", "Microsoft.Authorization/locks/write"], notActions: [] }],
            assignableScopes: [one(stack, T.group, "spoke-rg").id],
        });
    });
});

describe("prd is narrower than dev", () => {
    const roles = (env: "dev" | "prd", persona: Persona) => new Set(PERSONA_GRANTS[env][persona].map((g) => `${g.role}@${g.scope}`));

    it("developers: read-only in prd, no AcrPull, and nothing prd has that dev lacks", () => {
        const prd = roles("prd", "developers");
        const dev = roles("dev", "developers");
        expect([...prd].filter((r) => !dev.has(r) && !r.startsWith("aksRbacReader"))).toEqual([]);
        expect([...prd].some((r) => r.startsWith("aksRbacWriter") || r.startsWith("acrPull"))).toBe(false);
        expect(dev.has("aksRbacWriter@namespaces")).toBe(true);
        expect(prd.size).toBeLessThan(dev.size);
    });

    it("platform: Monitoring Contributor only outside prd", () => {
        expect(roles("dev", "platform").has("monitoringContributor@resourceGroup")).toBe(true);
        expect([...roles("prd", "platform")].some((r) => r.startsWith("monitoringContributor"))).toBe(false);
    });

    it("planned: dev developers write to their namespaces, prd developers only read", () => {
        const writer = (stack: string) => ofType(stack, T.assignment).filter((a) => roleGuid(a) === BUILT_IN_ROLES.aksRbacWriter.id).length;
        expect(writer("dev-uaenorth")).toBe(cfgOf("dev-uaenorth").rbac.developerNamespaces.length * cfgOf("dev-uaenorth").rbac.developers.length);
        expect(writer("prd-uaenorth")).toBe(0);
    });
});
