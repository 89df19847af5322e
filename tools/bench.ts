/**
 * `npm run bench [-- --runs N]`: medians of wall-clock time over N runs (default 5) of
 *   floor      node -e "require('@pulumi/pulumi')"   (what any Pulumi program pays before doing anything)
 *   one stack  the offline plan of prd-uaenorth (with the hub it reads), reporters included
 *   all stacks the offline plan of all four stacks
 *   tsc        tsc --noEmit over the whole project
 * and their ratios to the floor, against the targets: one stack ≤ 3× floor, all stacks ≤ 8× floor.
 * Exit 0 always unless a command fails: the figures are for people, not a gate.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";

const ROOT = path.resolve(__dirname, "..");
const TSX = require.resolve("tsx/cli");
const TSC = require.resolve("typescript/bin/tsc");

interface Case {
    name: string;
    argv: string[];
    target?: number;
}

function timeOnce(argv: string[]): number {
    const start = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.slice(1).join(" ")} exited ${r.status}: ${r.stderr.slice(-500)}`);
    return ms;
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function main() {
    const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) {
        console.error(`bench: --runs must be a positive integer, got '${values.runs}'`);
        process.exit(2);
    }
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "aiplatform-bench-"));
    const node = process.execPath;
    const cases: Case[] = [
        { name: "floor: require('@pulumi/pulumi')", argv: [node, "-e", "require('@pulumi/pulumi')"] },
        { name: "plan one stack (prd-uaenorth + hub)", argv: [node, TSX, "tools/plan/cli.ts", "--stack", "prd-uaenorth", "--quiet", "--out", out], target: 3 },
        { name: "plan all stacks", argv: [node, TSX, "tools/plan/cli.ts", "--all", "--quiet", "--out", out], target: 8 },
        { name: "tsc --noEmit", argv: [node, TSC, "--noEmit", "-p", "tsconfig.json"] },
    ];
    // One untimed run of each warms the OS file cache and tsx's transform cache, as a developer's second run would.
    for (const c of cases) timeOnce(c.argv);
    const results = cases.map((c) => ({ ...c, ms: median(Array.from({ length: runs }, () => timeOnce(c.argv))) }));
    const floor = results[0].ms;
    console.log(`median of ${runs} runs on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown cpu"}), node ${process.version}\n`);
    console.log(`${"case".padEnd(40)} ${"median".padStart(9)} ${"× floor".padStart(8)}  target`);
    for (const r of results) {
        const ratio = r.ms / floor;
        const verdict = r.target === undefined ? "" : `≤ ${r.target}×  ${ratio <= r.target ? "met" : "MISSED"}`;
        console.log(`${r.name.padEnd(40)} ${(r.ms / 1000).toFixed(2).padStart(8)}s ${ratio.toFixed(2).padStart(7)}×  ${verdict}`);
    }
    fs.rmSync(out, { recursive: true, force: true });
}

main();
