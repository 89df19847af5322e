/**
 * `npm run refresh:azure-roles [-- --write]`
 *
 * Compares the vendored built-in role definitions (config/upstream/azure-role-definitions.json) with what
 * `az role definition list --name <guid>` prints for every role in components/rbac/roles.ts BUILT_IN_ROLES, and
 * prints each role whose actions, notActions, dataActions or notDataActions changed. With --write it rewrites the
 * file with az's JSON (sorted by roleName) and sets `retrieved` to today in the .source.json beside it.
 *
 * Exit codes: 0 up to date (or written) · 1 a definition differs (without --write) · 3 az missing, not logged in or a
 * call failed (the message says which; nothing is written).
 */
import * as fs from "fs";
import { BUILT_IN_ROLES } from "../../components/rbac/roles";
import { AzCallError, azJson, AzMissingError, type AzRunner, spawnAz } from "../audit/live";
import { builtInRoles, type RoleDefinitionJson, VENDORED_ROLES_FILE, VENDORED_ROLES_SOURCE_FILE } from "./roles";

/** Roles whose permissions differ between the vendored snapshot and `live`, with what changed. */
export function diffDefinitions(live: RoleDefinitionJson[]): string[] {
    const vendored = builtInRoles();
    const key = (p: unknown) => JSON.stringify(p);
    return live.flatMap((d) => {
        const v = vendored.get(d.name.toLowerCase());
        const livePerms = d.permissions.map((p) => ({ actions: p.actions ?? [], notActions: p.notActions ?? [], dataActions: p.dataActions ?? [], notDataActions: p.notDataActions ?? [] }));
        if (!v) return [`${d.roleName} (${d.name}): not vendored yet`];
        return key(v.permissions) === key(livePerms) ? [] : [`${d.roleName} (${d.name}): permissions changed`];
    });
}

const USAGE = `usage: npm run refresh:azure-roles [-- --write]

  compares config/upstream/azure-role-definitions.json with \`az role definition list\` for every built-in role the
  platform assigns (needs az and az login); --write rewrites the snapshot and its retrieval date
  exit: 0 up to date (or written) · 1 a definition differs · 3 az missing, not logged in or a call failed`;

export async function main(argv: string[], run: AzRunner = spawnAz, today = new Date()): Promise<number> {
    if (argv.includes("--help") || argv.includes("-h")) {
        console.log(USAGE);
        return 0;
    }
    const write = argv.includes("--write");
    let live: RoleDefinitionJson[];
    try {
        await azJson(run, ["account", "show"]);
        live = [];
        for (const role of Object.values(BUILT_IN_ROLES)) {
            const found = await azJson<RoleDefinitionJson[]>(run, ["role", "definition", "list", "--name", role.id]);
            if (!found?.length) throw new AzCallError(["role", "definition", "list", "--name", role.id], `no role definition ${role.id} (${role.name})`);
            live.push(found[0]);
        }
    } catch (e) {
        if (e instanceof AzMissingError) console.error("refresh-role-definitions: the Azure CLI (az) is not installed or not on PATH; install it and `az login`, then run again. Nothing was changed.");
        else if (e instanceof AzCallError) console.error(`refresh-role-definitions: ${e.message}. Nothing was changed.`);
        else throw e;
        return 3;
    }
    const changes = diffDefinitions(live);
    changes.forEach((c) => console.log(c));
    if (!write) {
        console.log(changes.length ? `${changes.length} definition(s) differ: run with --write, review the diff, commit` : "vendored role definitions are up to date");
        return changes.length ? 1 : 0;
    }
    live.sort((a, b) => a.roleName.localeCompare(b.roleName));
    fs.writeFileSync(VENDORED_ROLES_FILE, JSON.stringify(live, null, 2) + "\n");
    const source = JSON.parse(fs.readFileSync(VENDORED_ROLES_SOURCE_FILE, "utf8"));
    source.retrieved = today.toISOString().slice(0, 10);
    source.method = "Written by npm run refresh:azure-roles from the Azure CLI's own output.";
    fs.writeFileSync(VENDORED_ROLES_SOURCE_FILE, JSON.stringify(source, null, 2) + "\n");
    console.log(`wrote ${live.length} definitions (retrieved ${source.retrieved})`);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`refresh-role-definitions: ${e instanceof Error ? e.message : String(e)}`);
            process.exit(3);
        },
    );
}
