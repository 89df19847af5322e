/**
 * Deterministic Azure resource names: Cloud Adoption Framework abbreviation + prefix + environment + region
 * (+ optional role), checked against each resource type's length and character rules.
 *
 * Abbreviations: https://learn.microsoft.com/azure/cloud-adoption-framework/ready/azure-best-practices/resource-abbreviations
 * Limits: https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
 *
 * Pure rules derived from config (config/rules.ts checks every derived name before any resource exists); the
 * components ask for names through the Namer in components/core/naming.ts.
 */
import { REGION_CODES } from "./skus";

export type NameKind = keyof typeof KINDS;

interface Kind {
    abbr: string;
    max: number;
    /** Alphanumerics only, lowercased (storage accounts, registries). */
    compact?: boolean;
    pattern: RegExp;
}

const HYPHENATED = /^[a-zA-Z0-9][a-zA-Z0-9-_.]*[a-zA-Z0-9_]$/;

const KINDS = {
    resourceGroup: { abbr: "rg", max: 90, pattern: HYPHENATED },
    logAnalytics: { abbr: "log", max: 63, pattern: /^[a-zA-Z0-9][a-zA-Z0-9-]{2,61}[a-zA-Z0-9]$/ },
    virtualNetwork: { abbr: "vnet", max: 64, pattern: HYPHENATED },
    subnet: { abbr: "snet", max: 80, pattern: HYPHENATED },
    networkSecurityGroup: { abbr: "nsg", max: 80, pattern: HYPHENATED },
    routeTable: { abbr: "rt", max: 80, pattern: HYPHENATED },
    firewall: { abbr: "afw", max: 80, pattern: HYPHENATED },
    firewallPolicy: { abbr: "afwp", max: 80, pattern: HYPHENATED },
    publicIp: { abbr: "pip", max: 80, pattern: HYPHENATED },
    ipGroup: { abbr: "ipg", max: 80, pattern: HYPHENATED },
    bastion: { abbr: "bas", max: 80, pattern: HYPHENATED },
    privateEndpoint: { abbr: "pe", max: 64, pattern: HYPHENATED },
    peering: { abbr: "peer", max: 80, pattern: HYPHENATED },
    aksCluster: { abbr: "aks", max: 63, pattern: /^[a-zA-Z0-9][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9]$/ },
    /** Cluster DNS prefix: 1-54 alphanumerics and hyphens, starting and ending alphanumeric. */
    dnsPrefix: { abbr: "aks", max: 54, pattern: /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,52}[a-zA-Z0-9])?$/ },
    containerRegistry: { abbr: "cr", max: 50, compact: true, pattern: /^[a-z0-9]{5,50}$/ },
    /** Key Vault: 3-24, letters/digits/hyphens, starts with a letter, no consecutive hyphens. */
    keyVault: { abbr: "kv", max: 24, pattern: /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/ },
    storageAccount: { abbr: "st", max: 24, compact: true, pattern: /^[a-z0-9]{3,24}$/ },
    managedIdentity: { abbr: "id", max: 128, pattern: HYPHENATED },
    /** Disk encryption set: 1-80 letters, digits, hyphens and underscores. */
    diskEncryptionSet: { abbr: "des", max: 80, pattern: HYPHENATED },
    maintenance: { abbr: "mc", max: 80, pattern: HYPHENATED },
    budget: { abbr: "budget", max: 63, pattern: HYPHENATED },
    actionGroup: { abbr: "ag", max: 260, pattern: HYPHENATED },
    diagnostic: { abbr: "diag", max: 260, pattern: HYPHENATED },
    lock: { abbr: "lock", max: 90, pattern: HYPHENATED },
    automationAccount: { abbr: "aa", max: 50, pattern: /^[a-zA-Z][a-zA-Z0-9-]{4,48}[a-zA-Z0-9]$/ },
    /** Logic App (Consumption) workflow: 1-80 letters, digits, hyphens, underscores, periods, parentheses. */
    logicApp: { abbr: "logic", max: 80, pattern: HYPHENATED },
    /** Azure Monitor workspace (managed Prometheus): 4-44 letters, digits and hyphens, alphanumeric at both ends. */
    monitorWorkspace: { abbr: "amw", max: 44, pattern: /^[a-zA-Z0-9][a-zA-Z0-9-]{2,42}[a-zA-Z0-9]$/ },
    postgres: { abbr: "psql", max: 63, pattern: /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/ },
} satisfies Record<string, Kind>;

export interface NamingContext {
    prefix: string;
    /** dev | stg | prd, or "hub" for the hub project. */
    environment: string;
    location: string;
}

export function regionCode(location: string): string {
    const code = REGION_CODES[location];
    if (!code) throw new Error(`no region code for location '${location}' (known: ${Object.keys(REGION_CODES).join(", ")})`);
    return code;
}

/** Builds the name for a resource of `kind`; `role` distinguishes several of one kind (e.g. "gpu", "ingress-public"). */
export function resourceName(ctx: NamingContext, kind: NameKind, role?: string): string {
    const k: Kind = KINDS[kind];
    const parts = [k.abbr, ctx.prefix, ctx.environment, regionCode(ctx.location), ...(role ? [role] : [])];
    const name = k.compact ? parts.join("").toLowerCase().replace(/[^a-z0-9]/g, "") : parts.join("-");
    const problem = checkName(kind, name);
    if (problem) throw new Error(problem);
    return name;
}

/** Returns why `name` is not a valid `kind` name, or undefined when it is. */
export function checkName(kind: NameKind, name: string): string | undefined {
    const k: Kind = KINDS[kind];
    if (name.length > k.max) return `${kind} name '${name}' is ${name.length} characters; Azure allows at most ${k.max}`;
    if (!k.pattern.test(name)) return `${kind} name '${name}' does not match Azure's rule ${k.pattern}`;
    return undefined;
}
