/**
 * `npm run validate:gitops [-- --env <env-region>]... [--format text|json] [--verbose]`
 *
 * Renders and validates every cluster's GitOps layers offline (see tools/gitops/validate.ts).
 * Exit codes: 0 valid · 1 validation errors · 2 bad input (unknown environment, bad arguments)
 *             3 tooling missing or broken (kubectl not installed, internal error).
 */
import { parseArgs } from "util";
import { type GitopsReport, GitopsUsageError, KubectlMissingError, validateGitops } from "./validate";

export const EXIT = { ok: 0, invalid: 1, badInput: 2, tooling: 3 } as const;

const USAGE = `usage: npm run validate:gitops -- [--env <env-region>]... [--format text|json] [--verbose]

  --env <name>     validate this cluster only (dev-uaenorth, or an environment: dev); repeatable; default all
  --format <fmt>   text (default) or json (the GitopsReport)
  --verbose        stack traces for internal errors`;

export function formatText(report: GitopsReport): string {
    const lines: string[] = [];
    for (const o of report.overlays) {
        const status = o.errors.length ? `${o.errors.length} error(s)` : "ok";
        lines.push(`${o.env}  ${o.path}  ${o.objects} object(s)  ${status}${o.warnings.length ? `, ${o.warnings.length} warning(s)` : ""}`);
        for (const e of o.errors) lines.push(`  error: ${e}`);
        for (const w of o.warnings) lines.push(`  warning: ${w}`);
    }
    lines.push(report.errors ? `${report.errors} error(s): the GitOps tree is not valid` : "the GitOps tree is valid");
    return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
    let values;
    try {
        values = parseArgs({
            args: argv,
            options: {
                env: { type: "string", multiple: true },
                format: { type: "string", default: "text" },
                verbose: { type: "boolean", default: false },
                help: { type: "boolean", default: false },
            },
            allowPositionals: false,
        }).values;
    } catch (e) {
        console.error(`${(e as Error).message}\n${USAGE}`);
        return EXIT.badInput;
    }
    if (values.help) {
        console.log(USAGE);
        return EXIT.ok;
    }
    if (values.format !== "text" && values.format !== "json") {
        console.error(`--format must be text or json, not '${values.format}'`);
        return EXIT.badInput;
    }
    try {
        const report = await validateGitops({ envs: values.env });
        console.log(values.format === "json" ? JSON.stringify(report, null, 2) : formatText(report));
        return report.errors ? EXIT.invalid : EXIT.ok;
    } catch (e) {
        if (e instanceof GitopsUsageError) {
            console.error(e.message);
            return EXIT.badInput;
        }
        if (e instanceof KubectlMissingError) {
            console.error(e.message);
            return EXIT.tooling;
        }
        const err = e as Error & { messages?: string[] };
        console.error(err.messages ? err.messages.join("\n") : `validate:gitops failed: ${err.message}`);
        if (values.verbose) console.error(err.stack);
        return EXIT.tooling;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
