/**
 * Which stacks a command acts on, in which order, and what their stack files say about secrets. Stacks come from
 * the repository's stack files (config/stack-files.ts); the order is hub first, then spokes dev → stg → prd, the
 * order a deployment must follow because spokes read the hub's outputs.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { listStacks, namespaceValues, readStackConfig, type StackFile } from "../config/stack-files";
import { EXIT } from "./exit-codes";
import { PipelineError } from "./errors";

export const ENV_ORDER = ["dev", "stg", "prd"] as const;
export type Env = (typeof ENV_ORDER)[number];

export interface Target extends StackFile {
    /** dev | stg | prd for spokes; undefined for the hub. */
    environment?: Env;
}

function environmentOf(sf: StackFile, root: string): Env | undefined {
    if (sf.kind === "hub") return undefined;
    let env: unknown;
    try {
        env = namespaceValues(readStackConfig(sf.file, root)).environment;
    } catch {
        env = undefined;
    }
    if (typeof env === "string" && (ENV_ORDER as readonly string[]).includes(env)) return env as Env;
    const prefix = sf.stack.split("-")[0];
    return (ENV_ORDER as readonly string[]).includes(prefix) ? (prefix as Env) : undefined;
}

function rank(t: Target): number {
    return t.kind === "hub" ? -1 : t.environment ? ENV_ORDER.indexOf(t.environment) : ENV_ORDER.length;
}

/** Every stack of the repository, hub first, spokes in environment order. */
export function allTargets(root: string): Target[] {
    return listStacks(root)
        .map((sf) => ({ ...sf, environment: environmentOf(sf, root) }))
        .sort((a, b) => rank(a) - rank(b) || a.stack.localeCompare(b.stack));
}

export function findTarget(all: Target[], name: string): Target {
    const t = all.find((s) => s.stack === name);
    if (!t) throw new PipelineError(EXIT.badInput, `unknown stack '${name}'; valid stacks: ${all.map((s) => s.stack).join(", ")}`);
    return t;
}

/** The requested stacks in deployment order (hub before spokes, dev before stg before prd). */
export function selectTargets(all: Target[], names: string[], everything: boolean): Target[] {
    if (everything) return all;
    const wanted = new Set(names.map((n) => findTarget(all, n).stack));
    return all.filter((t) => wanted.has(t.stack));
}

/** A promotion goes one step up the ladder between spokes: dev → stg or stg → prd. */
export function promotionPair(all: Target[], from: string, to: string): { source: Target; target: Target } {
    const source = findTarget(all, from);
    const target = findTarget(all, to);
    if (source.kind !== "spoke" || target.kind !== "spoke") {
        throw new PipelineError(EXIT.badInput, `promote works between spoke stacks; '${source.kind === "hub" ? from : to}' is the hub (deploy it with up)`);
    }
    const a = source.environment ? ENV_ORDER.indexOf(source.environment) : -1;
    const b = target.environment ? ENV_ORDER.indexOf(target.environment) : -1;
    if (a < 0 || b !== a + 1) {
        throw new PipelineError(EXIT.badInput, `cannot promote ${from} (${source.environment ?? "?"}) to ${to} (${target.environment ?? "?"}): promotion goes dev → stg → prd, one step at a time`);
    }
    return { source, target };
}

/** The exact revision the stack's Flux follows (`aiplatform:flux.commit`, prd), if its stack file pins one. */
export function fluxCommitOf(t: Target, root: string): string | undefined {
    const flux = namespaceValues(readStackConfig(t.file, root)).flux as { commit?: unknown } | undefined;
    return typeof flux?.commit === "string" ? flux.commit : undefined;
}

/** The `secretsprovider:` of a stack file, written there when the stack was initialised (README: state backend). */
export function stackSecretsProvider(t: Target, root: string): string | undefined {
    const text = fs.readFileSync(path.join(root, t.file), "utf8");
    const doc = YAML.parse(text) as Record<string, unknown> | null;
    const v = doc?.secretsprovider;
    return typeof v === "string" && v ? v : undefined;
}

/** Stacks must use the Azure Key Vault secrets provider; a passphrase-encrypted stack cannot run in CI. */
export function requireKeyVaultSecrets(t: Target, root: string, override?: string): string {
    const provider = override ?? stackSecretsProvider(t, root);
    if (!provider) {
        throw new PipelineError(
            EXIT.noBackend,
            `${t.file} has no 'secretsprovider:'; initialise the stack once with --create --secrets-provider azurekeyvault://<vault>.vault.azure.net/keys/<key> (README: state backend)`,
        );
    }
    if (!provider.startsWith("azurekeyvault://")) {
        throw new PipelineError(EXIT.noBackend, `${t.file} uses secrets provider '${provider.split(":")[0]}'; this platform requires azurekeyvault:// (README: state backend)`);
    }
    return provider;
}
