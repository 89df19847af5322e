/**
 * `npm run bench [-- --runs N]`: medians of wall-clock time over N runs (default 5) of
 *   floor       node -e "require('@pulumi/pulumi')"   (what any Pulumi program pays before doing anything)
 *   one stack   the offline plan of prd-uaenorth (with the hub it reads), every reporter included (policy pack,
 *               GitOps render + validation of that spoke, quota, certificates, secrets)
 *   all stacks  the offline plan of all four stacks, likewise
 *   cold        the one-stack plan with empty GitOps caches (a fresh AIPLATFORM_CACHE_DIR per run: every overlay
 *               rendered by kubectl, every schema validator compiled), as on a fresh clone or after a schema bump
 *   validate    npm run validate:gitops -- --env prd-uaenorth (render + validate one cluster, no Pulumi program)
 *   tsc         tsc --noEmit over the whole project
 * and their ratios to the floor, against the targets: one stack ≤ 3× floor, all stacks ≤ 8× floor; then the RAG
 * request path's overhead (apps/rag/tools/bench.ts: the RAG service + a gateway hop over a loopback model answering
 * instantly) against the < 100 ms budget.
 * One untimed run of each case comes first, as a developer's second run would find the OS file cache, tsx's
 * transform cache and the GitOps caches. Exit 0 always unless a command fails: the figures are for people, not a gate.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { helpAsked } from "./cli-help";

const ROOT = path.resolve(__dirname, "..");
/** How the npm scripts run TypeScript: node with tsx's loader, one process (DEP0040: see tests/support/scratch.ts). */
const TSX = ["--disable-warning=DEP0040", "--import", "tsx"];
const TSC = require.resolve("typescript/bin/tsc");

interface Case {
    name: string;
    argv: string[];
    target?: number;
    /** Run with an empty GitOps cache folder each time. */
    cold?: boolean;
}

function timeOnce(argv: string[], cold = false): number {
    const env = { ...process.env };
    if (cold) env.AIPLATFORM_CACHE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "aiplatform-bench-cache-"));
    const start = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], env });
    if (cold) fs.rmSync(env.AIPLATFORM_CACHE_DIR!, { recursive: true, force: true });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.slice(1).join(" ")} exited ${r.status}: ${r.stderr.slice(-500)}`);
    return ms;
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const USAGE = "usage: npm run bench -- [--runs N]   (median of N runs per case, default 5)";

function main() {
    if (helpAsked(process.argv.slice(2))) {
        console.log(USAGE);
        return;
    }
    let values;
    try {
        values = parseArgs({ options: { runs: { type: "string", default: "5" } } }).values;
    } catch (e) {
        console.error(`bench: ${(e as Error).message}\n${USAGE}`);
        process.exit(2);
    }
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) {
        console.error(`bench: --runs must be a positive integer, got '${values.runs}'`);
        process.exit(2);
    }
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "aiplatform-bench-"));
    const node = process.execPath;
    const cases: Case[] = [
        { name: "floor: require('@pulumi/pulumi')", argv: [node, "-e", "require('@pulumi/pulumi')"] },
        { name: "plan one stack (prd-uaenorth + hub)", argv: [node, ...TSX, "tools/plan/cli.ts", "--stack", "prd-uaenorth", "--quiet", "--out", out], target: 3 },
        { name: "plan all stacks", argv: [node, ...TSX, "tools/plan/cli.ts", "--all", "--quiet", "--out", out], target: 8 },
        { name: "plan one stack, cold GitOps caches", argv: [node, ...TSX, "tools/plan/cli.ts", "--stack", "prd-uaenorth", "--quiet", "--out", out], cold: true },
        { name: "validate:gitops prd-uaenorth", argv: [node, ...TSX, "tools/gitops/cli.ts", "--env", "prd-uaenorth"] },
        { name: "tsc --noEmit", argv: [node, TSC, "--noEmit", "-p", "tsconfig.json"] },
    ];
    const load = os.loadavg()[0];
    // One untimed run of each warms the OS file cache, tsx's transform cache and the GitOps caches, as a developer's
    // second run would.
    for (const c of cases) timeOnce(c.argv);
    const results = cases.map((c) => ({ ...c, ms: median(Array.from({ length: runs }, () => timeOnce(c.argv, c.cold))) }));
    const floor = results[0].ms;
    console.log(`median of ${runs} runs on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown cpu"}), node ${process.version}`);
    console.log(`load average ${load.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after (other work on the machine inflates every figure)\n`);
    console.log(`${"case".padEnd(40)} ${"median".padStart(9)} ${"× floor".padStart(8)}  target`);
    for (const r of results) {
        const ratio = r.ms / floor;
        const verdict = r.target === undefined ? "" : `≤ ${r.target}×  ${ratio <= r.target ? "met" : "MISSED"}`;
        console.log(`${r.name.padEnd(40)} ${(r.ms / 1000).toFixed(2).padStart(8)}s ${ratio.toFixed(2).padStart(7)}×  ${verdict}`);
    }
    fs.rmSync(out, { recursive: true, force: true });

    const rag = spawnSync(node, [...TSX, "apps/rag/tools/bench.ts"], { cwd: ROOT, encoding: "utf8" });
    if (rag.status !== 0) throw new Error(`apps/rag/tools/bench.ts exited ${rag.status}: ${rag.stderr.slice(-500)}`);
    const o = JSON.parse(rag.stdout.trim().split("\n").at(-1)!) as { requests: number; concurrency: number; added: { p50: number; p99: number }; rag: { rps: number; busyP99: number; cpuMsPerRequest: number; rpsPerCore: number } };
    const within = o.added.p99 < RAG_BUDGET_MS ? "met" : "MISSED";
    console.log(`\nRAG request path (RAG service + gateway hop, loopback model answering instantly; ${o.requests} sequential requests, then ${o.concurrency} concurrent):`);
    console.log(`  added latency p50 ${o.added.p50} ms, p99 ${o.added.p99} ms (budget < ${RAG_BUDGET_MS} ms: ${within}); ${o.rag.rps} requests/s at ${o.concurrency} concurrent (p99 ${o.rag.busyP99} ms)`);
    console.log(`  RAG service CPU ${o.rag.cpuMsPerRequest} ms per request: ${o.rag.rpsPerCore} requests/s per core (load-independent)`);
}

/** The plan's real-time inference budget the platform's own hops must stay inside (issue 19). */
const RAG_BUDGET_MS = 100;

main();
