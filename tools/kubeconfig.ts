/**
 * `npm run kubeconfig -- --stack <name> [--file <path>] [--subscription <id>] [--dry-run]`
 *
 * Fetches an Entra ID kubeconfig for a spoke's private AKS cluster: `az aks get-credentials` (user credentials;
 * local accounts are disabled, so there are no admin credentials) and `kubelogin convert-kubeconfig -l azurecli`
 * (kubectl then uses your `az login` token instead of a device-code prompt). Cluster and resource group names come
 * from the stack file through the same naming module the program uses.
 *
 * The API server is private: kubectl must run from a network that resolves and reaches it (the hub/spoke VNets,
 * e.g. over the hub VPN or a jump host).
 *
 * Exit codes: 0 ok · 2 bad arguments or unknown stack · 3 az or kubelogin not installed · 4 a command failed.
 */
import { spawnSync } from "child_process";
import { parseArgs } from "util";
import { Namer } from "../components/core/naming";
import { listStacks, namespaceValues, readStackConfig, REPO_ROOT } from "../config/stack-files";
import { helpAsked } from "./cli-help";

export const EXIT = { ok: 0, usage: 2, missingTool: 3, commandFailed: 4 } as const;

export interface RunResult {
    /** Exit status; null when the process could not start or was killed. */
    status: number | null;
    /** Set when the command could not start (ENOENT: not installed). */
    error?: NodeJS.ErrnoException;
}

/** Runs a command; `quiet` swallows its output (tool probes), otherwise it goes to the terminal. */
export type Runner = (command: string, args: string[], quiet: boolean) => RunResult;

export interface Deps {
    run: Runner;
    log: (line: string) => void;
    error: (line: string) => void;
    /** Repository root holding the stack files. */
    root: string;
}

export const spawnRunner: Runner = (command, args, quiet) => {
    const r = spawnSync(command, args, { stdio: quiet ? "ignore" : "inherit", shell: process.platform === "win32" });
    return { status: r.status, ...(r.error ? { error: r.error as NodeJS.ErrnoException } : {}) };
};

const USAGE = "usage: npm run kubeconfig -- --stack <name> [--file <kubeconfig path>] [--subscription <id>] [--dry-run]";

/** What to install when a tool is missing. */
export const TOOLS = {
    az: "Azure CLI (az) is not installed or not on PATH: install it (https://aka.ms/install-azure-cli), then run `az login`",
    kubelogin: "kubelogin is not installed or not on PATH: install it with `az aks install-cli` or from https://azure.github.io/kubelogin/install.html",
} as const;

class UsageError extends Error {}

export interface Target {
    stack: string;
    environment: string;
    resourceGroup: string;
    cluster: string;
}

/** Cluster and resource group of a spoke stack, named as the program names them. */
export function targetOf(stack: string, root: string): Target {
    const stacks = listStacks(root);
    const spokes = stacks.filter((s) => s.kind === "spoke").map((s) => s.stack);
    const sf = stacks.find((s) => s.stack === stack);
    if (!sf) throw new UsageError(`unknown stack '${stack}'; clusters exist in: ${spokes.join(", ")}`);
    if (sf.kind !== "spoke") throw new UsageError(`${stack} is the hub and has no cluster; clusters exist in: ${spokes.join(", ")}`);
    const v = namespaceValues(readStackConfig(sf.file, root));
    const [prefix, environment, location] = [v.namePrefix, v.environment, v.location];
    if (typeof prefix !== "string" || typeof environment !== "string" || typeof location !== "string") {
        throw new UsageError(`${sf.file}: aiplatform:namePrefix, aiplatform:environment and aiplatform:location must be set`);
    }
    let names: Namer;
    try {
        names = new Namer({ prefix, environment, location });
        return { stack, environment, resourceGroup: names.of("resourceGroup"), cluster: names.of("aksCluster") };
    } catch (e) {
        throw new UsageError(`${sf.file}: ${(e as Error).message}`);
    }
}

export interface Options {
    stack: string;
    file?: string;
    subscription?: string;
    dryRun: boolean;
}

export function parseOptions(argv: string[]): Options {
    let v;
    try {
        v = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                file: { type: "string" },
                subscription: { type: "string" },
                "dry-run": { type: "boolean", default: false },
            },
            allowPositionals: false,
        }).values;
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    if (!v.stack) throw new UsageError("--stack <name> is required");
    if (v.subscription !== undefined && !/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(v.subscription)) {
        throw new UsageError(`--subscription '${v.subscription}' is not a subscription id (GUID)`);
    }
    return { stack: v.stack, file: v.file, subscription: v.subscription, dryRun: v["dry-run"] === true };
}

/** The two commands, in order. */
export function commandsFor(t: Target, o: Options): [string, string[]][] {
    return [
        [
            "az",
            [
                "aks", "get-credentials",
                "--resource-group", t.resourceGroup,
                "--name", t.cluster,
                "--overwrite-existing",
                ...(o.file ? ["--file", o.file] : []),
                ...(o.subscription ? ["--subscription", o.subscription] : []),
            ],
        ],
        ["kubelogin", ["convert-kubeconfig", "--login", "azurecli", ...(o.file ? ["--kubeconfig", o.file] : [])]],
    ];
}

function show(cmd: string, args: string[]): string {
    return [cmd, ...args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`))].join(" ");
}

export function main(argv: string[], deps: Deps): number {
    let opts: Options;
    let target: Target;
    if (helpAsked(argv)) {
        deps.log(USAGE);
        return EXIT.ok;
    }
    try {
        opts = parseOptions(argv);
        target = targetOf(opts.stack, deps.root);
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        deps.error(`kubeconfig: ${e.message}`);
        deps.error(USAGE);
        return EXIT.usage;
    }
    const commands = commandsFor(target, opts);
    if (opts.dryRun) {
        for (const [cmd, args] of commands) deps.log(show(cmd, args));
        return EXIT.ok;
    }

    // Both tools are checked before anything runs, so a half-written kubeconfig never happens.
    const missing = (Object.keys(TOOLS) as (keyof typeof TOOLS)[]).filter((tool) => {
        const probe = deps.run(tool, tool === "az" ? ["version"] : ["--version"], true);
        return probe.error?.code === "ENOENT" || (probe.error !== undefined && probe.status === null);
    });
    if (missing.length) {
        for (const tool of missing) deps.error(`kubeconfig: ${TOOLS[tool]}`);
        return EXIT.missingTool;
    }

    for (const [cmd, args] of commands) {
        const r = deps.run(cmd, args, false);
        if (r.status !== 0) {
            const hint =
                cmd === "az"
                    ? ` — are you logged in (\`az login\`) to the subscription holding ${target.resourceGroup}${opts.subscription ? "" : " (or pass --subscription)"}, with the AKS Cluster User role?`
                    : "";
            deps.error(`kubeconfig: \`${show(cmd, args)}\` failed (${r.error ? r.error.message : `exit ${r.status}`})${hint}`);
            return EXIT.commandFailed;
        }
    }
    deps.log(`kubeconfig: context '${target.cluster}' written to ${opts.file ?? "your default kubeconfig"}; kubectl signs in with your az login (Entra ID, Azure RBAC).`);
    deps.log(
        `kubeconfig: the API server is private — run kubectl from a network that reaches the ${target.stack} spoke (hub VPN or a jump host)${
            target.environment === "prd" ? "" : `, or use \`az aks command invoke -g ${target.resourceGroup} -n ${target.cluster} --command "kubectl get nodes"\``
        }.`,
    );
    return EXIT.ok;
}

if (require.main === module) {
    process.exit(main(process.argv.slice(2), { run: spawnRunner, log: console.log, error: console.error, root: REPO_ROOT }));
}
