/**
 * `npm run audit:secrets -- --stack <name> [--days N] [--plan <file>] [--offline] [--now YYYY-MM-DD] [--json]`
 *
 * Audits a spoke's secrets and access against what the program declares:
 * - Key Vault secrets expiring within N days (default 30), expired, without expiry or content type;
 * - secrets, managed identities, federated credentials and role assignments that exist but are not declared
 *   (and declared ones that are missing), federated credentials trusting a stale OIDC issuer;
 * - the pipeline's app registration: any client secret (it must use OIDC) and credentials near expiry.
 *
 * The declaration is a stack export: `.plan/<stack>.json` from `npm run plan` by default, or `--plan <file>` (also
 * accepts `pulumi stack export --stack <name>` output of the deployed stack). Live mode reads Azure through the `az`
 * CLI (logged in, with Reader on the group, Key Vault Secrets Officer/Reader on the vault, run from a network that
 * reaches the private vault). `--offline` reads only the plan and prints every az command a live run would make.
 *
 * Exit codes: 0 no findings · 1 findings (listed) · 2 bad arguments or unreadable plan ·
 *             3 az missing, not logged in, or a live call failed.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { listStacks, REPO_ROOT } from "../config/stack-files";
import { declaredFindings, daysUntil, type Finding, liveFindings } from "./audit/checks";
import { type Inventory, inventoryOf } from "./audit/inventory";
import { AzCallError, AzMissingError, type AzRunner, collectLive, plannedCommands, spawnAz } from "./audit/live";
import { helpAsked } from "./cli-help";

export const EXIT = { ok: 0, findings: 1, usage: 2, environment: 3 } as const;

const USAGE = "usage: npm run audit:secrets -- --stack <name> [--days N] [--plan <file>] [--offline] [--now YYYY-MM-DD] [--json]";

export interface AuditDeps {
    az: AzRunner;
    log: (line: string) => void;
    error: (line: string) => void;
    now: () => Date;
    root: string;
}

class UsageError extends Error {}

interface Options {
    stack: string;
    days: number;
    plan: string;
    offline: boolean;
    json: boolean;
    now?: Date;
}

function parse(argv: string[], root: string): Options {
    let v;
    try {
        v = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                days: { type: "string", default: "30" },
                plan: { type: "string" },
                offline: { type: "boolean", default: false },
                json: { type: "boolean", default: false },
                now: { type: "string" },
            },
            allowPositionals: false,
        }).values;
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    const spokes = listStacks(root).filter((s) => s.kind === "spoke").map((s) => s.stack);
    if (!v.stack) throw new UsageError(`--stack is required (one of ${spokes.join(", ")})`);
    if (!spokes.includes(v.stack)) throw new UsageError(`unknown spoke stack '${v.stack}'; valid: ${spokes.join(", ")}`);
    const days = Number(v.days);
    if (!Number.isInteger(days) || days < 0 || days > 3650) throw new UsageError(`--days must be a whole number of days 0-3650, not '${v.days}'`);
    let now: Date | undefined;
    if (v.now !== undefined) {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(v.now) || Number.isNaN(Date.parse(`${v.now}T00:00:00Z`))) throw new UsageError(`--now must be a date YYYY-MM-DD, not '${v.now}'`);
        now = new Date(`${v.now}T00:00:00Z`);
    }
    return { stack: v.stack, days, plan: path.resolve(root, v.plan ?? path.join(".plan", `${v.stack}.json`)), offline: v.offline!, json: v.json!, now };
}

function loadInventory(file: string, stack: string): Inventory {
    if (!fs.existsSync(file)) throw new UsageError(`${file} does not exist: run \`npm run plan -- --stack ${stack}\` first, or pass --plan <stack export>`);
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
    } catch (e) {
        throw new UsageError(`${file}: not JSON (${(e as Error).message})`);
    }
    let inv: Inventory;
    try {
        inv = inventoryOf(doc as never);
    } catch (e) {
        throw new UsageError(`${file}: ${(e as Error).message}`);
    }
    // Auditing one stack's live vault against another stack's plan would report on the wrong vault under this name.
    if (inv.stack !== undefined && inv.stack !== stack) {
        throw new UsageError(`${file} is the plan of ${inv.stack}, not ${stack}: pass --plan with ${stack}'s export (npm run plan -- --stack ${stack})`);
    }
    return inv;
}

function describe(inv: Inventory, now: Date, log: (l: string) => void): void {
    log(`declared by the program (${inv.stack ?? "?"}): vault ${inv.vault?.name ?? "none"}, group ${inv.resourceGroup ?? "?"}`);
    for (const s of inv.secrets) {
        const exp = s.expires === undefined ? "no expiry" : `expires ${new Date(s.expires * 1000).toISOString().slice(0, 10)} (${daysUntil(new Date(s.expires * 1000), now)} days)`;
        log(`  secret    ${s.vaultName}/${s.name}  ${s.contentType ?? "no content type"}  ${exp}`);
    }
    if (inv.externalSecrets.length) log(`  expected from people (value never in Pulumi, must carry an expiry): ${inv.externalSecrets.join(", ")}`);
    for (const i of inv.identities) {
        const feds = inv.federations.filter((f) => f.identity === i.name).map((f) => f.subject);
        const roles = inv.assignments.filter((a) => a.principal === `identity:${i.name}`).length;
        log(`  identity  ${i.name}  ${feds.length ? feds.join(", ") : "no federated credentials"}  ${roles} role assignment(s)`);
    }
    const byPrincipal = new Map<string, number>();
    for (const a of inv.assignments) byPrincipal.set(a.principal, (byPrincipal.get(a.principal) ?? 0) + 1);
    log(`  role assignments: ${inv.assignments.length} across ${byPrincipal.size} principal(s)`);
}

function report(findings: Finding[], opts: Options, log: (l: string) => void): number {
    if (opts.json) {
        log(JSON.stringify({ stack: opts.stack, days: opts.days, findings }, null, 2));
    } else {
        for (const f of findings) log(`FINDING ${f.kind}  ${f.subject}: ${f.message}`);
        log(findings.length ? `${findings.length} finding(s)` : "no findings");
    }
    return findings.length ? EXIT.findings : EXIT.ok;
}

export async function main(argv: string[], deps: AuditDeps): Promise<number> {
    let opts: Options;
    let inv: Inventory;
    if (helpAsked(argv)) {
        deps.log(USAGE);
        return EXIT.ok;
    }
    try {
        opts = parse(argv, deps.root);
        inv = loadInventory(opts.plan, opts.stack);
    } catch (e) {
        if (e instanceof UsageError) {
            deps.error(`audit:secrets: ${e.message}`);
            deps.error(USAGE);
            return EXIT.usage;
        }
        throw e;
    }
    const now = opts.now ?? deps.now();
    const say = opts.json ? () => undefined : deps.log;
    say(`audit:secrets ${opts.stack} — ${opts.offline ? "offline (plan only)" : "live"}, window ${opts.days} days, as of ${now.toISOString().slice(0, 10)}, declarations from ${path.relative(deps.root, opts.plan)}`);
    describe(inv, now, say);
    const findings = declaredFindings(inv, now, opts.days);

    if (opts.offline) {
        say("a live run would execute:");
        for (const c of plannedCommands(inv)) say(`  az ${c.map((a) => (/\s|[{}]/.test(a) ? `'${a}'` : a)).join(" ")}`);
        say("and flag: secrets expiring within the window or without expiry, anything in the vault / group / role assignments not declared above, federated credentials on a stale issuer, client secrets on the pipeline's app registration");
        return report(findings, opts, deps.log);
    }
    try {
        const live = await collectLive(deps.az, inv);
        say(`live: ${live.secrets.length} secret(s), ${live.identities.length} identit(y/ies), ${Object.values(live.assignmentsByIdentity).flat().length + live.assignmentsAtScope.length} role assignment(s) read`);
        if (live.deletedSecrets.length) say(`live: soft-deleted secrets (recoverable until purge): ${live.deletedSecrets.join(", ")}`);
        findings.push(...liveFindings(inv, live, now, opts.days));
    } catch (e) {
        if (e instanceof AzMissingError || e instanceof AzCallError) {
            deps.error(`audit:secrets: ${e.message}`);
            return EXIT.environment;
        }
        throw e;
    }
    return report(findings, opts, deps.log);
}

if (require.main === module) {
    main(process.argv.slice(2), { az: spawnAz, log: (l) => console.log(l), error: (l) => console.error(l), now: () => new Date(), root: REPO_ROOT }).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`audit:secrets: unexpected error: ${e instanceof Error ? e.message : String(e)}`);
            process.exit(EXIT.environment);
        },
    );
}
