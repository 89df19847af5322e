/**
 * The one typed, validated reading of stack config. `loadSpokeConfig()` / `loadHubConfig()` run before any
 * resource is declared and throw a ConfigError listing every problem (file, key, value, what is allowed).
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { checkCrossStackAddresses, type StackAddresses } from "./address-plan";
import { automationPrincipalProblems } from "./automation-principal";
import { edgeZoneProblems, type StackEdgeFacts } from "../components/edge/zone-ownership";
import { ConfigError, formatProblem, type Problem } from "./problems";
import { hubRules, spokeRules } from "./rules";
import { hubSchema, type HubConfig, spokeSchema, type SpokeConfig } from "./schema";
import { CONFIG_NAMESPACE, listStacks, namespaceValues, readStackConfig, REPO_ROOT } from "./stack-files";

export * from "./schema";
export { ConfigError } from "./problems";

function zodProblems(error: z.ZodError): Problem[] {
    return error.issues.map((i) => {
        const path = i.path.filter((p): p is string | number => typeof p !== "symbol");
        if (i.code === "unrecognized_keys") {
            return { path, message: `unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `'${k}'`).join(", ")}` };
        }
        if (i.code === "invalid_type" && i.input === undefined) return { path, message: `is required (${i.expected})` };
        return { path, message: i.message };
    });
}

/**
 * When the schema fails, the cross-field rules still run on the top-level keys that did parse, so one pass reports
 * every problem it can: a rule that needs a key that failed (it throws on the missing section) adds nothing, and no
 * rule problem is reported under a key the schema already rejected.
 */
function semanticProblemsDespite(structural: Problem[], schema: z.ZodObject, raw: Record<string, unknown>, checks: ((partial: any) => Problem[])[]): Problem[] {
    const failed = new Set(structural.map((p) => p.path[0]));
    const partial: Record<string, unknown> = {};
    for (const [key, sub] of Object.entries(schema.shape)) {
        const r = (sub as z.ZodType).safeParse(raw[key]);
        if (r.success) partial[key] = r.data;
    }
    return checks.flatMap((check) => {
        try {
            return check(partial).filter((p) => !failed.has(p.path[0]));
        } catch {
            return [];
        }
    });
}

function validate<S extends z.ZodObject>(
    schema: S,
    rules: (stack: string, cfg: z.infer<S>) => Problem[],
    stack: string,
    file: string,
    raw: Record<string, unknown>,
    crossStack: (cfg: z.infer<S>) => Problem[],
): z.infer<S> {
    const checks = [(cfg: z.infer<S>) => rules(stack, cfg), crossStack];
    const parsed = schema.safeParse(raw, { reportInput: true });
    let problems: Problem[];
    if (parsed.success) problems = checks.flatMap((check) => check(parsed.data));
    else {
        const structural = zodProblems(parsed.error);
        problems = [...structural, ...semanticProblemsDespite(structural, schema, raw, checks)];
    }
    if (problems.length) throw new ConfigError(file, problems.map((p) => formatProblem(file, raw, p)));
    return parsed.data as z.infer<S>;
}

/** Address facts of every other stack file in the repository, for the cross-stack overlap check. */
function otherStacksAddresses(self: string, root: string): StackAddresses[] {
    return listStacks(root)
        .filter((s) => s.stack !== self)
        .map((s) => {
            const net = (namespaceValues(readStackConfig(s.file, root)).network ?? {}) as Record<string, unknown>;
            const str = (v: unknown) => (typeof v === "string" ? v : undefined);
            return { file: s.file, addressSpace: str(net.addressSpace), podCidr: str(net.podCidr), serviceCidr: str(net.serviceCidr) };
        });
}

export function validateSpokeConfig(stack: string, file: string, raw: Record<string, unknown>, root = REPO_ROOT): SpokeConfig {
    return validate(spokeSchema, spokeRules, stack, file, raw, (cfg) => [
        ...checkCrossStackAddresses(
            { file, addressSpace: cfg.network.addressSpace, podCidr: cfg.network.podCidr, serviceCidr: cfg.network.serviceCidr },
            otherStacksAddresses(stack, root),
        ),
        // The Cloudflare zone is shared by the spokes: one WAF owner per zone, one domain per zone.
        ...edgeZoneProblems(
            { file, edge: cfg.features.edge ? cfg.edge : undefined },
            listStacks(root)
                .filter((s) => s.kind === "spoke" && s.stack !== stack)
                .map((s) => ({ file: s.file, edge: namespaceValues(readStackConfig(s.file, root)).edge as StackEdgeFacts["edge"] })),
        ),
        ...automationPrincipalProblems(
            { file, automation: cfg.rbac.automation },
            listStacks(root)
                .filter((s) => s.stack !== stack)
                .map((s) => ({ file: s.file, automation: (namespaceValues(readStackConfig(s.file, root)).rbac as { automation?: unknown } | undefined)?.automation })),
        ),
    ]);
}

export function validateHubConfig(stack: string, file: string, raw: Record<string, unknown>, root = REPO_ROOT): HubConfig {
    return validate(hubSchema, hubRules, stack, file, raw, (cfg) => {
        const problems = checkCrossStackAddresses({ file, addressSpace: cfg.network.addressSpace }, otherStacksAddresses(stack, root));
        const known = new Set(listStacks(root).filter((s) => s.kind === "spoke").map((s) => s.stack));
        cfg.spokes.forEach((s, i) => {
            if (!known.has(s)) problems.push({ path: ["spokes", i], message: `has no stack file Pulumi.${s}.yaml (known: ${[...known].join(", ")})` });
        });
        return problems;
    });
}

/** Our namespace from the running program's config (JSON-decoded where the CLI passed structured values). */
function runtimeValues(): Record<string, unknown> {
    const all = pulumi.runtime.allConfig();
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(all)) {
        if (!k.startsWith(CONFIG_NAMESPACE + ":")) continue;
        let value: unknown = v;
        try {
            value = JSON.parse(v);
        } catch {
            // a plain string value
        }
        out[k.slice(CONFIG_NAMESPACE.length + 1)] = value;
    }
    return out;
}

function stackFileOf(stack: string, kind: "spoke" | "hub"): string {
    return kind === "hub" ? `hub/Pulumi.${stack}.yaml` : `Pulumi.${stack}.yaml`;
}

export function loadSpokeConfig(): SpokeConfig {
    const stack = pulumi.getStack();
    return validateSpokeConfig(stack, stackFileOf(stack, "spoke"), runtimeValues());
}

export function loadHubConfig(): HubConfig {
    const stack = pulumi.getStack();
    return validateHubConfig(stack, stackFileOf(stack, "hub"), runtimeValues());
}

/** Address spaces of the spokes the hub serves, read from their stack files (one source of truth). */
export function spokeAddressSpaces(spokes: string[], root = REPO_ROOT): Record<string, string> {
    const out: Record<string, string> = {};
    for (const s of spokes) {
        const net = namespaceValues(readStackConfig(stackFileOf(s, "spoke"), root)).network as { addressSpace: string };
        out[s] = net.addressSpace;
    }
    return out;
}
