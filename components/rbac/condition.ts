/**
 * The ABAC condition (version 2.0) on the pipeline's Role Based Access Control Administrator assignment, as data:
 * generated from rules by components/rbac (Azure's "constrain roles and principals" / "constrain roles and principal
 * types" templates, learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-examples), and read
 * back by the access model to decide which assignments the pipeline may write. One rule allows a set of roles to a set
 * of principals and/or principal types; the same rules bound writes (@Request) and deletes (@Resource).
 */

export interface AssignmentRule {
    /** Role definition GUIDs this rule allows. */
    roles: string[];
    /** Principal object ids allowed (omitted: any principal of `principalTypes`). */
    principalIds?: string[];
    /** Principal types allowed (`ServicePrincipal`, `Group`, `User`); omitted: any type. */
    principalTypes?: string[];
}

const ATTR = "Microsoft.Authorization/roleAssignments";

function clause(source: "Request" | "Resource", r: AssignmentRule): string {
    const parts = [`@${source}[${ATTR}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${r.roles.join(", ")}}`];
    if (r.principalIds?.length) parts.push(`@${source}[${ATTR}:PrincipalId] ForAnyOfAnyValues:GuidEquals {${r.principalIds.join(", ")}}`);
    if (r.principalTypes?.length) parts.push(`@${source}[${ATTR}:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {${r.principalTypes.map((t) => `'${t}'`).join(", ")}}`);
    return `  (${parts.join(" AND ")})`;
}

/** The condition text: a write or delete of a role assignment passes only if one rule allows its role and principal. */
export function assignmentCondition(rules: AssignmentRule[]): string {
    const block = (action: "write" | "delete", source: "Request" | "Resource") =>
        ["(", ` !(ActionMatches{'${ATTR}/${action}'})`, " OR", rules.map((r) => clause(source, r)).join("\n OR\n"), ")"].join("\n");
    return [block("write", "Request"), "AND", block("delete", "Resource")].join("\n");
}

/** The rules of a condition `assignmentCondition` wrote (write block); undefined if the text has another shape. */
export function parseAssignmentCondition(condition: string): AssignmentRule[] | undefined {
    const writeBlock = condition.split(/\nAND\n/)[0];
    if (!writeBlock.includes(`ActionMatches{'${ATTR}/write'}`)) return undefined;
    const list = (line: string, attr: string) => {
        const m = new RegExp(`\\[${ATTR}:${attr}\\] ForAnyOfAnyValues:\\w+ \\{([^}]*)\\}`).exec(line);
        return m ? m[1].split(",").map((s) => s.trim().replace(/^'|'$/g, "")).filter(Boolean) : undefined;
    };
    const rules = writeBlock
        .split("\n")
        .filter((l) => l.includes(`${ATTR}:RoleDefinitionId]`))
        .map((l) => ({ roles: list(l, "RoleDefinitionId")!, principalIds: list(l, "PrincipalId"), principalTypes: list(l, "PrincipalType") }));
    return rules.length ? rules : undefined;
}

/** Whether `rules` let the holder write an assignment of `roleGuid` to `principalId` of `principalType`. */
export function ruleAllows(rules: AssignmentRule[], a: { roleGuid: string; principalId: string; principalType: string }): boolean {
    const eq = (x: string, y: string) => x.toLowerCase() === y.toLowerCase();
    return rules.some(
        (r) =>
            r.roles.some((g) => eq(g, a.roleGuid)) &&
            (!r.principalIds || r.principalIds.some((p) => eq(p, a.principalId))) &&
            (!r.principalTypes || r.principalTypes.some((t) => eq(t, a.principalType))),
    );
}
