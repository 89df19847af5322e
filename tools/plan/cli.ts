/**
 * `npm run plan -- --stack <name> | --all [--out <dir>] [--quiet] [--verbose]`
 *
 * The offline plan: runs the real program of each requested stack under mocks with its real config (the hub first,
 * feeding the spokes' StackReference), prints the resource tree and counts, writes `<out>/<stack>.json` in
 * `pulumi stack export` shape plus `<out>/summary.json`, and runs every plan reporter (policy pack, GitOps, ...).
 *
 * Exit codes: 0 ok · 1 a reporter failed (mandatory policy violation, invalid GitOps overlay, missing deploy order)
 *             2 bad input (unknown stack, bad arguments, invalid stack config) · 3 the program itself failed.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import * as v8 from "v8";
import * as vm from "vm";
import { ConfigError } from "../../config/problems";
import { listStacks, namespaceValues, readStackConfig, REPO_ROOT, type StackFile, stackRefParts, unknownNamespaceWarnings } from "../../config/stack-files";
import type { buildExport } from "./export";
import { writeFileAtomic } from "../write-atomic";
import { deferTypescriptForPulumi } from "./lazy-typescript";
import type { PlanReport, Reporter } from "./reports";
import type { PlannedStack } from "./run";

export const EXIT = { ok: 0, failed: 1, badInput: 2, programError: 3 } as const;

class UsageError extends Error {}

const USAGE = `usage: npm run plan -- (--stack <name> [--stack <name>...] | --all) [--out <dir>] [--now YYYY-MM-DD] [--quiet] [--verbose]

  --stack <name>  plan this stack (a spoke's own hub is planned first: the spoke reads its outputs)
  --all           plan every stack of both projects
  --out <dir>     where to write <stack>.json and summary.json (default .plan)
  --now <date>    plan as on that day (UTC midnight): support windows, budget month, certificate days (default: now)
  --quiet         one line per stack, plus the lines of any failed report
  --verbose       print stack traces for program errors, and the reporters' full matrices (permissions, access)`;

interface Options {
    stacks: string[];
    all: boolean;
    /** As the user gave it: messages show paths the way they were typed. */
    out: string;
    now?: Date;
    quiet: boolean;
    verbose: boolean;
}

function parse(argv: string[]): Options {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            options: {
                stack: { type: "string", multiple: true },
                all: { type: "boolean", default: false },
                out: { type: "string", default: path.relative(process.cwd(), path.join(REPO_ROOT, ".plan")) || ".plan" },
                now: { type: "string" },
                quiet: { type: "boolean", default: false },
                verbose: { type: "boolean", default: false },
                help: { type: "boolean", default: false },
            },
            allowPositionals: false,
        });
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    const v = parsed.values;
    if (v.help) {
        console.log(USAGE);
        process.exit(EXIT.ok);
    }
    if (!v.all && !v.stack?.length) throw new UsageError("nothing to plan: give --stack <name> or --all");
    if (v.all && v.stack?.length) throw new UsageError("give either --stack or --all, not both");
    let now: Date | undefined;
    if (v.now !== undefined) {
        now = new Date(`${v.now}T00:00:00Z`);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(v.now) || Number.isNaN(now.getTime())) throw new UsageError(`--now must be a date YYYY-MM-DD, not '${v.now}'`);
    }
    return { stacks: v.stack ?? [], all: v.all!, out: v.out!, now, quiet: v.quiet!, verbose: v.verbose! };
}

/** The stacks to plan, hub(s) first, and the spokes' hub dependencies included (`root`: where the stack files are). */
export function selectStacks(all: StackFile[], requested: string[], everything: boolean, root = REPO_ROOT): StackFile[] {
    if (everything) return all;
    const unknown = requested.filter((s) => !all.some((f) => f.stack === s));
    if (unknown.length) {
        throw new UsageError(`unknown stack ${unknown.map((s) => `'${s}'`).join(", ")}; valid stacks: ${all.map((f) => f.stack).join(", ")}`);
    }
    const wanted = new Set(requested);
    // A spoke needs its own hub's outputs (and nothing else): that hub is planned first.
    for (const f of all.filter((x) => wanted.has(x.stack))) {
        const hub = hubOf(f, root);
        if (hub && all.some((h) => h.stack === hub)) wanted.add(hub);
    }
    return all.filter((f) => wanted.has(f.stack));
}

function sdkVersion(): string {
    return JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")).version;
}

interface StackSummary {
    stack: string;
    project: string;
    file: string;
    resources: number;
    byType: Record<string, number>;
    exportFile: string;
    reports: { title: string; failures: number; lines: string[]; data?: unknown }[];
}

/** AIPLATFORM_PLAN_TIMING=1: one stderr line per phase with the milliseconds since the process started. */
const timing = process.env.AIPLATFORM_PLAN_TIMING ? (what: string) => console.error(`[plan ${Math.round(performance.now())} ms] ${what}`) : () => undefined;

async function runReporters(reporters: Reporter[], planned: PlannedStack, exported: ReturnType<typeof buildExport>, verbose = false): Promise<PlanReport[]> {
    const out: PlanReport[] = [];
    for (const reporter of reporters) {
        const r = await reporter({ planned, exported, verbose });
        timing(`${planned.stack.stack}: reporter ${r?.title ?? "(nothing)"}`);
        if (r) out.push(r);
    }
    return out;
}

function printConfigError(sf: StackFile, e: ConfigError): void {
    const n = `${e.messages.length} problem${e.messages.length > 1 ? "s" : ""}`;
    // A stack can fail on another stack's file (the hub reads each spoke's address space): name the file at fault.
    console.error(e.file === sf.file ? `plan: ${sf.stack}: invalid stack config (${n}):` : `plan: ${sf.stack}: reads ${e.file}, which is invalid (${n}):`);
    for (const m of e.messages) console.error(`  ${m}`);
}

/** Creates the output folder, or says in one line why it can't be used. */
function prepareOutDir(out: string): void {
    if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new Error("is a file, not a folder");
    try {
        fs.mkdirSync(out, { recursive: true });
        fs.accessSync(out, fs.constants.W_OK);
    } catch (e) {
        throw new Error(`cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
}

/** The hub stack a spoke reads (last part of its `hubStack`), or undefined for a hub or an unreadable file. */
function hubOf(sf: StackFile, root = REPO_ROOT): string | undefined {
    if (sf.kind === "hub") return undefined;
    try {
        return stackRefParts(namespaceValues(readStackConfig(sf.file, root)).hubStack)?.stack;
    } catch (e) {
        if (e instanceof ConfigError) return undefined; // reported when the file is read for planning
        throw e;
    }
}

/**
 * A full garbage collection, run between stacks. What a stack leaves behind is small (its hub's outputs), but V8
 * collects lazily: left alone, the heap grows with every stack planned (measured: 530 MB peak for 4 stacks, 790-870 MB
 * for 12) though only ~80 MB stays live. A collection between stacks costs ~50 ms and keeps the peak at one stack's.
 */
function fullGc(): () => void {
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc") as () => void;
}

/** The worse of two exit codes: a program error over bad input over a failed report. */
const worse = (a: number, b: number) => ([EXIT.programError, EXIT.badInput, EXIT.failed].find((c) => c === a || c === b) ?? EXIT.ok);

export async function main(argv: string[]): Promise<number> {
    let opts: Options;
    let selected: StackFile[];
    try {
        opts = parse(argv);
        selected = selectStacks(listStacks(), opts.stacks, opts.all);
    } catch (e) {
        if (e instanceof UsageError || e instanceof ConfigError) {
            console.error(`plan: ${e.message}`);
            if (e instanceof UsageError) console.error(USAGE);
            return EXIT.badInput;
        }
        throw e;
    }
    try {
        prepareOutDir(opts.out);
    } catch (e) {
        console.error(`plan: --out ${opts.out}: ${(e as Error).message}`);
        return EXIT.badInput;
    }
    // Each stack file is read and its config validated before anything is planned: a broken file fails in a second,
    // naming its file and keys; the other stacks are still planned unless they read it, and a hub selected only for
    // spokes that all failed is not planned for nothing.
    const { setPlanNow } = require("../../config/clock") as typeof import("../../config/clock");
    const { validateHubConfig, validateSpokeConfig } = require("../../config") as typeof import("../../config");
    setPlanNow(opts.now);
    let exitCode: number = EXIT.ok;
    const failed = new Set<string>();
    for (const sf of selected) {
        try {
            const config = readStackConfig(sf.file);
            for (const w of unknownNamespaceWarnings(sf.file, config)) console.error(`plan: warning: ${w}`);
            const raw = namespaceValues(config);
            if (sf.kind === "hub") validateHubConfig(sf.stack, sf.file, raw);
            else validateSpokeConfig(sf.stack, sf.file, raw);
        } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            printConfigError(sf, e);
            failed.add(sf.stack);
            exitCode = worse(exitCode, EXIT.badInput);
        }
    }
    const requested = new Set(opts.stacks);
    const unneeded = new Set(
        selected
            .filter((h) => h.kind === "hub" && !opts.all && !requested.has(h.stack))
            .filter((h) => selected.every((s) => hubOf(s) !== h.stack || failed.has(s.stack)))
            .map((h) => h.stack),
    );

    // The SDK formats a full stack trace for every resource it
    // registers (source positions, which the offline plan never uses); mapping each frame through tsx's source maps
    // costs ~20% of planning, so frames stay unmapped unless --verbose asks for readable traces.
    if (!opts.verbose) process.setSourceMapsEnabled(false);
    deferTypescriptForPulumi();
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { prepareReporters } = require("./reports") as typeof import("./reports");
    // Reporters start their slow independent work now (the GitOps renders run as kubectl processes meanwhile).
    timing("arguments read");
    const reporters = prepareReporters(selected);
    timing("reporters loaded and prepared");
    const { planStack, ProgramError } = require("./run") as typeof import("./run");
    const { buildExport } = require("./export") as typeof import("./export");
    const { countByType, renderCounts, renderTree } = require("./print") as typeof import("./print");
    /* eslint-enable @typescript-eslint/no-require-imports */


    const version = sdkVersion();
    // Only the outputs later stacks read through StackReference are kept: each stack's resources are written out
    // and released as soon as its reports are done, so memory does not grow with the number of stacks.
    const referable: Record<string, Record<string, unknown>> = {};
    const summaries: StackSummary[] = [];
    let failures = 0;
    const collect = fullGc();
    for (const sf of selected) {
        if (failed.has(sf.stack) || unneeded.has(sf.stack)) continue;
        const hub = hubOf(sf);
        if (hub && failed.has(hub)) {
            console.error(`plan: ${sf.stack}: not planned: it reads the outputs of ${hub}, which failed`);
            failed.add(sf.stack);
            continue;
        }
        collect();
        let p: PlannedStack;
        try {
            timing(`${sf.stack}: program starts`);
            p = await planStack(sf, referable, opts.now, { traces: opts.verbose });
            timing(`${sf.stack}: program planned`);
        } catch (e) {
            failed.add(sf.stack);
            if (e instanceof ConfigError) {
                printConfigError(sf, e);
                exitCode = worse(exitCode, EXIT.badInput);
                continue;
            }
            if (e instanceof ProgramError) {
                console.error(`plan: ${e.message}`);
                if (opts.verbose) console.error(e.traces.join("\n"));
                exitCode = worse(exitCode, EXIT.programError);
                continue;
            }
            throw e;
        }
        if (sf.kind === "hub") referable[p.qualifiedName] = p.outputs;
        const exported = buildExport(p, version);
        const exportFile = path.join(opts.out, `${sf.stack}.json`);
        writeFileAtomic(exportFile, JSON.stringify(exported, null, 2) + "\n");

        // One count everywhere (header, table, policy line, summary): what the stack manages, providers included;
        // reads (StackReference, .get()) are in the export as `external` and counted apart.
        const all = exported.deployment.resources.filter((r) => !r.external);
        const reads = exported.deployment.resources.length - all.length;
        const reports = await runReporters(reporters, p, exported, opts.verbose);
        const stackFailures = reports.reduce((n, r) => n + r.failures, 0);
        failures += stackFailures;
        const reportHeader = (r: PlanReport) => `--- ${r.title}${r.failures ? ` — ${r.failures} failure${r.failures > 1 ? "s" : ""}` : ""}`;
        if (opts.quiet) {
            // One line per stack; a failed report follows with its lines.
            console.log(`${sf.stack}: ${all.length} resources, ${reports.length} reports, ${stackFailures ? `${stackFailures} failure(s)` : "no failures"}; wrote ${exportFile}`);
            for (const r of reports.filter((x) => x.failures)) console.log([`  ${reportHeader(r)}`, ...r.lines.map((l) => `    ${l}`)].join("\n"));
        } else {
            console.log(`\n=== ${sf.stack} (${sf.project}, ${sf.file}) — ${all.length} resources${reads ? ` (+${reads} read)` : ""} ===`);
            console.log(renderTree(p.resources).join("\n"));
            console.log("\nresources by type:");
            console.log(renderCounts(all).join("\n"));
            for (const r of reports) {
                console.log(`\n${reportHeader(r)}`);
                if (r.lines.length) console.log(r.lines.map((l) => `  ${l}`).join("\n"));
            }
            console.log(`\nwrote ${exportFile}`);
        }
        summaries.push({
            stack: sf.stack,
            project: sf.project,
            file: sf.file,
            resources: all.length,
            byType: Object.fromEntries(countByType(all)),
            exportFile: path.basename(exportFile),
            reports: reports.map(({ title, failures: f, lines, data }) => ({ title, failures: f, lines, data })),
        });
    }
    writeFileAtomic(path.join(opts.out, "summary.json"), JSON.stringify({ stacks: summaries, failures }, null, 2) + "\n");
    const notPlanned = failed.size ? `; not planned: ${[...failed].join(", ")}` : "";
    console.log(`${opts.quiet ? "" : "\n"}planned ${summaries.map((s) => `${s.stack} (${s.resources})`).join(", ") || "nothing"}; ${failures ? `${failures} failure(s)` : "no failures"}${notPlanned}`);
    return worse(exitCode, failures ? EXIT.failed : EXIT.ok);
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`plan: unexpected error: ${e instanceof Error ? e.message : String(e)}`);
            if (process.argv.includes("--verbose")) console.error(e);
            process.exit(EXIT.programError);
        },
    );
}
