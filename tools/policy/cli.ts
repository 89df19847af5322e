/**
 * `npm run policy -- <file>... [--format text|json] [--config <pack-config.json|yaml>] [--k8s-version latest|v1.N] [--verbose]`
 *
 * Runs the policy pack over each file (a `pulumi stack export`, `pulumi preview --json` output, or Kubernetes
 * manifests; detected by content). Whole-stack rules see every resource of one file. `--k8s-version` is the Pod
 * Security Standards version the `pss-*` rules judge at, as the PSA `version` label (default latest).
 *
 * Exit codes: 0 no mandatory violation; 1 at least one mandatory violation; 2 bad arguments, or a file that is
 * unreadable or of unknown shape, or an invalid pack config (one line naming the file and why).
 */
import * as fs from "fs";
import { parse as parseYaml } from "yaml";
import { evaluateResources, formatReport, mergeReports, PolicyInputError, type PackConfig, type PolicyReport } from "./evaluate";
import { loadInput } from "./inputs";
import { PSS_VERSION_PATTERN } from "../../policies/lib/pss-version";
import { helpAsked } from "../cli-help";

export const EXIT_OK = 0;
export const EXIT_MANDATORY = 1;
export const EXIT_BAD_INPUT = 2;

const USAGE = "usage: npm run policy -- <file>... [--format text|json] [--config <pack-config.json>] [--k8s-version latest|v1.N] [--verbose]";

export interface CliIo {
    out: (line: string) => void;
    err: (line: string) => void;
}

interface Args {
    files: string[];
    format: "text" | "json";
    config?: string;
    k8sVersion?: string;
    verbose: boolean;
}

function parseArgs(argv: readonly string[]): Args {
    const args: Args = { files: [], format: "text", verbose: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
        const value = (): string => {
            const v = inline ?? argv[++i];
            if (v === undefined || v === "") throw new PolicyInputError(`${flag} needs a value`);
            return v;
        };
        if (flag === "--format") {
            const f = value();
            if (f !== "text" && f !== "json") throw new PolicyInputError(`--format must be text or json, not "${f}"`);
            args.format = f;
        } else if (flag === "--config") args.config = value();
        else if (flag === "--k8s-version") {
            const v = value();
            if (!new RegExp(PSS_VERSION_PATTERN).test(v)) throw new PolicyInputError(`--k8s-version must be "latest" or "v1.N" (the PSA version label, e.g. v1.33), not "${v}"`);
            args.k8sVersion = v;
        }
        else if (flag === "--verbose") args.verbose = true;
        else if (a.startsWith("-")) throw new PolicyInputError(`unknown option ${a}`);
        else args.files.push(a);
    }
    if (args.files.length === 0) throw new PolicyInputError(`no input file\n${USAGE}`);
    return args;
}

function readConfig(file: string): PackConfig {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new PolicyInputError(`${file}: cannot read pack config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    try {
        const cfg = parseYaml(text) as unknown;
        if (!cfg || typeof cfg !== "object" || Array.isArray(cfg)) throw new Error("expected a map of rule name to level or settings");
        return cfg as PackConfig;
    } catch (e) {
        throw new PolicyInputError(`${file}: invalid pack config: ${(e as Error).message.split("\n")[0]}`);
    }
}

export function main(argv: readonly string[], io: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) }): number {
    let args: Args | undefined;
    if (helpAsked(argv)) {
        io.out(USAGE);
        return EXIT_OK;
    }
    try {
        args = parseArgs(argv);
        const config = args.config ? readConfig(args.config) : undefined;
        const reports: PolicyReport[] = [];
        for (const file of args.files) {
            let report: PolicyReport;
            try {
                report = evaluateResources(loadInput(file).resources, { config, pssVersion: args.k8sVersion });
            } catch (e) {
                if (e instanceof PolicyInputError && !e.message.startsWith("pack config")) throw new PolicyInputError(`${file}: ${e.message}`);
                throw e;
            }
            reports.push(report);
        }
        const merged = mergeReports(reports);
        io.out(formatReport(merged, args.format));
        return merged.mandatory > 0 ? EXIT_MANDATORY : EXIT_OK;
    } catch (e) {
        if (e instanceof PolicyInputError) {
            for (const line of e.message.split("\n")) io.err(`policy: ${line}`);
        } else {
            io.err(`policy: ${(e as Error).message}`);
            if (args?.verbose) io.err((e as Error).stack ?? "");
        }
        return EXIT_BAD_INPUT;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
