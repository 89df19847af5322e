/**
 * The one typed, validated reading of stack config. `loadSpokeConfig()` / `loadHubConfig()` run before any
 * resource is declared and throw a ConfigError listing every problem (file, key, value, what is allowed).
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { checkCrossStackAddresses, checkRegionBlock, overlaps, parseCidr, type StackAddresses } from "./address-plan";
import { automationPrincipalProblems, type StackAutomationFact } from "./automation-principal";
import { planNow } from "./clock";
import { edgeZoneProblems, type StackEdgeFacts } from "./edge-zones";
import { closest, ConfigError, formatProblem, type Problem } from "./problems";
import { hubRules, spokeRules } from "./rules";
import { hubSchema, type HubConfig, spokeSchema, type SpokeConfig } from "./schema";
import { CONFIG_NAMESPACE, listStacks, namespaceValues, readStackConfig, REPO_ROOT, type StackFile, stackRefParts } from "./stack-files";

export * from "./schema";
export { ConfigError } from "./problems";

/** The keys an object schema admits at `path` (through optional/default wrappers and arrays), for suggestions. */
function keysAt(schema: z.ZodType, path: (string | number)[]): string[] {
    let s: any = schema;
    for (const p of [...path, undefined]) {
        while (s?._zod?.def && !s._zod.def.shape && (s._zod.def.innerType || s._zod.def.element)) s = s._zod.def.innerType ?? s._zod.def.element;
        if (p === undefined || typeof p === "number") continue;
        s = s?._zod?.def?.shape?.[p];
    }
    return Object.keys(s?._zod?.def?.shape ?? {});
}

function zodProblems(error: z.ZodError, schema: z.ZodType): Problem[] {
    return error.issues.flatMap((i): Problem[] => {
        const path = i.path.filter((p): p is string | number => typeof p !== "symbol");
        if (i.code === "unrecognized_keys") {
            // One problem per unknown key, at that key, with the known key it most likely means.
            const known = keysAt(schema, path);
            return i.keys.map((k) => {
                const guess = closest(k, known);
                return { path: [...path, k], message: `unknown key${guess ? `; did you mean '${guess}'?` : ` (known: ${known.join(", ")})`}` };
            });
        }
        if (i.input === undefined && i.code === "invalid_type") return [{ path, message: `is required (${i.expected})` }];
        if (i.input === undefined && i.code === "invalid_value") return [{ path, message: `is required (one of ${i.values.map(String).join(", ")})` }];
        return [{ path, message: i.message }];
    });
}

/**
 * When the schema fails, the cross-field rules still run on the top-level keys that did parse, so one pass reports
 * every problem it can: a rule that needs a key that failed (it throws on the missing section) adds nothing, and no
 * rule problem is reported under a key the schema already rejected.
 */
function semanticProblemsDespite(structural: Problem[], schema: z.ZodObject, raw: Record<string, unknown>, checks: ((partial: any) => Problem[])[]): Problem[] {
    const failed = new Set(structural.map((p) => p.path[0]));
    // A misspelt top-level key (`nodepools`) is read as the key it most likely means, so rules that use that
    // section don't report follow-on problems as if it were empty.
    const known = Object.keys(schema.shape);
    const meant: Record<string, unknown> = { ...raw };
    for (const [key, value] of Object.entries(raw)) {
        const guess = known.includes(key) ? undefined : closest(key, known);
        if (guess && raw[guess] === undefined) meant[guess] = value;
    }
    const partial: Record<string, unknown> = {};
    for (const [key, sub] of Object.entries(schema.shape)) {
        const r = (sub as z.ZodType).safeParse(meant[key]);
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
        const structural = zodProblems(parsed.error, schema);
        problems = [...structural, ...semanticProblemsDespite(structural, schema, raw, checks)];
    }
    if (problems.length) throw new ConfigError(file, problems.map((p) => formatProblem(file, raw, p)));
    return parsed.data as z.infer<S>;
}

/**
 * The other stack files' `aiplatform:` values, for the cross-stack rules. A file that does not parse is left out:
 * its own stack reports it, and it must not block the stacks that only compare themselves with it.
 */
function siblings(self: string, root: string): { sf: StackFile; values: Record<string, unknown> }[] {
    return listStacks(root)
        .filter((s) => s.stack !== self)
        .flatMap((sf) => {
            try {
                return [{ sf, values: namespaceValues(readStackConfig(sf.file, root)) }];
            } catch (e) {
                if (e instanceof ConfigError) return [];
                throw e;
            }
        });
}

/** The pipeline principal (rbac.automation) of every other stack file, hub included. */
function siblingAutomations(stack: string, root: string): StackAutomationFact[] {
    return siblings(stack, root).map(({ sf, values }) => ({ file: sf.file, automation: (values.rbac as { automation?: unknown } | undefined)?.automation }));
}

/** Address facts of every other stack file in the repository, for the cross-stack overlap check. */
function otherStacksAddresses(self: string, root: string): StackAddresses[] {
    return siblings(self, root).map(({ sf, values }) => {
        const net = (values.network ?? {}) as Record<string, unknown>;
        const str = (v: unknown) => (typeof v === "string" ? v : undefined);
        return { file: sf.file, addressSpace: str(net.addressSpace), podCidr: str(net.podCidr), serviceCidr: str(net.serviceCidr) };
    });
}

/** The blocks a hub allocates must not overlap each other or the hub's own VNet (each is one firewall IP group). */
function allocationOverlaps(cfg: HubConfig): Problem[] {
    const problems: Problem[] = [];
    const hub = parseCidr(cfg.network.addressSpace);
    const blocks = Object.entries(cfg.spokes).flatMap(([s, text]) => {
        const c = parseCidr(text);
        return typeof c === "object" ? [[s, c] as const] : [];
    });
    blocks.forEach(([a, ca], i) => {
        if (typeof hub === "object" && overlaps(ca, hub)) problems.push({ path: ["spokes", a], message: `overlaps the hub's aiplatform:network.addressSpace (${hub.text})` });
        for (const [b, cb] of blocks.slice(i + 1)) if (overlaps(ca, cb)) problems.push({ path: ["spokes", a], message: `overlaps aiplatform:spokes.${b} (${cb.text})` });
    });
    return problems;
}

/** The spoke's address space must be the block its hub allocates to it (the hub's firewall IP group admits that). */
function hubAllocationProblems(stack: string, hubStack: string, addressSpace: string, root: string): Problem[] {
    const hub = siblings(stack, root).find(({ sf }) => sf.kind === "hub" && sf.stack === stackRefParts(hubStack)?.stack);
    const allocated = (hub?.values.spokes as Record<string, unknown> | undefined)?.[stack];
    if (!hub || typeof allocated !== "string" || allocated === addressSpace) return [];
    return [{ path: ["network", "addressSpace"], message: `must be ${allocated}, the block ${hub.sf.file} allocates to ${stack} (aiplatform:spokes)` }];
}

/**
 * The hub grants the spoke's hub-side objects to the principal its `aiplatform:spokePipelines.<stack>` names: that must be
 * this spoke's own pipeline (rbac.automation), or the hub grants another identity (and the spoke's deploys fail).
 */
function spokePipelineProblems(stack: string, file: string, hubStack: string, automation: string | undefined, root: string): Problem[] {
    const hub = siblings(stack, root).find(({ sf }) => sf.kind === "hub" && sf.stack === stackRefParts(hubStack)?.stack);
    if (!hub) return [];
    const named = (hub.values.spokePipelines as Record<string, unknown> | undefined)?.[stack];
    const where = `${hub.sf.file} aiplatform:spokePipelines.${stack}`;
    if (named === undefined && automation === undefined) return [];
    if (named === undefined) return [{ path: ["rbac", "automation"], message: `has no counterpart: ${where} is not set, so the hub grants this pipeline nothing; set it to this object id` }];
    if (typeof named === "string" && automation !== undefined && named.toLowerCase() === automation.toLowerCase()) return [];
    return [
        {
            path: ["rbac", "automation"],
            message: `must equal ${where} (${String(named)}): the hub grants this spoke's hub-side objects to that principal, so both name the same pipeline identity`,
        },
    ];
}

/** The hub stack a spoke's `hubStack` names (`<org>/<project>/<stack>`), if that project and stack exist here. */
function hubStackProblems(hubStack: string, root: string): Problem[] {
    const ref = stackRefParts(hubStack);
    const hubs = listStacks(root).filter((s) => s.kind === "hub");
    if (hubs.some((h) => h.project === ref?.project && h.stack === ref?.stack)) return [];
    const known = hubs.map((h) => `<organization>/${h.project}/${h.stack}`).join(", ") || "none";
    return [{ path: ["hubStack"], message: `names no hub stack of this repository (hub stacks: ${known})` }];
}

/** `now` judges time-bound facts (Kubernetes support windows): the plan's now unless a caller asks about another day. */
export function validateSpokeConfig(stack: string, file: string, raw: Record<string, unknown>, root = REPO_ROOT, now = planNow()): SpokeConfig {
    return validate(spokeSchema, (s, cfg) => spokeRules(s, cfg, now), stack, file, raw, (cfg) => [
        ...hubStackProblems(cfg.hubStack, root),
        ...hubAllocationProblems(stack, cfg.hubStack, cfg.network.addressSpace, root),
        ...spokePipelineProblems(stack, file, cfg.hubStack, cfg.rbac.automation, root),
        ...checkCrossStackAddresses(
            { file, addressSpace: cfg.network.addressSpace, podCidr: cfg.network.podCidr, serviceCidr: cfg.network.serviceCidr },
            otherStacksAddresses(stack, root),
        ),
        // The Cloudflare zone is shared by the spokes: one WAF owner per zone, one domain per zone.
        ...edgeZoneProblems(
            { file, environment: cfg.environment, location: cfg.location, edge: cfg.features.edge ? cfg.edge : undefined },
            siblings(stack, root)
                .filter(({ sf }) => sf.kind === "spoke")
                .map(({ sf, values }) => ({ file: sf.file, environment: values.environment, location: values.location, edge: values.edge as StackEdgeFacts["edge"] })),
        ),
        ...automationPrincipalProblems(
            { file, automation: cfg.rbac.automation },
            siblingAutomations(stack, root),
        ),
    ]);
}

export function validateHubConfig(stack: string, file: string, raw: Record<string, unknown>, root = REPO_ROOT): HubConfig {
    return validate(hubSchema, hubRules, stack, file, raw, (cfg) => {
        const problems = checkCrossStackAddresses({ file, addressSpace: cfg.network.addressSpace }, otherStacksAddresses(stack, root));
        const spokeFiles = listStacks(root).filter((s) => s.kind === "spoke");
        const known = new Set(spokeFiles.map((s) => s.stack));
        for (const s of Object.keys(cfg.spokes)) {
            if (!known.has(s)) problems.push({ path: ["spokes", s], message: `has no stack file Pulumi.${s}.yaml (known: ${[...known].join(", ")})` });
        }
        // Every spoke that names this hub must be served by it: a spoke left out gets no egress IP group.
        const served = siblings(stack, root)
            .filter(({ sf, values }) => {
                const ref = stackRefParts(values.hubStack);
                return sf.kind === "spoke" && ref?.project === hubProject(root) && ref?.stack === stack;
            })
            .map(({ sf }) => sf.stack)
            .filter((s) => !(s in cfg.spokes));
        if (served.length) problems.push({ path: ["spokes"], message: `leaves out ${served.join(", ")}, whose aiplatform:hubStack names this hub; allocate every spoke the hub serves its address block` });
        problems.push(...allocationOverlaps(cfg));
        const peers = siblings(stack, root)
            .filter(({ sf }) => sf.kind === "hub")
            .map(({ sf, values }) => ({ file: sf.file, regionBlock: (values.network as { regionBlock?: unknown } | undefined)?.regionBlock }));
        problems.push(...checkRegionBlock(cfg, peers));
        problems.push(...dnsHubProblems(cfg, siblings(stack, root).filter(({ sf }) => sf.kind === "hub")));
        // The hub deploys with its own identity, used by no spoke (issue 22: one principal per stack).
        problems.push(
            ...automationPrincipalProblems(
                { file, automation: cfg.rbac.automation },
                siblingAutomations(stack, root),
            ),
        );
        return problems;
    });
}

/** What a hub knows of another region's hub: facts of its stack file, never its outputs (issue 18). */
export interface PeerHubFacts {
    stack: string;
    file: string;
    location: string;
    namePrefix: string;
    regionBlock: string;
    firewallSubnet: string;
    internalDnsZone: string;
    spokes: Record<string, string>;
    /** The hub owning the shared privatelink zones, as that file says (undefined: it is the owner). */
    privateDnsZonesHub?: string;
}

/**
 * Every other hub of the repository with the facts this hub routes, peers and links by. A peer file that cannot be
 * read fails this hub too (naming that file): leaving a peer out would plan the removal of its routes and peering.
 */
export function peerHubFacts(self: string, root = REPO_ROOT): PeerHubFacts[] {
    return listStacks(root)
        .filter((sf) => sf.kind === "hub" && sf.stack !== self)
        .map((sf) => {
            const v = namespaceValues(readStackConfig(sf.file, root)) as Record<string, any>;
            const facts = {
                stack: sf.stack,
                file: sf.file,
                location: v.location,
                namePrefix: v.namePrefix,
                regionBlock: v.network?.regionBlock,
                firewallSubnet: v.network?.subnets?.firewall,
                internalDnsZone: v.network?.internalDnsZone,
                spokes: v.spokes ?? {},
                privateDnsZonesHub: v.privateDnsZonesHub,
            };
            const missing = (["location", "namePrefix", "regionBlock", "firewallSubnet", "internalDnsZone"] as const).filter((k) => typeof facts[k] !== "string");
            if (missing.length) throw new ConfigError(sf.file, missing.map((k) => `${sf.file}: a peer hub needs ${k === "firewallSubnet" ? "aiplatform:network.subnets.firewall" : k === "regionBlock" || k === "internalDnsZone" ? `aiplatform:network.${k}` : `aiplatform:${k}`}`));
            return facts as PeerHubFacts;
        });
}

/** Exactly one hub owns the shared privatelink zones; the others name it (aiplatform:privateDnsZonesHub). */
function dnsHubProblems(cfg: HubConfig, peers: { sf: StackFile; values: Record<string, unknown> }[]): Problem[] {
    const owners = peers.filter(({ values }) => values.privateDnsZonesHub === undefined).map(({ sf }) => sf);
    if (cfg.privateDnsZonesHub === undefined) {
        return owners.length
            ? [{ path: ["privateDnsZonesHub"], message: `is unset here and in ${owners.map((o) => o.file).join(", ")}: the privatelink zones are shared by every region and owned by one hub; set aiplatform:privateDnsZonesHub: ${owners[0].stack} here (or the reverse)` }]
            : [];
    }
    if (owners.some((o) => o.stack === cfg.privateDnsZonesHub)) return [];
    return [{ path: ["privateDnsZonesHub"], message: `names no hub that owns the zones (owners: ${owners.map((o) => o.stack).join(", ") || "none"}): name the hub stack without aiplatform:privateDnsZonesHub` }];
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

function hubProject(root: string): string | undefined {
    return listStacks(root).find((s) => s.kind === "hub")?.project;
}

