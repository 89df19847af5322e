/**
 * Azure role definitions as data: the vendored built-in definitions (config/upstream/azure-role-definitions.json, the
 * JSON `az role definition list` prints) plus the custom RoleDefinitions a plan declares, and Azure's action matching
 * (`*` wildcards, case-insensitive; an action is granted when some `actions` pattern matches it and no `notActions`
 * pattern does — likewise for data actions; learn.microsoft.com/azure/role-based-access-control/role-definitions).
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../config/stack-files";

export interface Permission {
    actions: string[];
    notActions: string[];
    dataActions: string[];
    notDataActions: string[];
}

/** One entry of `az role definition list` output (the fields this model reads). */
export interface RoleDefinitionJson {
    name: string;
    roleName: string;
    roleType: string;
    permissions: Partial<Permission>[];
}

export interface RoleDef {
    guid: string;
    roleName: string;
    permissions: Permission[];
    /** Where the definition comes from: the vendored file or the plan's custom RoleDefinition. */
    source: string;
}

export const VENDORED_ROLES_FILE = path.join(REPO_ROOT, "config/upstream/azure-role-definitions.json");
export const VENDORED_ROLES_SOURCE_FILE = path.join(REPO_ROOT, "config/upstream/azure-role-definitions.source.json");

export interface VendoredSource {
    retrieved: string;
    horizonDays: number;
    command: string;
    sources: { page: string; roles: string[] }[];
}

function normalise(p: Partial<Permission>): Permission {
    return { actions: p.actions ?? [], notActions: p.notActions ?? [], dataActions: p.dataActions ?? [], notDataActions: p.notDataActions ?? [] };
}

let vendored: Map<string, RoleDef> | undefined;

/** The vendored built-in definitions by GUID (lower case), each naming the page it came from. */
export function builtInRoles(): Map<string, RoleDef> {
    if (vendored) return vendored;
    const defs = JSON.parse(fs.readFileSync(VENDORED_ROLES_FILE, "utf8")) as RoleDefinitionJson[];
    const meta = vendoredSource();
    vendored = new Map(
        defs.map((d) => {
            const page = meta.sources.find((s) => s.roles.includes(d.roleName))?.page ?? "config/upstream/azure-role-definitions.json";
            return [d.name.toLowerCase(), { guid: d.name.toLowerCase(), roleName: d.roleName, permissions: d.permissions.map(normalise), source: page }];
        }),
    );
    return vendored;
}

/** Days between the snapshot's retrieval and `now` (negative: retrieved "in the future", also stale). */
export function rolesSnapshotAgeDays(now: Date, source: VendoredSource = vendoredSource()): number {
    return Math.floor((now.getTime() - Date.parse(`${source.retrieved}T00:00:00Z`)) / 86_400_000);
}

export function vendoredSource(): VendoredSource {
    return JSON.parse(fs.readFileSync(VENDORED_ROLES_SOURCE_FILE, "utf8")) as VendoredSource;
}

const patterns = new Map<string, RegExp>();
/** Azure's action pattern: `*` matches any run of characters (slashes included), case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
    let re = patterns.get(pattern);
    if (!re) {
        re = new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`, "i");
        patterns.set(pattern, re);
    }
    return re.test(action);
}

/** Whether the definition grants `action` (a control-plane action, or a data action when `data`). */
export function grantsAction(def: RoleDef, action: string, data = false): boolean {
    return def.permissions.some((p) => {
        const [allow, deny] = data ? [p.dataActions, p.notDataActions] : [p.actions, p.notActions];
        return allow.some((a) => actionMatches(a, action)) && !deny.some((a) => actionMatches(a, action));
    });
}

/**
 * Actions that change nothing although they are not `/read`: support tickets, an Entra kubeconfig (no credential in
 * it), log queries, secret metadata, user-delegation keys (a SAS made with one carries only the caller's own rights).
 * Reading secret values (getSecret) is judged separately.
 */
const READ_LIKE = [
    "Microsoft.Support/*",
    "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
    "Microsoft.OperationalInsights/workspaces/search/action",
    "Microsoft.OperationalInsights/workspaces/analytics/query/action",
    "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
    "Microsoft.KeyVault/vaults/secrets/getSecret/action",
    "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
];

/** The definition's patterns that can change something (control or data plane): anything but reads and READ_LIKE. */
export function writesOf(def: RoleDef): string[] {
    return def.permissions.flatMap((p) => [...p.actions, ...p.dataActions].filter((a) => !/\/read$/i.test(a) && !READ_LIKE.some((r) => actionMatches(r, a))));
}
