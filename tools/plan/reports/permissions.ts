/**
 * Plan report: the permissions model (issue 14). From the planned role assignments and the vendored built-in role
 * definitions (config/upstream/azure-role-definitions.json, with their source), what each principal can do, checked
 * against what it must do (tools/access/requirements.ts): the pipeline reads every resource its stack owns and writes
 * what it updates, including every role assignment it declares (under its ABAC condition); the AKS control plane
 * joins its subnets, writes its route tables, its private DNS zone records and VNet link, reads and joins the public
 * ingress IP at the IP's resource group; kubelet pulls from the registry; each workload identity holds the data
 * actions its workload needs and no other writes. A missing action, an assignment the pipeline cannot write or an
 * unneeded grant fails the plan; `--verbose` prints the whole matrix.
 */
import { sharedGrants } from "../../access/hub-grants";
import { buildAccessModel, type RbacPrincipals } from "../../access/model";
import { permissionFindings, requirementsOf } from "../../access/requirements";
import { rolesSnapshotAgeDays, vendoredSource } from "../../access/roles";
import type { Reporter } from "../reports";

/** An ARM id without the subscription prefix, for the matrix. */
export function shortScope(id: string): string {
    return id.replace(/^\/subscriptions\/[^/]+/i, "").replace(/^\/resourceGroups\//i, "rg/").replace(/\/providers\/Microsoft\./gi, "/") || "subscription";
}

export function rbacOf(config: Record<string, unknown>): RbacPrincipals {
    const r = (config["aiplatform:rbac"] ?? {}) as Partial<RbacPrincipals>;
    return { developers: r.developers ?? [], platform: r.platform ?? [], automation: r.automation };
}

const report: Reporter = ({ planned, exported, verbose }) => {
    const model = buildAccessModel(planned.stack.stack, exported.deployment.resources, rbacOf(planned.config), sharedGrants(planned, exported));
    const reqs = requirementsOf(model);
    if (!model.grants.length && !reqs.length) return undefined;
    const findings = permissionFindings(model, reqs);
    const src = vendoredSource();
    const lines = [
        `${model.grants.length} role assignment(s), ${reqs.length} required action(s) checked; built-in role definitions from ${src.command.split(" (")[0]} as of ${src.retrieved} (config/upstream/azure-role-definitions.source.json)`,
        ...findings.map((f) => `FAIL [${f.rule}] ${f.message}`),
    ];
    const age = rolesSnapshotAgeDays(planned.now, src);
    if (age > src.horizonDays || age < 0) lines.push(`STALE: the role definitions were retrieved ${age} days ago (horizon ${src.horizonDays}): npm run refresh:azure-roles -- --write`);
    if (verbose) {
        for (const p of model.principals.values()) {
            const held = model.grants.filter((g) => g.principalId.toLowerCase() === p.id.toLowerCase());
            if (!held.length) continue;
            lines.push(`${p.label}:`);
            for (const g of held) lines.push(`  ${g.role?.roleName ?? `unknown role ${g.roleGuid}`} @ ${shortScope(g.scope)}${g.condition ? " (ABAC condition)" : ""}`);
            for (const r of reqs.filter((x) => x.principal === p)) lines.push(`  needs ${r.action}${r.data ? " (data)" : ""} on ${shortScope(r.target)} [${r.rule}]`);
        }
    }
    return { title: "permissions: each principal can do what it must, and no identity holds a write it does not need", lines, failures: findings.length, data: { assignments: model.grants.length, required: reqs.length, findings } };
};

export default report;
