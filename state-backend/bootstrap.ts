/**
 * Bootstrap of the Pulumi state backend in Azure Blob Storage, as a reviewable, idempotent Azure CLI script.
 *
 *   npx tsx state-backend/bootstrap.ts --subscription <id> --operator-object-id <id> [--allow-ip <ip>]      (prints)
 *   npx tsx state-backend/bootstrap.ts ... --apply                                                          (runs it)
 *   npx tsx state-backend/bootstrap.ts --subscription <id> --private-endpoint-subnet <id> \
 *       --blob-dns-zone <id> --vault-dns-zone <id> [--apply]             (after the hub exists: private endpoints)
 *
 * Why a script and not a Pulumi project: the backend must exist before any Pulumi state can be stored, so a Pulumi
 * project here would need a second backend for its own state. Every step is an `az ... create/update` that converges
 * when re-run; the script is printed first so it can be reviewed (and kept with the change record).
 *
 * What it creates (settings in state-backend/settings.yaml):
 * - a storage account: StorageV2, GZRS, HTTPS + TLS 1.2 only, no public blob access, no shared keys (Entra ID
 *   only), default-deny network (operator IP during bootstrap; private endpoint afterwards), blob versioning, change
 *   feed, soft delete for blobs and containers, point-in-time restore, a lifecycle rule for old versions, and a
 *   CanNotDelete lock on its resource group;
 * - one container for all stacks (a StackReference can only read stacks of the same backend, and every spoke reads
 *   the hub), with Pulumi's own DIY-backend locking (on by default, `.pulumi/locks/`);
 * - a Key Vault (RBAC mode, purge protection) with one RSA key per stack for the `azurekeyvault://` secrets provider;
 * - one user-assigned identity per GitHub environment with a federated credential (OIDC, no secret; one subject per
 *   environment), holding a custom data-plane role (no container delete) whose ABAC condition limits reads, lists,
 *   writes and lock blobs to its own stacks' paths, and decrypting only its own stacks' keys;
 * - the GitHub environments' protection: deployment branches and required reviewers, from the settings.
 *
 * Exit codes: 0 printed/applied · 1 the script failed (--apply) · 2 bad input.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import * as YAML from "yaml";
import { z } from "zod";
import { listStacks, REPO_ROOT, type StackFile } from "../config/stack-files";
import { helpAsked } from "../tools/cli-help";

const name = (re: RegExp, what: string) => z.string().regex(re, what);
const ENVIRONMENTS = ["hub", "dev", "stg", "prd"] as const;
type Env = (typeof ENVIRONMENTS)[number];
/** The hub's state is read (and decrypted) by every spoke's StackReference; nothing else crosses environments. */
const SHARED_READ = "hub";
/** Environments whose deployments wait for the reviewers, and whose state only main-branch jobs may touch. */
const GATED: readonly Env[] = ["hub", "prd"];
/** Environments whose state a read-only (preview, drift, audit) identity may decrypt only behind the reviewers (issue 22). */
export const REVIEWED_READERS: readonly Env[] = ["stg", "prd"];

/**
 * Read-only identities (they deploy nothing) that decrypt a stg or prd stack's state — every secret in it — without
 * the reviewers: a merge to main would run its code with them unreviewed. Pairs of identity and stack.
 */
export function unreviewedReaders(identities: Record<string, { environment?: string; reviewers?: boolean; stacks?: string[]; decrypt?: string[] }>): [string, string][] {
    return Object.entries(identities).flatMap(([name, id]) =>
        !id.stacks?.length && !id.reviewers ? (id.decrypt ?? []).filter((st) => (REVIEWED_READERS as readonly string[]).includes(environmentOf(st))).map((st): [string, string] => [name, st]) : [],
    );
}

export const settingsSchema = z.strictObject({
    location: z.string().regex(/^[a-z0-9]+$/),
    resourceGroup: name(/^[-\w.()]{1,90}$/, "must be a resource group name"),
    storageAccount: name(/^[a-z0-9]{3,24}$/, "must be 3-24 lowercase letters and digits"),
    container: name(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, "must be a container name (3-63, lowercase, digits, single hyphens)"),
    sku: z.enum(["Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_GZRS", "Standard_RAGZRS"]),
    softDeleteDays: z.number().int().min(7).max(365),
    restoreDays: z.number().int().min(1).max(364),
    versionRetentionDays: z.number().int().min(30),
    keyVault: name(/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/, "must be a Key Vault name (3-24)"),
    keyVaultRetentionDays: z.number().int().min(7).max(90),
    github: z.strictObject({
        repository: name(/^[\w.-]+\/[\w.-]+$/, "must be owner/repo"),
        reviewers: name(/^[a-z0-9][a-z0-9-]*$/, "must be a GitHub team slug"),
    }),
    gitlab: z.strictObject({ project: z.string(), refs: z.record(z.enum(ENVIRONMENTS), z.string().min(1)) }),
    identities: z.record(
        name(/^[a-z][a-z0-9-]{1,20}$/, "must be a GitHub environment name"),
        z.strictObject({
            environment: z.enum(ENVIRONMENTS),
            branches: z.enum(["main", "any"]),
            reviewers: z.boolean(),
            read: z.array(z.string()),
            locks: z.array(z.string()),
            stacks: z.array(z.string()),
            decrypt: z.array(z.string()),
        }),
    ),
});
export type Settings = z.infer<typeof settingsSchema>;

export class BootstrapError extends Error {}

export function loadSettings(file: string, stacks: StackFile[]): Settings {
    const parsed = settingsSchema.safeParse(YAML.parse(fs.readFileSync(file, "utf8")));
    if (!parsed.success) {
        throw new BootstrapError(parsed.error.issues.map((i) => `${path.basename(file)}: ${i.path.join(".")}: ${i.message}`).join("\n"));
    }
    const s = parsed.data;
    if (s.restoreDays >= s.softDeleteDays) throw new BootstrapError(`${path.basename(file)}: restoreDays must be less than softDeleteDays`);
    const f = path.basename(file);
    const known = new Set(stacks.map((t) => t.stack));
    const problems: string[] = [];
    for (const [env, id] of Object.entries(s.identities)) {
        const at = `${f}: identities.${env}`;
        for (const key of ["read", "locks", "stacks", "decrypt"] as const) {
            for (const st of id[key]) {
                if (!known.has(st)) {
                    problems.push(`${at}.${key}: unknown stack '${st}'`);
                    continue;
                }
                const owner = environmentOf(st);
                if (key !== "read" && !id.read.includes(st)) problems.push(`${at}.${key}: '${st}' is not in its read list`);
                const shared = owner === SHARED_READ && (key === "read" || key === "decrypt");
                if (owner !== id.environment && !shared) {
                    problems.push(`${at}.${key}: '${st}' belongs to ${owner}, not ${id.environment}: an identity touches only its own environment's stacks (and reads/decrypts the hub's)`);
                }
            }
        }
        const gated = [...id.read, ...id.locks, ...id.stacks].some((st) => known.has(st) && environmentOf(st) !== SHARED_READ && environmentOf(st) !== "dev") || [...id.locks, ...id.stacks].some((st) => environmentOf(st) === SHARED_READ);
        if (gated && id.branches !== "main") problems.push(`${at}.branches: '${id.branches}': it touches ${id.environment} state, so only jobs on main may use it`);
        if (id.stacks.length && GATED.includes(id.environment) && !id.reviewers) problems.push(`${at}.reviewers: false: deploying ${id.environment} needs the reviewers' approval`);
    }
    for (const [id, st] of unreviewedReaders(s.identities)) {
        problems.push(`${f}: identities.${id}.reviewers: false: it decrypts ${st}'s state (every secret in it) for previews and drift, which wait for the reviewers in ${REVIEWED_READERS.join(" and ")}`);
    }
    for (const t of stacks) {
        const writers = Object.entries(s.identities).filter(([, i]) => i.stacks.includes(t.stack)).map(([k]) => k);
        if (!writers.length) problems.push(`${f}: no identity deploys '${t.stack}'`);
        if (writers.length > 1) problems.push(`${f}: '${t.stack}' is deployed by ${writers.join(", ")}: exactly one identity writes a stack`);
    }
    const refs = Object.entries(s.gitlab.refs);
    for (const [env, ref] of refs) {
        const same = refs.filter(([e, r]) => r === ref && e !== env).map(([e]) => e);
        if (same.length) problems.push(`${f}: gitlab.refs.${env}: '${ref}' is also the ref of ${same.join(", ")}: one OIDC subject per environment`);
    }
    if (s.gitlab.project) {
        for (const e of new Set(Object.values(s.identities).map((i) => i.environment))) if (!s.gitlab.refs[e]) problems.push(`${f}: gitlab.refs.${e}: not set (its identities need a GitLab subject)`);
    }
    if (problems.length) throw new BootstrapError(problems.join("\n"));
    return s;
}

/** hub-uaenorth → hub, prd-uaenorth → prd. */
function environmentOf(stack: string): string {
    return stack.split("-")[0];
}

/** The secrets provider URL a stack file gets (`secretsprovider:`), one key per stack. */
export function secretsProviderUrl(s: Settings, stack: string): string {
    return `azurekeyvault://${s.keyVault}.vault.azure.net/keys/pulumi-${stack}`;
}

export function backendUrl(s: Settings): string {
    return `azblob://${s.container}?storage_account=${s.storageAccount}`;
}

const sh = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

/** One shell line of `az`, every argument quoted for the shell. */
function az(...args: string[]): string {
    return ["az", ...args.map(sh)].join(" ");
}

const BLOB_WRITE_ACTIONS = [
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
];

/**
 * ABAC condition (version 2.0) for Storage Blob Data Contributor: writes and deletes only where the blob path
 * matches one of `patterns` (reads are not restricted). Pulumi's DIY layout puts a stack's checkpoint, history,
 * backups, tags and locks under `.pulumi/<kind>/[organization/]<project>/<stack>…`.
 */
export function writeCondition(patterns: string[]): string {
    const notWrite = BLOB_WRITE_ACTIONS.map((a) => `!(ActionMatches{'${a}'})`).join(" AND ");
    const paths = patterns.map((p) => `@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringLike '${p}'`).join(" OR ");
    return `((${notWrite}) OR (${paths}))`;
}

export function stackPathPattern(t: StackFile): string {
    return `.pulumi/*${t.project}/${t.stack}*`;
}

/** Only the stack's lock blobs (`.pulumi/locks/organization/<project>/<stack>/<id>.json`). */
export function lockPathPattern(t: StackFile): string {
    return `.pulumi/locks/*${t.project}/${t.stack}/*`;
}

const BLOB_READ = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
const BLOB_PATH = "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path]";
const LIST_PREFIX = "@Request[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:prefix]";

/**
 * The whole ABAC condition of an identity's state role: reading a blob only on `read` paths, listing only under
 * `read` prefixes (Pulumi lists a stack's locks and history by prefix), writing/deleting only on `write` paths.
 * Suboperation `Blob.List` and the `blobs:prefix` request attribute: Microsoft Learn, "Actions and attributes for
 * Azure role assignment conditions for Azure Blob Storage".
 */
export function stateCondition(read: string[], write: string[]): string {
    const any = (attr: string, patterns: string[]) => patterns.map((p) => `${attr} StringLike '${p}'`).join(" OR ");
    const readBlob = `((!(ActionMatches{'${BLOB_READ}'} AND NOT SubOperationMatches{'Blob.List'})) OR (${any(BLOB_PATH, read)}))`;
    const list = `((!(ActionMatches{'${BLOB_READ}'} AND SubOperationMatches{'Blob.List'})) OR (${any(LIST_PREFIX, read)}))`;
    return `${readBlob} AND ${list} AND ${writeCondition(write)}`;
}

/** Data actions only: no `containers/delete` (the built-in Storage Blob Data roles carry it as a control-plane action). */
export function stateRoleDefinition(s: Settings, storageAccountId: string) {
    return {
        Name: stateRoleName(s),
        IsCustom: true,
        Description: "Read, write and delete Pulumi state blobs; never the container. Scoped per identity by an ABAC condition.",
        Actions: [],
        NotActions: [],
        DataActions: [BLOB_READ, ...BLOB_WRITE_ACTIONS],
        NotDataActions: [],
        AssignableScopes: [storageAccountId],
    };
}

export function stateRoleName(s: Settings): string {
    return `aiplatform Pulumi state blobs (${s.storageAccount})`;
}

/**
 * `retry`: role assignments and new identities take minutes to replicate in Entra ID.
 * `assign`: a role assignment only when the principal has none for that role and scope (az would fail on a second
 * identical assignment), so the script converges when re-run.
 */
const SHELL_HELPERS = [
    'retry() { for _ in 1 2 3 4 5 6 7 8; do "$@" && return 0; echo "retrying in 15s: $1 $2 $3" >&2; sleep 15; done; return 1; }',
    "assign() { # <object id> <principal type> <role> <scope> [ABAC condition]",
    '  if [ -n "$(az role assignment list --assignee "$1" --role "$3" --scope "$4" --query "[0].id" --output tsv)" ]; then return 0; fi',
    '  if [ $# -ge 5 ]; then retry az role assignment create --assignee-object-id "$1" --assignee-principal-type "$2" --role "$3" --scope "$4" --condition "$5" --condition-version 2.0',
    '  else retry az role assignment create --assignee-object-id "$1" --assignee-principal-type "$2" --role "$3" --scope "$4"; fi',
    "}",
];

function assign(objectId: string, type: "User" | "ServicePrincipal", role: string, scope: string, condition?: string): string {
    const id = /^\$\w+$/.test(objectId) ? `"${objectId}"` : sh(objectId);
    return ["assign", id, type, sh(role), sh(scope), ...(condition ? [sh(condition)] : [])].join(" ");
}

export interface InitOptions {
    subscription: string;
    operatorObjectId: string;
    allowIp?: string;
}

export function initScript(s: Settings, stacks: StackFile[], o: InitOptions): string {
    const rg = `/subscriptions/${o.subscription}/resourceGroups/${s.resourceGroup}`;
    const sa = `${rg}/providers/Microsoft.Storage/storageAccounts/${s.storageAccount}`;
    const container = `${sa}/blobServices/default/containers/${s.container}`;
    const kv = `${rg}/providers/Microsoft.KeyVault/vaults/${s.keyVault}`;
    const L: string[] = [
        "#!/usr/bin/env bash",
        "# Generated by state-backend/bootstrap.ts from state-backend/settings.yaml; idempotent.",
        "set -euo pipefail",
        ...SHELL_HELPERS,
        az("account", "set", "--subscription", o.subscription),
        "",
        "# Resource group, locked against deletion.",
        az("group", "create", "--name", s.resourceGroup, "--location", s.location, "--tags", "purpose=pulumi-state", "owner=platform-team"),
        az("lock", "create", "--name", "pulumi-state-cannot-delete", "--lock-type", "CanNotDelete", "--resource-group", s.resourceGroup, "--notes", "Pulumi state backend"),
        "",
        "# Storage account: Entra ID only, TLS 1.2, no public blobs, default-deny network.",
        az(
            "storage", "account", "create",
            "--name", s.storageAccount, "--resource-group", s.resourceGroup, "--location", s.location,
            "--sku", s.sku, "--kind", "StorageV2", "--https-only", "true", "--min-tls-version", "TLS1_2",
            "--allow-blob-public-access", "false", "--allow-shared-key-access", "false", "--default-to-oauth-authentication", "true",
            "--allow-cross-tenant-replication", "false", "--public-network-access", "Enabled",
            "--default-action", "Deny", "--bypass", "AzureServices",
        ),
    ];
    if (o.allowIp) L.push(az("storage", "account", "network-rule", "add", "--account-name", s.storageAccount, "--resource-group", s.resourceGroup, "--ip-address", o.allowIp));
    L.push(
        "",
        "# Versioned backups: every state write keeps the previous version; soft delete and point-in-time restore.",
        az(
            "storage", "account", "blob-service-properties", "update",
            "--account-name", s.storageAccount, "--resource-group", s.resourceGroup,
            "--enable-versioning", "true", "--enable-change-feed", "true",
            "--enable-delete-retention", "true", "--delete-retention-days", String(s.softDeleteDays),
            "--enable-container-delete-retention", "true", "--container-delete-retention-days", String(s.softDeleteDays),
            "--enable-restore-policy", "true", "--restore-days", String(s.restoreDays),
        ),
        az(
            "storage", "account", "management-policy", "create",
            "--account-name", s.storageAccount, "--resource-group", s.resourceGroup,
            "--policy", JSON.stringify({
                rules: [
                    {
                        enabled: true,
                        name: "expire-old-state-versions",
                        type: "Lifecycle",
                        definition: {
                            actions: { version: { delete: { daysAfterCreationGreaterThan: s.versionRetentionDays } } },
                            filters: { blobTypes: ["blockBlob"], prefixMatch: [`${s.container}/.pulumi/`] },
                        },
                    },
                ],
            }),
        ),
        "",
        "# One container for every stack (StackReference reads the hub from the same backend); no anonymous access.",
        az("storage", "container-rm", "create", "--storage-account", s.storageAccount, "--resource-group", s.resourceGroup, "--name", s.container, "--public-access", "off"),
        "",
        "# Key Vault for the azurekeyvault:// secrets provider: RBAC mode, purge protection, default-deny network.",
        `if ! ${az("keyvault", "show", "--name", s.keyVault, "--resource-group", s.resourceGroup)} >/dev/null 2>&1; then`,
        "  " + az(
            "keyvault", "create", "--name", s.keyVault, "--resource-group", s.resourceGroup, "--location", s.location,
            "--enable-rbac-authorization", "true", "--enable-purge-protection", "true", "--retention-days", String(s.keyVaultRetentionDays),
            "--default-action", "Deny", "--bypass", "AzureServices", "--public-network-access", "Enabled",
        ),
        "fi",
    );
    if (o.allowIp) L.push(az("keyvault", "network-rule", "add", "--name", s.keyVault, "--resource-group", s.resourceGroup, "--ip-address", o.allowIp));
    const role = stateRoleDefinition(s, sa);
    L.push(
        "",
        "# State access is one custom data-plane role: no identity (the operator included) can delete the container.",
        `if [ -z "$(${az("role", "definition", "list", "--name", role.Name, "--scope", sa, "--query", "[0].id", "--output", "tsv")})" ]; then`,
        `  retry ${az("role", "definition", "create", "--role-definition", JSON.stringify(role))}`,
        "fi",
        assign(o.operatorObjectId, "User", "Key Vault Crypto Officer", kv),
        "# The operator initialises the stacks (pulumi login, stack init) once.",
        assign(o.operatorObjectId, "User", role.Name, container),
        "",
        "# One key per stack: a pipeline identity can decrypt only its own environment's secrets.",
    );
    for (const t of stacks) {
        L.push(
            `if ! az keyvault key show --vault-name ${sh(s.keyVault)} --name ${sh(`pulumi-${t.stack}`)} >/dev/null 2>&1; then`,
            `  retry ${az("keyvault", "key", "create", "--vault-name", s.keyVault, "--name", `pulumi-${t.stack}`, "--kty", "RSA", "--size", "3072", "--ops", "encrypt", "decrypt", "wrapKey", "unwrapKey")}`,
            "fi",
        );
    }
    L.push("", "# Pipeline identities: OIDC federation only (no client secret), least privilege on state and keys.");
    const byStack = new Map(stacks.map((t) => [t.stack, t]));
    const of = (names: string[]) => names.map((n) => byStack.get(n)!);
    for (const [env, id] of Object.entries(s.identities)) {
        const ident = `id-aip-pipeline-${env}-${s.location}`;
        const v = `PRINCIPAL_${env.replace(/-/g, "_").toUpperCase()}`;
        L.push(
            `# ${env} (${id.environment}): reads ${id.read.join(", ")}; writes ${[...id.stacks, ...id.locks.map((l) => `${l} (lock)`)].join(", ") || "nothing"}; decrypts ${id.decrypt.join(", ")}`,
            az("identity", "create", "--name", ident, "--resource-group", s.resourceGroup, "--location", s.location),
            `${v}="$(${az("identity", "show", "--name", ident, "--resource-group", s.resourceGroup, "--query", "principalId", "--output", "tsv")})"`,
            az(
                "identity", "federated-credential", "create", "--name", `github-${env}`, "--identity-name", ident, "--resource-group", s.resourceGroup,
                "--issuer", "https://token.actions.githubusercontent.com", "--subject", `repo:${s.github.repository}:environment:${env}`,
                "--audiences", "api://AzureADTokenExchange",
            ),
        );
        // GitLab previews of merge requests run on their own branches (no stable subject): GitLab federates deploying
        // and read-only identities only, on the environment's protected branch.
        if (s.gitlab.project && id.branches === "main") {
            L.push(
                az(
                    "identity", "federated-credential", "create", "--name", `gitlab-${env}`, "--identity-name", ident, "--resource-group", s.resourceGroup,
                    "--issuer", "https://gitlab.com", "--subject", `project_path:${s.gitlab.project}:ref_type:branch:ref:${s.gitlab.refs[id.environment]}`,
                    "--audiences", "api://AzureADTokenExchange",
                ),
            );
        }
        // A deploying identity's own stack paths cover its locks; a read-only one (previews, drift) takes only its stacks' locks.
        const read = [".pulumi/meta.yaml", ...of(id.read).map(stackPathPattern)];
        const write = [...of(id.stacks).map(stackPathPattern), ...of(id.locks).map(lockPathPattern)];
        L.push(assign(`$${v}`, "ServicePrincipal", role.Name, container, stateCondition(read, write)));
        for (const st of id.decrypt) L.push(assign(`$${v}`, "ServicePrincipal", "Key Vault Crypto User", `${kv}/keys/pulumi-${st}`));
        L.push(`echo "GitHub environment ${env}: AZURE_CLIENT_ID=$(${az("identity", "show", "--name", ident, "--resource-group", s.resourceGroup, "--query", "clientId", "--output", "tsv")})"`);
    }
    L.push("", "# GitHub environments: which branches may deploy to them, and who approves (gh CLI, repository admin).", ...githubEnvironments(s));
    L.push(
        "",
        `echo "PULUMI_BACKEND_URL=${backendUrl(s)}"`,
        ...stacks.map((t) => `echo "${t.file}: secretsprovider ${secretsProviderUrl(s, t.stack)}"`),
    );
    return L.join("\n") + "\n";
}

/** `gh api` calls that set each GitHub environment's deployment branches and required reviewers. */
export function githubEnvironments(s: Settings): string[] {
    const repo = s.github.repository;
    const owner = repo.split("/")[0];
    const L = [`REVIEWERS_TEAM_ID="$(gh api ${sh(`orgs/${owner}/teams/${s.github.reviewers}`)} --jq .id)"`];
    for (const [env, id] of Object.entries(s.identities)) {
        const body = {
            prevent_self_review: id.reviewers,
            reviewers: id.reviewers ? [{ type: "Team", id: "__TEAM__" }] : [],
            deployment_branch_policy: id.branches === "main" ? { protected_branches: false, custom_branch_policies: true } : null,
        };
        // double-quoted for the shell so the team id is substituted into the JSON body
        const json = JSON.stringify(body).replace(/"/g, '\\"').replace('\\"__TEAM__\\"', "${REVIEWERS_TEAM_ID}");
        L.push(`gh api --method PUT ${sh(`repos/${repo}/environments/${env}`)} --input - <<< "${json}" >/dev/null`);
        if (id.branches === "main") {
            L.push(
                `gh api ${sh(`repos/${repo}/environments/${env}/deployment-branch-policies`)} --jq '.branch_policies[].name' | grep -qx main || ` +
                    `gh api --method POST ${sh(`repos/${repo}/environments/${env}/deployment-branch-policies`)} -f name=main -f type=branch >/dev/null`,
            );
        }
    }
    return L;
}

export interface PrivateOptions {
    subscription: string;
    subnetId: string;
    blobDnsZoneId: string;
    vaultDnsZoneId: string;
}

/** After the hub exists: private endpoints for blob and vault in its shared-services subnet, then public access off. */
export function privateScript(s: Settings, o: PrivateOptions): string {
    const rg = `/subscriptions/${o.subscription}/resourceGroups/${s.resourceGroup}`;
    const targets: [string, string, string, string][] = [
        [`pe-${s.storageAccount}-blob`, `${rg}/providers/Microsoft.Storage/storageAccounts/${s.storageAccount}`, "blob", o.blobDnsZoneId],
        [`pe-${s.keyVault}-vault`, `${rg}/providers/Microsoft.KeyVault/vaults/${s.keyVault}`, "vault", o.vaultDnsZoneId],
    ];
    const L = ["#!/usr/bin/env bash", "# Generated by state-backend/bootstrap.ts (private phase); idempotent.", "set -euo pipefail", az("account", "set", "--subscription", o.subscription)];
    for (const [pe, id, group, zone] of targets) {
        L.push(
            az("network", "private-endpoint", "create", "--name", pe, "--resource-group", s.resourceGroup, "--location", s.location, "--subnet", o.subnetId,
                "--private-connection-resource-id", id, "--group-id", group, "--connection-name", `${pe}-connection`),
            az("network", "private-endpoint", "dns-zone-group", "create", "--endpoint-name", pe, "--resource-group", s.resourceGroup, "--name", "default",
                "--private-dns-zone", zone, "--zone-name", group),
        );
    }
    L.push(
        "# Only the private endpoints from now on: pipelines run on the aiplatform-azure runner (README: pipelines).",
        az("storage", "account", "update", "--name", s.storageAccount, "--resource-group", s.resourceGroup, "--public-network-access", "Disabled"),
        az("keyvault", "update", "--name", s.keyVault, "--resource-group", s.resourceGroup, "--public-network-access", "Disabled"),
    );
    return L.join("\n") + "\n";
}

const USAGE = `usage: npm run bootstrap:state -- --subscription <id> --operator-object-id <your Entra object id> [--allow-ip <ip/cidr>] [--settings <file>] [--apply]
       npm run bootstrap:state -- --subscription <id> --private-endpoint-subnet <subnet id> --blob-dns-zone <zone id> --vault-dns-zone <zone id> [--settings <file>] [--apply]

  first form: the state account, container and secrets-provider keys (before the hub exists)
  second form: private endpoints in the hub's shared-services subnet, then public access off (after the hub exists)
  without --apply the Azure CLI script is printed for review; with --apply it runs`;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function main(
    argv: string[],
    out: (s: string) => void = (s) => void process.stdout.write(s),
    err: (s: string) => void = (s) => void process.stderr.write(s + "\n"),
    root = REPO_ROOT,
): number {
    let v;
    if (helpAsked(argv)) {
        out(USAGE + "\n");
        return 0;
    }
    try {
        v = parseArgs({
            args: argv,
            options: {
                subscription: { type: "string" },
                "operator-object-id": { type: "string" },
                "allow-ip": { type: "string" },
                "private-endpoint-subnet": { type: "string" },
                "blob-dns-zone": { type: "string" },
                "vault-dns-zone": { type: "string" },
                settings: { type: "string" },
                apply: { type: "boolean", default: false },
            },
        }).values;
        if (!v.subscription || !GUID.test(v.subscription)) throw new BootstrapError("--subscription <subscription id (GUID)> is required");
        const stacks = listStacks(root);
        const settings = loadSettings(v.settings ?? path.join(root, "state-backend/settings.yaml"), stacks);
        let script: string;
        if (v["private-endpoint-subnet"]) {
            if (!v["blob-dns-zone"] || !v["vault-dns-zone"]) throw new BootstrapError("the private phase needs --blob-dns-zone and --vault-dns-zone (the hub's privatelink zones)");
            script = privateScript(settings, { subscription: v.subscription, subnetId: v["private-endpoint-subnet"], blobDnsZoneId: v["blob-dns-zone"], vaultDnsZoneId: v["vault-dns-zone"] });
        } else {
            const op = v["operator-object-id"];
            if (!op || !GUID.test(op)) throw new BootstrapError("--operator-object-id <your Entra object id> is required: $(az ad signed-in-user show --query id -o tsv)");
            if (v["allow-ip"] && !/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(v["allow-ip"])) throw new BootstrapError(`--allow-ip '${v["allow-ip"]}' is not an IPv4 address or CIDR`);
            script = initScript(settings, stacks, { subscription: v.subscription, operatorObjectId: op, allowIp: v["allow-ip"] });
        }
        if (!v.apply) {
            out(script);
            return 0;
        }
        const r = spawnSync("bash", ["-s"], { input: script, stdio: ["pipe", "inherit", "inherit"] });
        if (r.status !== 0) {
            err(`bootstrap: the script failed (exit ${r.status ?? r.signal}); it is idempotent, fix the cause and rerun`);
            return 1;
        }
        return 0;
    } catch (e) {
        if (e instanceof BootstrapError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
            for (const line of (e as Error).message.split("\n")) err(`bootstrap: ${line}`);
            return 2;
        }
        throw e;
    }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
