/**
 * `npm run preflight -- --stack <spoke>`
 *
 * Checks the live subscription (through a logged-in `az`) for everything the stack's plan assumes of it
 * (tools/azure/readiness.ts): feature registrations, access to restricted regions, vCPU quota headroom per family
 * (the plan's quota report: every pool at maxCount plus upgrade surge), and the sizes, zones and encryption at host
 * it uses. One line per assumption, `ok` or `NOT`, with the az command that fixes what is not met.
 *
 * Exit codes: 0 every assumption holds · 1 some do not · 2 bad arguments or invalid stack config ·
 *             3 az missing, not logged in, or an az call failed.
 */
import { parseArgs } from "util";
import { type AzVmSku, capability, locationRestriction, usableZones } from "../../config/azure-facts";
import { ConfigError } from "../../config/problems";
import { listStacks, namespaceValues, readStackConfig, REPO_ROOT } from "../../config/stack-files";
import { AzCallError, AzMissingError, type AzRunner, azJson, spawnAz } from "../audit/live";
import { type Assumption, assumptions, registerCommand } from "./readiness";
import { helpAsked } from "../cli-help";

export const EXIT = { ok: 0, notMet: 1, usage: 2, environment: 3 } as const;

export interface PreflightDeps {
    az: AzRunner;
    log: (line: string) => void;
    error: (line: string) => void;
    root: string;
}

interface Line {
    ok: boolean;
    text: string;
    fix?: string;
}

interface Usage {
    name: { value: string };
    currentValue: number;
    limit: number;
}

/** Answers az once per distinct question (list-usage and list-skus serve several assumptions). */
function cached(run: AzRunner): <T>(args: string[]) => Promise<T> {
    const seen = new Map<string, Promise<unknown>>();
    return <T>(args: string[]) => {
        const key = args.join(" ");
        if (!seen.has(key)) seen.set(key, azJson<T>(run, args));
        return seen.get(key) as Promise<T>;
    };
}

async function check(a: Assumption, az: <T>(args: string[]) => Promise<T>, subscription: string): Promise<Line> {
    switch (a.kind) {
        case "feature": {
            const f = a.feature;
            const state = await az<{ properties?: { state?: string } }>(["feature", "show", "--namespace", f.namespace, "--name", f.name]);
            const s = state?.properties?.state ?? "unknown";
            return { ok: s === "Registered", text: `feature ${f.namespace}/${f.name} (${a.neededBy.join(", ")}): ${s}`, fix: registerCommand(f) };
        }
        case "region": {
            // A subscription without access to a restricted region sees every size there restricted NotAvailableForSubscription.
            const skus = await az<AzVmSku[]>(["vm", "list-skus", "--location", a.region, "--resource-type", "virtualMachines", "--all"]);
            const open = skus.filter((s) => !locationRestriction(s, a.region)).length;
            return {
                ok: open > 0,
                text: `region ${a.region} (${a.neededBy}): ${open ? `access granted (${open} sizes open)` : "no access (every size NotAvailableForSubscription)"}`,
                fix: `file a region access request (${a.howToGetAccess.replace(/^.*?(https:\/\/\S+).*$/, "$1")}), then record it in aiplatform:restrictedRegionAccess`,
            };
        }
        case "quota": {
            const usage = await az<Usage[]>(["vm", "list-usage", "--location", a.location]);
            const u = usage.find((x) => x.name.value.toLowerCase() === a.quotaName.toLowerCase());
            const free = u ? u.limit - u.currentValue : 0;
            const need = u ? u.currentValue + a.vcpus : a.vcpus;
            return {
                ok: !!u && free >= a.vcpus,
                text: `quota ${a.quotaName} in ${a.location}: needs ${a.vcpus} vCPUs (${a.pools.join(", ")}), ${u ? `${free} free of ${u.limit}` : "not listed by az vm list-usage"}`,
                fix: `az quota update --resource-name ${a.quotaName} --scope /subscriptions/${subscription}/providers/Microsoft.Compute/locations/${a.location} --resource-type ${a.quotaName === "lowPriorityCores" ? "lowPriority" : "dedicated"} --limit-object value=${need}`,
            };
        }
        case "sku": {
            const skus = await az<AzVmSku[]>(["vm", "list-skus", "--location", a.location, "--resource-type", "virtualMachines", "--all"]);
            const sku = skus.find((s) => s.name === a.vmSize);
            const what = `size ${a.vmSize} in ${a.location}${a.zones.length ? ` zones [${a.zones.join(", ")}]` : ""} (${a.pools.join(", ")})`;
            const fix = `az vm list-skus --location ${a.location} --size ${a.vmSize} --all --output table, then request the size for this subscription (quota request) or change the stack file`;
            if (!sku) return { ok: false, text: `${what}: not offered`, fix };
            const restriction = locationRestriction(sku, a.location);
            if (restriction) return { ok: false, text: `${what}: restricted (${restriction})`, fix };
            const missing = a.zones.filter((z) => !usableZones(sku, a.location).includes(z));
            if (missing.length) return { ok: false, text: `${what}: zones [${missing.join(", ")}] not available`, fix };
            if (a.encryptionAtHost && capability(sku, "EncryptionAtHostSupported") !== "True") {
                return { ok: false, text: `${what}: no encryption at host`, fix: "set aiplatform:aks.encryptionAtHost: false or choose another size" };
            }
            return { ok: true, text: `${what}: available` };
        }
    }
}

const USAGE = "usage: npm run preflight -- --stack <spoke>   (checks the live subscription with az for what the plan assumes)";

export async function main(argv: string[], deps: PreflightDeps): Promise<number> {
    if (helpAsked(argv)) {
        deps.log(USAGE);
        return EXIT.ok;
    }
    const spokes = listStacks(deps.root).filter((s) => s.kind === "spoke");
    let stack: string | undefined;
    try {
        stack = parseArgs({ args: argv, options: { stack: { type: "string" } }, allowPositionals: false }).values.stack;
    } catch (e) {
        deps.error(`preflight: ${(e as Error).message}`);
        return EXIT.usage;
    }
    const sf = spokes.find((s) => s.stack === stack);
    if (!sf) {
        deps.error(`preflight: ${stack ? `unknown spoke stack '${stack}'` : "--stack is required"}; valid: ${spokes.map((s) => s.stack).join(", ")}`);
        return EXIT.usage;
    }
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { validateSpokeConfig } = require("../../config") as typeof import("../../config");
    /* eslint-enable @typescript-eslint/no-require-imports */
    let list: Assumption[];
    try {
        list = assumptions(validateSpokeConfig(sf.stack, sf.file, namespaceValues(readStackConfig(sf.file, deps.root)), deps.root));
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        deps.error(`preflight: ${e.message}`);
        return EXIT.usage;
    }
    const az = cached(deps.az);
    try {
        const account = await az<{ id: string; name: string }>(["account", "show"]);
        deps.log(`preflight ${sf.stack}: subscription ${account.name} (${account.id}), ${list.length} assumptions`);
        let notMet = 0;
        for (const a of list) {
            const line = await check(a, az, account.id);
            if (!line.ok) notMet++;
            deps.log(`${line.ok ? "ok " : "NOT"} ${line.text}${line.ok || !line.fix ? "" : `\n    fix: ${line.fix}`}`);
        }
        deps.log(notMet ? `${notMet} of ${list.length} assumptions not met: the first pulumi up would fail there` : "every assumption holds");
        return notMet ? EXIT.notMet : EXIT.ok;
    } catch (e) {
        if (e instanceof AzMissingError) {
            deps.error("preflight: the Azure CLI (az) is not on PATH: install it (https://aka.ms/install-azure-cli) and `az login`; the offline checks are `npm run plan`");
            return EXIT.environment;
        }
        if (e instanceof AzCallError) {
            deps.error(`preflight: ${e.message}`);
            return EXIT.environment;
        }
        throw e;
    }
}

if (require.main === module) {
    main(process.argv.slice(2), { az: spawnAz, log: (l) => console.log(l), error: (l) => console.error(l), root: REPO_ROOT }).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`preflight: unexpected error: ${e instanceof Error ? e.message : String(e)}`);
            process.exit(EXIT.environment);
        },
    );
}
