/**
 * Forbidden access paths (issue 22; README "Security: forbidden access paths"). Built on the access model of each
 * planned spoke and on the repository's own access configuration (stack files, state-backend/settings.yaml, the
 * GitHub workflows), so a path a review would find fails the plan instead:
 *   P1 an environment's secrets are readable only by its own pipeline, its platform group(s) and the workload
 *      identities whose workload reads them — those secret by secret, never at the vault scope;
 *   P2 prd resources are writable (control or data plane) only by prd's pipeline, prd's platform group(s) and the
 *      identities prd itself creates (bounded by the permissions report);
 *   P3 prd state (write, or decrypt: state holds every secret) only by prd's own state identity;
 *   P4 a prd rollout (up/promote on prd-uaenorth) only from a job in the `prd` GitHub environment; prd's Flux follows
 *      an exact revision, not a branch or a semver range that any tag can move;
 *   P5 no identity (pipeline principal, state identity) serves more than one environment;
 *   P6 no tenant namespace can read a secret it does not own (cluster-paths.ts, from the rendered tree);
 *   P7 stg's and prd's state is decrypted (previews, drift) only from GitHub environments with required reviewers.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ConfigError } from "../../config/problems";
import { REVIEWED_READERS, unreviewedReaders } from "../../state-backend/bootstrap";
import { listStacks, readStackConfig, REPO_ROOT } from "../../config/stack-files";
import { type AccessModel, covers } from "./model";
import { grantsAction, writesOf } from "./roles";
import { workloadNeeds } from "./requirements";

export interface PathFinding {
    rule: "P1" | "P2" | "P3" | "P4" | "P5" | "P6" | "P7";
    message: string;
}

const lower = (s: string) => s.toLowerCase();
const SECRET_READ = "Microsoft.KeyVault/vaults/secrets/getSecret/action";

/** One line per principal and what it can do in this environment (the `--verbose` picture). */
export function whoCanWhat(model: AccessModel): string[] {
    const vault = model.resources.find((r) => r.type === "azure-native:keyvault:Vault")?.id;
    const group = model.resources.find((r) => r.type === "azure-native:resources:ResourceGroup")?.id;
    return [...model.principals.values()].flatMap((p) => {
        const held = model.grants.filter((g) => lower(g.principalId) === lower(p.id) && g.role);
        if (!held.length) return [];
        const reads = vault ? held.filter((g) => (covers(g.scope, vault) || covers(vault, g.scope)) && grantsAction(g.role!, SECRET_READ, true)) : [];
        const readsSecrets = reads.some((g) => covers(g.scope, vault!)) ? "reads every secret; " : reads.length ? `reads ${reads.length} secret(s); ` : "";
        const writes = held.filter((g) => group && (covers(group, g.scope) || covers(g.scope, group)) && writesOf(g.role!).length);
        return [`${p.label}: ${readsSecrets}${writes.length ? `writes via ${[...new Set(writes.map((g) => g.role!.roleName))].join(", ")}` : "read-only"}`];
    });
}

/** P1 and P2 on one planned spoke. */
export function stackPathFindings(model: AccessModel, environment: string): PathFinding[] {
    const out: PathFinding[] = [];
    const vault = model.resources.find((r) => r.type === "azure-native:keyvault:Vault")?.id;
    const group = model.resources.find((r) => r.type === "azure-native:resources:ResourceGroup")?.id;
    const needsSecrets = (subjects: string[] = []) => subjects.some((s) => workloadNeeds(s.replace("system:serviceaccount:", "").replace(":", "/")).some((n) => n.secrets));
    for (const g of model.grants) {
        const p = model.principals.get(lower(g.principalId));
        if (!p || !g.role) continue;
        if (vault && (covers(g.scope, vault) || covers(vault, g.scope)) && grantsAction(g.role, SECRET_READ, true)) {
            const whole = covers(g.scope, vault);
            const what = whole ? `every secret of ${vault.split("/").pop()}` : `secret ${g.scope.split("/").pop()}`;
            if (p.kind === "workload" && needsSecrets(p.subjects)) {
                // A workload reads the secrets its tree names, each by its own grant: a vault-wide read reaches every other one.
                if (whole) out.push({ rule: "P1", message: `${environment}: ${p.label} can read ${what} through ${g.role.roleName} at the vault scope (${g.name}); grant it per secret (scope <vault>/secrets/<name>)` });
            } else if (p.kind !== "pipeline" && p.kind !== "platform") {
                out.push({ rule: "P1", message: `${environment}: ${p.label} can read ${what} through ${g.role.roleName} (${g.name})` });
            }
        }
        if (environment === "prd" && group && (covers(group, g.scope) || covers(g.scope, group)) && writesOf(g.role).length) {
            const own = ["pipeline", "platform", "aks-control-plane", "kubelet", "workload", "scheduler", "identity"].includes(p.kind);
            if (!own) out.push({ rule: "P2", message: `prd: ${p.label} can write prd resources through ${g.role.roleName} on ${g.scope} (${g.name})` });
        }
    }
    return out;
}

/**
 * Secrets the cluster's rendered ExternalSecrets read (keys with the FluxConfiguration's cluster-vars substituted)
 * that the store's identity has no per-secret grant for: ESO would be refused at run time. This also holds the
 * program's list (esoSecretNames, a scan of the tree's files) to the real render of each cluster.
 */
export function esoGrantGaps(model: AccessModel, objects: { kind?: string; metadata?: { name?: string; namespace?: string }; spec?: any }[]): string[] {
    const vault = model.resources.find((r) => r.type === "azure-native:keyvault:Vault")?.id;
    const flux = model.resources.find((r) => r.type === "azure-native:kubernetesconfiguration:FluxConfiguration");
    const vars = (Object.values(((flux?.inputs as any)?.kustomizations ?? {}) as Record<string, any>).find((k) => k.postBuild?.substitute)?.postBuild.substitute ?? {}) as Record<string, string>;
    const readers = [...model.principals.values()].filter((p) => p.kind === "workload" && (p.subjects ?? []).some((s) => workloadNeeds(s.replace("system:serviceaccount:", "").replace(":", "/")).some((n) => n.secrets)));
    if (!vault || !readers.length) return [];
    const gaps = new Set<string>();
    for (const o of objects.filter((x) => x.kind === "ExternalSecret")) {
        for (const d of [...(o.spec?.data ?? []).map((x: any) => x?.remoteRef?.key), ...(o.spec?.dataFrom ?? []).map((x: any) => x?.extract?.key)]) {
            const key = String(d ?? "").replace(/\$\{(\w+)\}/g, (_, v) => vars[v] ?? "");
            if (!key) continue;
            const target = `${vault}/secrets/${key}`;
            if (!readers.some((p) => model.grants.some((g) => lower(g.principalId) === lower(p.id) && g.role && lower(g.scope) === lower(target) && grantsAction(g.role, SECRET_READ, true)))) {
                gaps.add(`ExternalSecret ${o.metadata?.namespace}/${o.metadata?.name} reads Key Vault secret '${key}', but ${readers[0].label} has no grant on ${target}`);
            }
        }
    }
    return [...gaps];
}

interface StateSettings {
    identities: Record<string, { environment?: string; branches?: string; reviewers?: boolean; read?: string[]; locks?: string[]; stacks?: string[]; decrypt?: string[] }>;
}

/**
 * P3: state identities that may write, read, lock or decrypt prd's state, other than prd's own (its `environment`
 * is prd — legacy files without it: the identity named `prd`), and prd's own identities usable from any branch
 * (a pull request would run with them).
 */
export function statePathFindings(settings: StateSettings, prdStack = "prd-uaenorth"): PathFinding[] {
    return Object.entries(settings.identities ?? {}).flatMap(([name, id]) => {
        const own = (id.environment ?? (name === "prd" ? "prd" : undefined)) === "prd";
        const what = [
            id.stacks?.includes(prdStack) ? "write" : "",
            id.read?.includes(prdStack) ? "read" : "",
            id.locks?.includes(prdStack) ? "lock" : "",
            id.decrypt?.includes(prdStack) ? "decrypt (every secret in it)" : "",
        ].filter(Boolean);
        if (!what.length) return [];
        if (!own) return [{ rule: "P3" as const, message: `state identity '${name}' may ${what.join(", ")} ${prdStack}'s state (state-backend/settings.yaml)` }];
        if (id.branches !== undefined && id.branches !== "main") {
            return [{ rule: "P3" as const, message: `prd's state identity '${name}' may ${what.join(", ")} ${prdStack}'s state from branches '${id.branches}' (state-backend/settings.yaml): prd's identities run on main only` }];
        }
        return [];
    });
}

/** One pipeline-CLI run a workflow job makes: its command, stack and GitHub environment (matrix entries expanded). */
interface JobRun {
    job: string;
    command: string;
    stack: string;
    environment?: string;
}

function jobRuns(doc: { jobs?: Record<string, any> }): JobRun[] {
    return Object.entries(doc?.jobs ?? {}).flatMap(([job, j]) => {
        const w = { ...(j?.with ?? {}), environment: j?.with?.environment ?? j?.environment };
        const m = j?.strategy?.matrix ?? {};
        const rows: Record<string, unknown>[] = Array.isArray(m.include) ? m.include : Array.isArray(m.stack) ? m.stack.map((stack: unknown) => ({ stack })) : [{}];
        const fill = (v: unknown, row: Record<string, unknown>) => String(v ?? "").replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_, k) => String(row[k] ?? ""));
        return rows.map((row) => ({ job, command: fill(w.command, row), stack: fill(w.stack, row), environment: w.environment === undefined ? undefined : fill(w.environment, row) }));
    });
}

/** P4: jobs that run `up`/`promote` on prd outside the `prd` environment; P4 also: prd Flux on a moving ref. */
export function workflowPathFindings(workflows: Record<string, string>, prdStack = "prd-uaenorth"): PathFinding[] {
    return Object.entries(workflows).flatMap(([file, text]) =>
        jobRuns(parse(text))
            .filter((r) => r.stack === prdStack && ["up", "promote"].includes(r.command) && r.environment !== "prd")
            .map((r) => ({ rule: "P4" as const, message: `${file}: job '${r.job}' runs ${r.command} on ${prdStack} in environment '${r.environment ?? "(none)"}', not 'prd'` })),
    );
}

/**
 * P7: stg's and prd's previews and drift decrypt their state (every secret in it); they run after merge on main, and
 * wait for the reviewers too: the settings' read-only identities that decrypt those stacks require reviewers, and
 * every workflow job previewing or drifting such a stack runs in an environment that does.
 */
export function reviewedReadFindings(settings: StateSettings, workflows: Record<string, string>): PathFinding[] {
    const out: PathFinding[] = unreviewedReaders(settings.identities ?? {}).map(([id, st]) => ({
        rule: "P7" as const,
        message: `state identity '${id}' decrypts ${st}'s state without required reviewers (state-backend/settings.yaml identities.${id}.reviewers)`,
    }));
    for (const [file, text] of Object.entries(workflows)) {
        for (const r of jobRuns(parse(text))) {
            if (!["preview", "drift"].includes(r.command) || !(REVIEWED_READERS as readonly string[]).includes(r.stack.split("-")[0])) continue;
            const env = r.environment ? settings.identities?.[r.environment] : undefined;
            if (!env?.reviewers) out.push({ rule: "P7", message: `${file}: job '${r.job}' runs ${r.command} on ${r.stack} in environment '${r.environment ?? "(none)"}', which ${env ? "has no required reviewers" : "state-backend/settings.yaml does not declare"}` });
        }
    }
    return out;
}

export function fluxPathFindings(model: AccessModel, environment: string): PathFinding[] {
    if (environment !== "prd") return [];
    return model.resources
        .filter((r) => r.type === "azure-native:kubernetesconfiguration:FluxConfiguration")
        .flatMap((f) => {
            const ref = ((f.inputs as any).gitRepository?.repositoryRef ?? {}) as Record<string, string>;
            return ref.commit ? [] : [{ rule: "P4" as const, message: `prd: Flux follows ${ref.semver ? `semver '${ref.semver}'` : ref.tag ? `tag '${ref.tag}'` : `branch '${ref.branch}'`}, which a push or tag moves without the prd approval; pin repositoryRef.commit` }];
        });
}

/** P5: a pipeline principal (rbac.automation) or state identity used by more than one environment. */
export function sharedIdentityFindings(root = REPO_ROOT): PathFinding[] {
    const byPrincipal = new Map<string, string[]>();
    for (const sf of listStacks(root)) {
        let a: unknown;
        try {
            a = (readStackConfig(sf.file, root) as any)["aiplatform:rbac"]?.automation;
        } catch (e) {
            // An unreadable stack file is its own stack's config error (exit 2), not a path of the others.
            if (e instanceof ConfigError) continue;
            throw e;
        }
        if (typeof a === "string") byPrincipal.set(lower(a), [...(byPrincipal.get(lower(a)) ?? []), sf.file]);
    }
    return [...byPrincipal.entries()]
        .filter(([, files]) => files.length > 1)
        .map(([id, files]) => ({ rule: "P5" as const, message: `pipeline principal ${id} is aiplatform:rbac.automation in ${files.join(", ")}: one environment's pipeline can act on the others` }));
}

/** The repository-level inputs of P3–P5, read once per plan. */
export function repositoryPathFindings(root = REPO_ROOT): PathFinding[] {
    const settings = parse(fs.readFileSync(path.join(root, "state-backend/settings.yaml"), "utf8")) as StateSettings;
    const dir = path.join(root, ".github/workflows");
    const workflows = Object.fromEntries(
        fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => [`.github/workflows/${f}`, fs.readFileSync(path.join(dir, f), "utf8")]),
    );
    return [...statePathFindings(settings), ...workflowPathFindings(workflows), ...reviewedReadFindings(settings, workflows), ...sharedIdentityFindings(root)];
}
