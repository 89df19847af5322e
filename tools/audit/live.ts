/**
 * The live side of the audit: everything read through `az` (the Azure SDK is not a dependency), behind an
 * injected runner so tests hand in canned answers. Each call is listed as a Check so offline mode can print
 * exactly what a live run would execute.
 */
import { spawn } from "child_process";
import type { Inventory } from "./inventory";

export interface AzResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs `az <args>`; rejects with AzMissingError when az cannot be started. */
export type AzRunner = (args: string[]) => Promise<AzResult>;

export class AzMissingError extends Error {
    constructor() {
        super("Azure CLI (az) is not installed or not on PATH: install it (https://aka.ms/install-azure-cli) and `az login`, or run the audit offline with --offline");
    }
}

/** A failed az call the audit cannot continue without (not logged in, no access, vault unreachable). */
export class AzCallError extends Error {
    constructor(readonly args: string[], readonly stderr: string) {
        super(`az ${args.join(" ")} failed: ${stderr.trim().split("\n").slice(-2).join(" ") || "no output"}${hint(stderr)}`);
    }
}

function hint(stderr: string): string {
    if (/az login|Please run 'az login'|AADSTS/i.test(stderr)) return " — run `az login` (and `az account set -s <subscription>`)";
    if (/ForbiddenByConnection|public network access|Public network access is disabled|ForbiddenByFirewall/i.test(stderr)) {
        return " — the vault is private: run from the hub/spoke network (jump host, self-hosted runner)";
    }
    if (/AuthorizationFailed|Forbidden|does not have secrets list permission/i.test(stderr)) return " — your identity lacks read access (Key Vault Secrets Officer/Reader on the vault, Reader on the group)";
    return "";
}

export const spawnAz: AzRunner = (args) =>
    new Promise((resolve, reject) => {
        // env passed explicitly: az is looked up on this module's PATH (jest's sandboxed process.env included).
        const child = spawn("az", args, { stdio: ["ignore", "pipe", "pipe"], shell: process.platform === "win32", env: process.env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", (e: NodeJS.ErrnoException) => reject(e.code === "ENOENT" ? new AzMissingError() : e));
        child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });

export async function azJson<T>(run: AzRunner, args: string[]): Promise<T> {
    const full = [...args, "--output", "json", "--only-show-errors"];
    const r = await run(full);
    if (r.code !== 0) throw new AzCallError(full, r.stderr);
    try {
        return JSON.parse(r.stdout || "null") as T;
    } catch {
        throw new AzCallError(full, `unparsable output: ${r.stdout.slice(0, 200)}`);
    }
}

/** The az commands a live audit runs for this inventory (printed by offline mode). */
export function plannedCommands(inv: Inventory): string[][] {
    const rg = inv.resourceGroup ?? "<resource-group>";
    const cmds: string[][] = [["account", "show"]];
    if (inv.vault) cmds.push(["keyvault", "secret", "list", "--vault-name", inv.vault.name], ["keyvault", "secret", "list-deleted", "--vault-name", inv.vault.name]);
    cmds.push(["identity", "list", "--resource-group", rg]);
    for (const id of inv.identities) cmds.push(["identity", "federated-credential", "list", "--identity-name", id.name, "--resource-group", id.resourceGroup]);
    for (const id of inv.identities) cmds.push(["role", "assignment", "list", "--all", "--assignee", `<principalId of ${id.name}>`]);
    if (inv.cluster) cmds.push(["aks", "show", "--name", inv.cluster.name, "--resource-group", inv.cluster.resourceGroup, "--query", "{issuer: oidcIssuerProfile.issuerUrl, kubelet: identityProfile.kubeletidentity.objectId}"]);
    for (const target of [inv.vault, inv.registry, inv.storage]) {
        if (target?.id) cmds.push(["role", "assignment", "list", "--scope", target.id.replace(/^\/subscriptions\/[^/]+/, "/subscriptions/<subscription>")]);
    }
    if (inv.pipelinePrincipalId) {
        cmds.push(["ad", "sp", "show", "--id", inv.pipelinePrincipalId]);
        cmds.push(["ad", "app", "credential", "list", "--id", "<appId of the pipeline>"]);
        cmds.push(["ad", "app", "credential", "list", "--id", "<appId of the pipeline>", "--cert"]);
        cmds.push(["ad", "app", "federated-credential", "list", "--id", "<appId of the pipeline>"]);
    }
    return cmds;
}

export interface LiveSecret {
    name: string;
    contentType?: string | null;
    attributes?: { enabled?: boolean; expires?: string | null };
}
export interface LiveIdentity {
    name: string;
    principalId: string;
    clientId: string;
    id?: string;
}
export interface LiveFederation {
    name: string;
    issuer: string;
    subject: string;
    audiences: string[];
}
export interface LiveAssignment {
    principalId: string;
    principalType?: string;
    roleDefinitionId: string;
    roleDefinitionName?: string;
    scope: string;
}
export interface LiveAppCredential {
    keyId?: string;
    displayName?: string | null;
    endDateTime?: string;
    /** password credentials carry a hint; certificate credentials a type. */
    hint?: string | null;
    type?: string;
}

export interface LiveState {
    subscriptionId: string;
    secrets: LiveSecret[];
    deletedSecrets: string[];
    identities: LiveIdentity[];
    federations: Record<string, LiveFederation[]>;
    assignmentsByIdentity: Record<string, LiveAssignment[]>;
    assignmentsAtScope: LiveAssignment[];
    cluster?: { issuer?: string; kubelet?: string };
    pipeline?: { appId?: string; displayName?: string; credentials: LiveAppCredential[]; federations: { name: string; subject: string; issuer: string }[] };
}

/** Reads the live state the audit compares (one az call per line of plannedCommands). */
export async function collectLive(run: AzRunner, inv: Inventory): Promise<LiveState> {
    const account = await azJson<{ id: string }>(run, ["account", "show"]);
    const rg = inv.resourceGroup;
    if (!rg) throw new Error("the plan declares no resource group; is this a spoke stack export?");
    const state: LiveState = {
        subscriptionId: account.id,
        secrets: [],
        deletedSecrets: [],
        identities: [],
        federations: {},
        assignmentsByIdentity: {},
        assignmentsAtScope: [],
    };
    if (inv.vault) {
        state.secrets = await azJson<LiveSecret[]>(run, ["keyvault", "secret", "list", "--vault-name", inv.vault.name]);
        state.deletedSecrets = (await azJson<{ name: string }[]>(run, ["keyvault", "secret", "list-deleted", "--vault-name", inv.vault.name])).map((s) => s.name);
    }
    state.identities = await azJson<LiveIdentity[]>(run, ["identity", "list", "--resource-group", rg]);
    for (const id of state.identities) {
        state.federations[id.name] = await azJson<LiveFederation[]>(run, ["identity", "federated-credential", "list", "--identity-name", id.name, "--resource-group", rg]);
        state.assignmentsByIdentity[id.name] = await azJson<LiveAssignment[]>(run, ["role", "assignment", "list", "--all", "--assignee", id.principalId]);
    }
    if (inv.cluster) {
        state.cluster = await azJson(run, ["aks", "show", "--name", inv.cluster.name, "--resource-group", inv.cluster.resourceGroup, "--query", "{issuer: oidcIssuerProfile.issuerUrl, kubelet: identityProfile.kubeletidentity.objectId}"]);
    }
    for (const target of [inv.vault, inv.registry, inv.storage]) {
        if (!target?.id) continue;
        const scope = target.id.replace(/^\/subscriptions\/[^/]+/, `/subscriptions/${account.id}`);
        state.assignmentsAtScope.push(...(await azJson<LiveAssignment[]>(run, ["role", "assignment", "list", "--scope", scope])));
    }
    if (inv.pipelinePrincipalId) {
        const sp = await azJson<{ appId?: string; displayName?: string; servicePrincipalType?: string }>(run, ["ad", "sp", "show", "--id", inv.pipelinePrincipalId]);
        state.pipeline = { appId: sp.appId, displayName: sp.displayName, credentials: [], federations: [] };
        // A managed identity has no app registration (and no secrets to audit).
        if (sp.appId && sp.servicePrincipalType !== "ManagedIdentity") {
            const passwords = await azJson<LiveAppCredential[]>(run, ["ad", "app", "credential", "list", "--id", sp.appId]);
            const certificates = await azJson<LiveAppCredential[]>(run, ["ad", "app", "credential", "list", "--id", sp.appId, "--cert"]);
            state.pipeline.credentials = [...passwords.map((c) => ({ ...c, type: "password" })), ...certificates.map((c) => ({ ...c, type: "certificate" }))];
            state.pipeline.federations = await azJson(run, ["ad", "app", "federated-credential", "list", "--id", sp.appId]);
        }
    }
    return state;
}
