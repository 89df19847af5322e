/**
 * The audit's judgement: findings from the declared inventory alone (offline) and from the live state compared
 * with it. A finding is something a person must act on; info lines only describe what was checked.
 */
import { TOKEN_EXCHANGE_AUDIENCE } from "../../components/identity";
import { FORBIDDEN_ROLES } from "../../components/rbac/roles";
import { type Inventory, normalizeScope, roleGuidOf } from "./inventory";
import type { LiveAssignment, LiveState } from "./live";

export type FindingKind =
    | "expired"
    | "expiring"
    | "no-expiry"
    | "no-content-type"
    | "undeclared-secret"
    | "missing-secret"
    | "undeclared-identity"
    | "missing-identity"
    | "undeclared-federation"
    | "missing-federation"
    | "stale-issuer"
    | "bad-audience"
    | "undeclared-assignment"
    | "missing-assignment"
    | "forbidden-role"
    | "client-secret"
    | "credential-expiring";

export interface Finding {
    kind: FindingKind;
    /** What it is about, e.g. `secret kv-aip-prd-uaen/grafana-admin-password`. */
    subject: string;
    message: string;
}

const DAY = 86_400_000;

export function daysUntil(expires: Date, now: Date): number {
    return Math.floor((expires.getTime() - now.getTime()) / DAY);
}

function expiryFinding(subject: string, expires: Date | undefined, now: Date, days: number, what: string): Finding | undefined {
    if (!expires) return { kind: "no-expiry", subject, message: `${what} has no expiry: set one (the platform's rotation relies on it)` };
    const left = daysUntil(expires, now);
    if (left < 0) return { kind: "expired", subject, message: `${what} expired ${-left} day(s) ago (${expires.toISOString().slice(0, 10)}): rotate it now` };
    if (left <= days) return { kind: "expiring", subject, message: `${what} expires in ${left} day(s) (${expires.toISOString().slice(0, 10)}), inside the ${days}-day window: rotate it` };
    return undefined;
}

const forbidden = new Set<string>(Object.values(FORBIDDEN_ROLES));

/** Findings the declared inventory shows by itself (offline mode, and the first half of a live run). */
export function declaredFindings(inv: Inventory, now: Date, days: number): Finding[] {
    const out: Finding[] = [];
    for (const s of inv.secrets) {
        const subject = `secret ${s.vaultName}/${s.name}`;
        const f = expiryFinding(subject, s.expires === undefined ? undefined : new Date(s.expires * 1000), now, days, "declared secret");
        if (f) out.push(f);
        if (!s.contentType) out.push({ kind: "no-content-type", subject, message: "declared secret has no contentType: set properties.contentType" });
    }
    for (const f of inv.federations) {
        if (f.audiences.length !== 1 || f.audiences[0] !== TOKEN_EXCHANGE_AUDIENCE) {
            out.push({ kind: "bad-audience", subject: `federation ${f.identity}/${f.name}`, message: `audiences must be exactly [${TOKEN_EXCHANGE_AUDIENCE}], not [${f.audiences.join(", ")}]` });
        }
    }
    for (const a of inv.assignments) {
        if (forbidden.has(a.roleGuid)) out.push({ kind: "forbidden-role", subject: `assignment ${a.principal} @ ${a.scope}`, message: "Owner / User Access Administrator is never declared by this platform" });
    }
    return out;
}

/** Lowercased principal key of a live principal: the declared identity/kubelet name when it is one, else its object id. */
function principalKey(id: string, live: LiveState, inv: Inventory): string {
    const lower = id.toLowerCase();
    const identity = live.identities.find((i) => i.principalId.toLowerCase() === lower);
    if (identity) return `identity:${identity.name}`;
    if (live.cluster?.kubelet?.toLowerCase() === lower && inv.cluster) return `kubelet:${inv.cluster.name}`;
    return lower;
}

function assignmentKey(principal: string, roleGuid: string, scope: string): string {
    return `${principal}|${roleGuid}|${scope}`;
}

export function liveFindings(inv: Inventory, live: LiveState, now: Date, days: number): Finding[] {
    const out: Finding[] = [];
    const vault = inv.vault?.name ?? "?";

    // Secrets: every live secret declared, declared ones present, all with an expiry outside the window.
    const declaredSecrets = new Set(inv.secrets.filter((s) => s.vaultName === vault).map((s) => s.name));
    const external = new Set(inv.externalSecrets);
    const liveSecrets = new Set(live.secrets.map((s) => s.name));
    for (const s of live.secrets) {
        const subject = `secret ${vault}/${s.name}`;
        if (!declaredSecrets.has(s.name) && !external.has(s.name)) {
            out.push({ kind: "undeclared-secret", subject, message: "in the vault but not declared by the program: delete it, or declare it (vaultSecret; values people set: an ExternalSecret of the GitOps tree reads it, so the program creates its placeholder)" });
        }
        if (s.attributes?.enabled === false) continue;
        const f = expiryFinding(subject, s.attributes?.expires ? new Date(s.attributes.expires) : undefined, now, days, "secret");
        if (f) out.push(f);
        if (external.has(s.name) && !s.contentType) out.push({ kind: "no-content-type", subject, message: "set a content type: az keyvault secret set-attributes --content-type text/plain" });
    }
    for (const name of declaredSecrets) {
        if (!liveSecrets.has(name)) out.push({ kind: "missing-secret", subject: `secret ${vault}/${name}`, message: "declared but not in the vault: run the pipeline (pulumi up) for this stack" });
    }
    for (const name of external) {
        if (!liveSecrets.has(name)) {
            out.push({ kind: "missing-secret", subject: `secret ${vault}/${name}`, message: `expected from a person but not in the vault: az keyvault secret set --vault-name ${vault} --name ${name} --content-type text/plain --expires <date> --file <value file>` });
        }
    }

    // Identities and their federated credentials.
    const declaredIds = new Set(inv.identities.map((i) => i.name));
    for (const i of live.identities) {
        if (!declaredIds.has(i.name)) out.push({ kind: "undeclared-identity", subject: `identity ${i.name}`, message: "in the resource group but not declared: delete it or add it to the identity table" });
    }
    for (const name of declaredIds) {
        if (!live.identities.some((i) => i.name === name)) out.push({ kind: "missing-identity", subject: `identity ${name}`, message: "declared but absent: run the pipeline for this stack" });
    }
    for (const [identity, feds] of Object.entries(live.federations)) {
        const declared = inv.federations.filter((f) => f.identity === identity);
        for (const f of feds) {
            const subject = `federation ${identity}/${f.name}`;
            if (!declared.some((d) => d.subject === f.subject)) out.push({ kind: "undeclared-federation", subject, message: `trusts ${f.subject}, which the program does not declare: remove it` });
            if (live.cluster?.issuer && f.issuer !== live.cluster.issuer) out.push({ kind: "stale-issuer", subject, message: `issuer ${f.issuer} is not the cluster's current OIDC issuer ${live.cluster.issuer}` });
            if (f.audiences.length !== 1 || f.audiences[0] !== TOKEN_EXCHANGE_AUDIENCE) out.push({ kind: "bad-audience", subject, message: `audiences must be exactly [${TOKEN_EXCHANGE_AUDIENCE}]` });
        }
        for (const d of declared) {
            if (!feds.some((f) => f.subject === d.subject)) out.push({ kind: "missing-federation", subject: `federation ${identity}/${d.name}`, message: `declared trust for ${d.subject} is absent: run the pipeline` });
        }
    }

    // Role assignments: per identity (anywhere) and on the vault, registry and storage account.
    const declared = new Set(inv.assignments.map((a) => assignmentKey(a.principal, a.roleGuid, a.scope)));
    const computed = new Set(inv.assignments.filter((a) => a.principal.startsWith("computed:")).map((a) => `${a.roleGuid}|${a.scope}`));
    const seen = new Set<string>();
    const judge = (a: LiveAssignment) => {
        const principal = principalKey(a.principalId, live, inv);
        const roleGuid = roleGuidOf(a.roleDefinitionId);
        const scope = normalizeScope(a.scope);
        const key = assignmentKey(principal, roleGuid, scope);
        if (seen.has(key)) return;
        seen.add(key);
        if (declared.has(key) || computed.has(`${roleGuid}|${scope}`)) return;
        out.push({
            kind: "undeclared-assignment",
            subject: `assignment ${principal} ${a.roleDefinitionName ?? roleGuid} @ ${a.scope}`,
            message: forbidden.has(roleGuid) ? "Owner / User Access Administrator outside the program: remove it now" : "not declared by the program: remove it or declare it",
        });
    };
    Object.values(live.assignmentsByIdentity).flat().forEach(judge);
    live.assignmentsAtScope.forEach(judge);
    for (const a of inv.assignments.filter((x) => x.principal.startsWith("identity:"))) {
        const name = a.principal.slice("identity:".length);
        if (!(name in live.assignmentsByIdentity)) continue;
        if (!seen.has(assignmentKey(a.principal, a.roleGuid, a.scope))) {
            out.push({ kind: "missing-assignment", subject: `assignment ${a.principal} ${a.roleGuid} @ ${a.scope}`, message: "declared but absent: run the pipeline" });
        }
    }

    // The pipeline's app registration: OIDC only, so any client secret is a finding; certificates must not lapse.
    for (const c of live.pipeline?.credentials ?? []) {
        const subject = `pipeline app ${live.pipeline?.displayName ?? live.pipeline?.appId} ${c.type ?? "credential"} ${c.displayName ?? c.keyId ?? ""}`.trim();
        if (c.type === "password") out.push({ kind: "client-secret", subject, message: "the pipeline authenticates with OIDC federation: delete this client secret" });
        const f = c.endDateTime ? expiryFinding(subject, new Date(c.endDateTime), now, days, "credential") : undefined;
        if (f && f.kind !== "no-expiry") out.push({ ...f, kind: "credential-expiring" });
    }
    return out;
}
