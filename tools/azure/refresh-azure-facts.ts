/**
 * `npm run refresh:azure-facts [-- --region <r>...]` · `npm run refresh:azure-facts -- --readme`
 *
 * Regenerates config/azure-facts/ from the real sources: per region (those already there, plus every stack file's
 * location, plus --region) `az aks get-versions --location <r>` and `az vm list-skus --location <r> --resource-type
 * virtualMachines --all` (kept to the sizes config/skus.ts knows, entries exactly as az prints them) and `az aks mesh
 * get-revisions --location <r>` (Istio add-on revisions), the AKS calendar tables of MicrosoftDocs/azure-aks-docs
 * supported-kubernetes-versions.md and the Istio add-on calendar of istio-support-policy.md, and `retrieved` = today in
 * sources.json. regions.json and feature-registrations.json are kept by hand (no az command lists them). Review the
 * diff, run `npm test`, commit. `--readme` only re-renders README's "Before the first deploy" block (offline).
 *
 * Exit codes: 0 written · 2 bad arguments or an upstream answer this tool cannot use · 3 az missing or not logged in.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import type { AzAksVersions, AzMeshRevisions, AzVmSku, IstioCalendarRow } from "../../config/azure-facts";
import { KNOWN_VM_SIZES } from "../../config/skus";
import { listStacks, namespaceValues, readStackConfig, REPO_ROOT } from "../../config/stack-files";
import { AzCallError, AzMissingError, type AzRunner, azJson, spawnAz } from "../audit/live";
import { helpAsked } from "../cli-help";

export const EXIT = { ok: 0, usage: 2, environment: 3 } as const;
export const CALENDAR_URL = "https://raw.githubusercontent.com/MicrosoftDocs/azure-aks-docs/main/articles/aks/supported-kubernetes-versions.md";
export const ISTIO_CALENDAR_URL = "https://raw.githubusercontent.com/MicrosoftDocs/azure-aks-docs/main/articles/aks/istio-support-policy.md";
export const README_BEGIN = "<!-- generated:azure-facts -->";
export const README_END = "<!-- /generated:azure-facts -->";

export interface RefreshDeps {
    az: AzRunner;
    fetchText: (url: string) => Promise<string>;
    now: () => Date;
    root: string;
    log: (line: string) => void;
    error: (line: string) => void;
}

type Row = Record<string, string>;

/** The two calendar tables (community, LTS) of supported-kubernetes-versions.md, cells verbatim. */
export function parseCalendarMarkdown(md: string): { community: Row[]; lts: Row[] } {
    const tables: { last: string; rows: Row[] }[] = [];
    let current: { last: string; rows: Row[] } | undefined;
    for (const line of md.split(/\r?\n/)) {
        const t = line.trim();
        if (!t.startsWith("|")) {
            current = undefined;
            continue;
        }
        const cells = t.replace(/^\||\|$/g, "").split("|").map((c) => c.trim());
        if (/^Kubernetes version$/i.test(cells[0]) && cells.length >= 6) {
            current = { last: cells[5], rows: [] };
            tables.push(current);
        } else if (current && /^1\.\d+$/.test(cells[0])) {
            const lastKey = /^LTS End of life$/i.test(current.last) ? "ltsEndOfLife" : "platformSupport";
            current.rows.push({ kubernetesVersion: cells[0], upstreamRelease: cells[1], aksPreview: cells[2], aksGA: cells[3], endOfLife: cells[4], [lastKey]: cells[5] });
        }
    }
    const community = tables.find((t) => /^Platform support$/i.test(t.last))?.rows;
    const lts = tables.find((t) => /^LTS End of life$/i.test(t.last))?.rows;
    if (!community?.length || !lts?.length) throw new Error(`${CALENDAR_URL}: no release calendar and LTS tables in the expected shape`);
    return { community, lts };
}

/** The Istio add-on release calendar (istio-support-policy.md), cells verbatim. */
export function parseIstioCalendarMarkdown(md: string): { revisions: IstioCalendarRow[] } {
    const revisions: IstioCalendarRow[] = [];
    for (const line of md.split(/\r?\n/)) {
        const cells = line.trim().replace(/^\||\|$/g, "").split("|").map((c) => c.trim());
        if (!/^asm-\d+-\d+$/.test(cells[0]) || cells.length < 5) continue;
        revisions.push({ revision: cells[0], upstreamRelease: cells[1], aksRelease: cells[2], endOfLife: cells[3], compatibleAksVersions: cells[4], compatibleAksLtsVersions: cells[5] ?? "" } as IstioCalendarRow);
    }
    if (!revisions.length) throw new Error(`${ISTIO_CALENDAR_URL}: no service mesh add-on release calendar in the expected shape`);
    return { revisions };
}

function regionsToRefresh(root: string, factsDir: string, extra: string[]): string[] {
    const vendored = fs.existsSync(path.join(factsDir, "regions")) ? fs.readdirSync(path.join(factsDir, "regions")) : [];
    const used = listStacks(root).map((s) => String(namespaceValues(readStackConfig(s.file, root)).location));
    return [...new Set([...vendored, ...used, ...extra])].sort();
}

function write(file: string, data: unknown): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(data, null, 2) + "\n");
}

/** README with the block between the markers replaced by `lines`. */
export function replaceReadmeBlock(readme: string, lines: string[]): string {
    const start = readme.indexOf(README_BEGIN);
    const end = readme.indexOf(README_END);
    if (start < 0 || end < start) throw new Error(`README.md has no ${README_BEGIN} ... ${README_END} block`);
    return readme.slice(0, start + README_BEGIN.length) + "\n" + lines.join("\n") + "\n" + readme.slice(end);
}

export function renderReadmeBlock(root: string): string[] {
    // Loaded here, not at the top: config validation pulls in the Pulumi SDK, which a refresh does not need.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { validateSpokeConfig } = require("../../config") as typeof import("../../config");
    const { renderBeforeFirstDeploy } = require("./readiness") as typeof import("./readiness");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const spokes = listStacks(root).filter((s) => s.kind === "spoke");
    return renderBeforeFirstDeploy(spokes.map((s) => ({ stack: s.stack, cfg: validateSpokeConfig(s.stack, s.file, namespaceValues(readStackConfig(s.file, root)), root) })));
}

const USAGE = "usage: npm run refresh:azure-facts -- [--region <name>]... [--readme]   (regenerates the vendored Azure facts with az; --readme rewrites README's generated section only)";

export async function main(argv: string[], deps: RefreshDeps): Promise<number> {
    if (helpAsked(argv)) {
        deps.log(USAGE);
        return EXIT.ok;
    }
    let v;
    try {
        v = parseArgs({ args: argv, options: { region: { type: "string", multiple: true }, readme: { type: "boolean", default: false } }, allowPositionals: false }).values;
    } catch (e) {
        deps.error(`refresh:azure-facts: ${(e as Error).message}`);
        return EXIT.usage;
    }
    const readmeFile = path.join(deps.root, "README.md");
    if (v.readme) {
        fs.writeFileSync(readmeFile, replaceReadmeBlock(fs.readFileSync(readmeFile, "utf8"), renderReadmeBlock(deps.root)));
        deps.log("rewrote README.md's 'Before the first deploy' block");
        return EXIT.ok;
    }
    const factsDir = path.join(deps.root, "config", "azure-facts");
    try {
        const account = await azJson<{ name: string; id: string }>(deps.az, ["account", "show"]);
        deps.log(`az: subscription ${account.name} (${account.id})`);
    } catch (e) {
        if (e instanceof AzMissingError) {
            deps.error("refresh:azure-facts: the Azure CLI (az) is not on PATH: install it (https://aka.ms/install-azure-cli), `az login`, and rerun; nothing was changed");
            return EXIT.environment;
        }
        if (e instanceof AzCallError) {
            deps.error(`refresh:azure-facts: az is not logged in (${e.message}): run \`az login\` (and \`az account set -s <subscription>\`), then rerun; nothing was changed`);
            return EXIT.environment;
        }
        throw e;
    }
    const known = new Set(KNOWN_VM_SIZES);
    const out = new Map<string, unknown>();
    try {
        for (const region of regionsToRefresh(deps.root, factsDir, v.region ?? [])) {
            const versions = await azJson<AzAksVersions>(deps.az, ["aks", "get-versions", "--location", region]);
            if (!Array.isArray(versions?.values)) throw new Error(`az aks get-versions --location ${region}: no 'values' list`);
            const skus = (await azJson<AzVmSku[]>(deps.az, ["vm", "list-skus", "--location", region, "--resource-type", "virtualMachines", "--all"])).filter((s) => known.has(s.name));
            const mesh = await azJson<AzMeshRevisions>(deps.az, ["aks", "mesh", "get-revisions", "--location", region]);
            if (!Array.isArray(mesh?.properties?.meshRevisions)) throw new Error(`az aks mesh get-revisions --location ${region}: no 'properties.meshRevisions' list`);
            out.set(`regions/${region}/aks-mesh-get-revisions.json`, mesh);
            out.set(`regions/${region}/aks-get-versions.json`, versions);
            out.set(`regions/${region}/vm-list-skus.json`, skus);
            deps.log(`${region}: ${versions.values.length} Kubernetes minors, ${skus.length} of ${known.size} known sizes listed`);
        }
        out.set("aks-calendar.json", parseCalendarMarkdown(await deps.fetchText(CALENDAR_URL)));
        out.set("istio-calendar.json", parseIstioCalendarMarkdown(await deps.fetchText(ISTIO_CALENDAR_URL)));
    } catch (e) {
        if (e instanceof AzCallError) {
            deps.error(`refresh:azure-facts: ${e.message}; nothing was changed`);
            return EXIT.environment;
        }
        deps.error(`refresh:azure-facts: ${(e as Error).message}; nothing was changed`);
        return EXIT.usage;
    }
    for (const [rel, data] of out) write(path.join(factsDir, rel), data);
    const sourcesFile = path.join(factsDir, "sources.json");
    const sources = JSON.parse(fs.readFileSync(sourcesFile, "utf8"));
    sources.retrieved = deps.now().toISOString().slice(0, 10);
    for (const key of ["regions/<region>/aks-get-versions.json", "regions/<region>/vm-list-skus.json", "regions/<region>/aks-mesh-get-revisions.json"]) {
        if (sources.files[key]) delete sources.files[key].assembled;
    }
    sources.files["aks-calendar.json"] = { ...sources.files["aks-calendar.json"], url: CALENDAR_URL, commit: "main", commitDate: sources.retrieved };
    sources.files["istio-calendar.json"] = { ...sources.files["istio-calendar.json"], commit: "main", commitDate: sources.retrieved };
    write(sourcesFile, sources);
    deps.log(`wrote config/azure-facts/ (retrieved ${sources.retrieved}); review git diff, then: npm run refresh:azure-facts -- --readme && npm test`);
    return EXIT.ok;
}

if (require.main === module) {
    const fetchText = async (url: string) => {
        const res = await fetch(url);
        if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
        return res.text();
    };
    main(process.argv.slice(2), { az: spawnAz, fetchText, now: () => new Date(), root: REPO_ROOT, log: (l) => console.log(l), error: (l) => console.error(l) }).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`refresh:azure-facts: unexpected error: ${e instanceof Error ? e.message : String(e)}`);
            process.exit(EXIT.usage);
        },
    );
}
