/**
 * The access model of one planned stack: who the principals are (config personas, the identities the stack
 * creates, the AKS kubelet), which role assignments they hold (planned RoleAssignments, resolved against the vendored
 * built-in definitions and the plan's custom RoleDefinitions), and what that lets each do at a given ARM scope.
 * Read from the plan's export JSON, so the plan reporters and the tests share it. One engine for both the
 * permissions report (issue 14: can each principal do what it must?) and the access report (issue 22: can anyone
 * reach what they must not?).
 */
import type { ExportResource } from "../plan/export";
import { type AssignmentRule, parseAssignmentCondition, ruleAllows } from "../../components/rbac/condition";
import { builtInRoles, grantsAction, type RoleDef } from "./roles";

/** `identity`: another managed identity this stack creates (e.g. customer-managed-key access); `other`: unknown to the plan. */
export type PrincipalKind = "pipeline" | "platform" | "developers" | "aks-control-plane" | "kubelet" | "workload" | "scheduler" | "identity" | "other";

export interface Principal {
    id: string;
    type: "ServicePrincipal" | "Group" | "User";
    kind: PrincipalKind;
    /** Human label for the matrix, e.g. `workload mlflow/mlflow (id-aip-dev-uaen-mlflow)`. */
    label: string;
    /** Workload identities: the `system:serviceaccount:<ns>:<sa>` subjects their federated credentials trust. */
    subjects?: string[];
}

export interface Grant {
    /** Pulumi resource name of the RoleAssignment (what a message names). */
    name: string;
    principalId: string;
    principalType: string;
    roleGuid: string;
    role?: RoleDef;
    scope: string;
    condition?: string;
    /** Declared by another stack (the hub's grants to this stack's pipeline), not by this one. */
    shared: boolean;
}

export interface RbacPrincipals {
    developers: string[];
    platform: string[];
    automation?: string;
}

export interface AccessModel {
    stack: string;
    resources: ExportResource[];
    principals: Map<string, Principal>;
    grants: Grant[];
    roles: Map<string, RoleDef>;
}

const lower = (s: string) => s.toLowerCase();
export const resourceName = (urn: string) => urn.split("::").pop()!;

/** True if an assignment at `scope` applies at `target` (same id, or an ancestor of it). */
export function covers(scope: string, target: string): boolean {
    const s = lower(scope).replace(/\/$/, "");
    const t = lower(target);
    return t === s || t.startsWith(s + "/");
}

function str(v: unknown): string | undefined {
    return typeof v === "string" ? v : undefined;
}

/**
 * The model of `stack`. `shared`: role assignments and definitions other stacks declare for this stack's principals
 * (the hub's grants to each spoke pipeline): they count as grants, not as resources this stack owns.
 */
export function buildAccessModel(stack: string, resources: ExportResource[], rbac: RbacPrincipals, shared: ExportResource[] = []): AccessModel {
    const byType = (t: string) => resources.filter((r) => r.type === t && !r.external);
    const withShared = (t: string) => [...byType(t), ...shared.filter((r) => r.type === t && !r.external)];
    const roles = new Map(builtInRoles());
    for (const d of withShared("azure-native:authorization:RoleDefinition")) {
        const i = d.inputs as any;
        const guid = lower(String(i.roleDefinitionId));
        roles.set(guid, {
            guid,
            roleName: String(i.roleName),
            permissions: (i.permissions ?? []).map((p: any) => ({ actions: p.actions ?? [], notActions: p.notActions ?? [], dataActions: p.dataActions ?? [], notDataActions: p.notDataActions ?? [] })),
            source: `custom role ${resourceName(d.urn)} (this plan)`,
        });
    }

    const principals = new Map<string, Principal>();
    const add = (p: Principal) => principals.set(lower(p.id), p);
    if (rbac.automation) add({ id: rbac.automation, type: "ServicePrincipal", kind: "pipeline", label: `pipeline (${rbac.automation.slice(0, 8)})` });
    rbac.platform.forEach((g) => add({ id: g, type: "Group", kind: "platform", label: `platform group (${g.slice(0, 8)})` }));
    rbac.developers.forEach((g) => add({ id: g, type: "Group", kind: "developers", label: `developers group (${g.slice(0, 8)})` }));

    const clusters = byType("azure-native:containerservice:ManagedCluster");
    const controlPlaneIds = new Set(clusters.flatMap((c) => ((c.inputs as any).identity?.userAssignedIdentities ?? []) as string[]).map(lower));
    const workflows = byType("azure-native:logic:Workflow");
    const schedulerIds = new Set(workflows.flatMap((w) => ((w.inputs as any).identity?.userAssignedIdentities ?? []) as string[]).map(lower));
    const credentials = byType("azure-native:managedidentity:FederatedIdentityCredential");
    for (const id of byType("azure-native:managedidentity:UserAssignedIdentity")) {
        const principalId = str((id.outputs as any).principalId);
        const armId = lower(str((id.outputs as any).id) ?? id.id ?? "");
        const name = String((id.inputs as any).resourceName);
        if (!principalId) continue;
        const subjects = credentials.filter((c) => (c.inputs as any).resourceName === name).map((c) => String((c.inputs as any).subject));
        const kind: PrincipalKind = controlPlaneIds.has(armId) ? "aks-control-plane" : schedulerIds.has(armId) ? "scheduler" : subjects.length ? "workload" : "identity";
        const who = subjects.length ? `${subjects.map((s) => s.replace("system:serviceaccount:", "").replace(":", "/")).join(", ")} ` : "";
        add({ id: principalId, type: "ServicePrincipal", kind, label: `${kind === "workload" ? "workload " : `${kind} `}${who}(${name})`, ...(subjects.length ? { subjects } : {}) });
    }
    for (const c of clusters) {
        const kubelet = str((c.outputs as any).identityProfile?.kubeletidentity?.objectId);
        if (kubelet) add({ id: kubelet, type: "ServicePrincipal", kind: "kubelet", label: `kubelet (${(c.inputs as any).resourceName})` });
    }

    const grants: Grant[] = withShared("azure-native:authorization:RoleAssignment").map((a) => {
        const i = a.inputs as any;
        const roleGuid = lower(String(i.roleDefinitionId).split("/").pop()!);
        const name = resourceName(a.urn);
        return { name, principalId: String(i.principalId), principalType: String(i.principalType ?? ""), roleGuid, role: roles.get(roleGuid), scope: String(i.scope), condition: str(i.condition), shared: !byType("azure-native:authorization:RoleAssignment").includes(a) };
    });
    for (const g of grants) {
        if (g.shared) continue;
        if (!principals.has(lower(g.principalId))) add({ id: g.principalId, type: (g.principalType || "ServicePrincipal") as Principal["type"], kind: "other", label: `principal ${g.principalId.slice(0, 8)}` });
    }
    return { stack, resources, principals, grants, roles };
}

/** The grants that let `principalId` perform `action` at `target` (empty: it cannot). */
export function grantsFor(model: AccessModel, principalId: string, action: string, target: string, data = false): Grant[] {
    return model.grants.filter((g) => lower(g.principalId) === lower(principalId) && g.role && covers(g.scope, target) && grantsAction(g.role, action, data));
}

/**
 * Whether `principalId` may write `assignment` (a planned role assignment): it needs roleAssignments/write at the
 * assignment's scope from a grant whose ABAC condition (if any) allows that role and principal.
 */
export function canWriteAssignment(model: AccessModel, principalId: string, assignment: Grant): boolean {
    return grantsFor(model, principalId, "Microsoft.Authorization/roleAssignments/write", assignment.scope).some((g) => {
        if (!g.condition) return true;
        const rules: AssignmentRule[] | undefined = parseAssignmentCondition(g.condition);
        return rules !== undefined && ruleAllows(rules, assignment);
    });
}

/** Principals of `kind` in the model. */
export function principalsOf(model: AccessModel, kind: PrincipalKind): Principal[] {
    return [...model.principals.values()].filter((p) => p.kind === kind);
}
