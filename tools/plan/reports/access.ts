/**
 * Plan report: the access model (issue 22). Who can do what in each environment — from the planned role assignments,
 * federated credentials and Key Vault/storage scopes (tools/access/model.ts), the state backend's identities
 * (state-backend/settings.yaml), the workflows' environments (.github/workflows) and prd's Flux source — and the
 * forbidden paths of README "Security: forbidden access paths" (tools/access/paths.ts), each a failure. `--verbose`
 * prints every principal of the environment and what it can do. Repository-wide paths (state, workflows, shared
 * identities) are checked once, with the hub.
 */
import { sharedGrants } from "../../access/hub-grants";
import { clusterPathFindings } from "../../access/cluster-paths";
import { buildAccessModel } from "../../access/model";
import { renderCluster } from "../../gitops/validate";
import { OPEN_FINDINGS } from "../../access/open-findings";
import { esoGrantGaps, fluxPathFindings, type PathFinding, repositoryPathFindings, stackPathFindings, whoCanWhat } from "../../access/paths";
import type { Reporter } from "../reports";
import { rbacOf } from "./permissions";

/** Splits findings into failures and already-filed ones; lists filed entries that no longer match anything. */
export function triage(findings: PathFinding[], open = OPEN_FINDINGS): { failures: PathFinding[]; filed: string[] } {
    const failures = findings.filter((f) => !open.some((o) => o.rule === f.rule && f.message.includes(o.contains)));
    const filed = findings.filter((f) => !failures.includes(f)).map((f) => `OPEN [${f.rule}] ${f.message} — ${open.find((o) => o.rule === f.rule && f.message.includes(o.contains))!.issue}`);
    return { failures, filed };
}

/** The cluster's rendered objects (the same cached render the GitOps report validates); none if it cannot render. */
async function renderedObjects(stack: string) {
    try {
        return (await renderCluster(stack)).flatMap((l) => l.objects);
    } catch {
        return [];
    }
}

const report: Reporter = async ({ planned, exported, verbose }) => {
    const environment = String(planned.config["aiplatform:environment"] ?? "");
    const isHub = planned.stack.kind === "hub";
    const shared = sharedGrants(planned, exported);
    const model = isHub ? undefined : buildAccessModel(planned.stack.stack, exported.deployment.resources, rbacOf(planned.config), shared);
    const objects = isHub ? [] : await renderedObjects(planned.stack.stack);
    const findings = isHub
        ? repositoryPathFindings()
        : [...stackPathFindings(model!, environment), ...fluxPathFindings(model!, environment), ...clusterPathFindings(objects, environment, rbacOf(planned.config).platform)];
    const { failures, filed } = triage(findings);
    // ESO reads secret by secret: a secret the rendered tree reads without its grant fails too (not a forbidden path, a broken sync).
    const gaps = isHub ? [] : esoGrantGaps(model!, objects);
    const lines = [
        isHub ? "repository: state-backend identities, workflow environments, pipeline principals per environment" : `${environment}: ${model!.principals.size} principal(s), ${model!.grants.length} role assignment(s)`,
        ...failures.map((f) => `FORBIDDEN [${f.rule}] ${f.message}`),
        ...gaps.map((g) => `FAIL [eso-secret-grant] ${g}`),
        ...filed,
    ];
    if (isHub) {
        // Repository-wide rules are all checked here; the per-cluster ones (P1, P2, P4, P6) in the spokes' reports.
        const stale = OPEN_FINDINGS.filter((o) => ["P3", "P5", "P7"].includes(o.rule) && !findings.some((f) => f.rule === o.rule && f.message.includes(o.contains)));
        lines.push(...stale.map((o) => `stale open-finding entry (${o.rule} "${o.contains}"): fixed — delete it from tools/access/open-findings.ts`));
    }
    if (verbose && model) lines.push(...whoCanWhat(model));
    return { title: "access: who can reach secrets, state, resources and rollouts of each environment (forbidden paths fail)", lines, failures: failures.length + gaps.length, data: { failures, esoGrantGaps: gaps, open: filed.length } };
};

export default report;
