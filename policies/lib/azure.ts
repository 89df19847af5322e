/**
 * Azure facts every rule reads the same way: the environment tag, AKS pools and taints, ARM id comparison.
 */
import { validateResourceOfType, type ReportViolation } from "@pulumi/policy";
import { AgentPool, ManagedCluster } from "@pulumi/azure-native/containerservice";
import type { ResourceRule } from "./rule";
import { eachNamed, expect, known, UNKNOWN, type Maybe } from "./values";

export const ENVIRONMENTS = ["dev", "stg", "prd"] as const;

/** The resource's `environment` tag (what components/core/stack-defaults.ts stamps); UNKNOWN while computed. */
export function environmentOf(props: { tags?: unknown }): Maybe<string | undefined> {
    const env = known(() => (props.tags as Record<string, unknown> | undefined)?.environment);
    if (env === UNKNOWN) return UNKNOWN;
    return typeof env === "string" ? env : undefined;
}

/** Runs a prd-only check: skipped outside prd, silent while the environment tag is computed. */
export function inPrd(props: { tags?: unknown }, check: () => void): void {
    inEnvironments(props, ["prd"], check);
}

/** Runs a check in the given environments only; silent while the environment tag is computed. */
export function inEnvironments(props: { tags?: unknown }, envs: readonly string[], check: () => void): void {
    const env = environmentOf(props);
    if (typeof env === "string" && envs.includes(env)) check();
}

export interface Taint {
    key: string;
    value?: string;
    effect: string;
}

/** Parses an AKS `nodeTaints` entry, `key[=value]:Effect`. */
export function parseTaint(taint: string): Taint | undefined {
    const m = /^([^=:]+)(?:=([^:]*))?:(\w+)$/.exec(taint.trim());
    return m ? { key: m[1], value: m[2], effect: m[3] } : undefined;
}

export function hasTaint(taints: readonly string[] | undefined, want: (t: Taint) => boolean): boolean {
    return (taints ?? []).some((s) => {
        const t = typeof s === "string" ? parseTaint(s) : undefined;
        return t !== undefined && want(t);
    });
}

/** A pool's GPU vendor by VM size: N-series is NVIDIA, `*_MI300X_*` AMD. */
export function gpuVendorOf(vmSize: string): "nvidia" | "amd" | undefined {
    if (/_MI300X_/i.test(vmSize)) return "amd";
    if (/^Standard_N/i.test(vmSize)) return "nvidia";
    return undefined;
}

/** The pool fields the AKS pool rules read; identical for inline `agentPoolProfiles[]` and standalone AgentPool. */
export interface PoolLike {
    name?: string;
    mode?: string;
    type?: string;
    vmSize?: string;
    enableNodePublicIP?: boolean;
    nodeTaints?: string[];
    availabilityZones?: string[];
    scaleSetPriority?: string;
    maxPods?: number;
    osDiskType?: string;
    enableEncryptionAtHost?: boolean;
}

/** Runs `check` on every inline pool, its messages prefixed `agentPoolProfiles[i] (<name>): `. */
export function eachInlinePool(
    pools: () => readonly PoolLike[] | undefined,
    report: ReportViolation,
    check: (pool: PoolLike, report: ReportViolation) => void,
): void {
    eachNamed(pools, "agentPoolProfiles", report, check);
}

/** Expects `read()` to be one of `allowed` (case-insensitive), reporting `message` otherwise. */
export function expectOneOf(report: ReportViolation, read: () => unknown, allowed: readonly string[], message: string): void {
    expect(report, () => {
        const v = read();
        return typeof v === "string" && allowed.some((a) => a.toLowerCase() === v.toLowerCase());
    }, message);
}

/** ARM ids compare case-insensitively and without a trailing slash. */
export function sameArmId(a: string, b: string): boolean {
    return a.replace(/\/+$/, "").toLowerCase() === b.replace(/\/+$/, "").toLowerCase();
}

/** "uaenorth", "UAE North" and "uaeNorth" are one region. */
export function sameRegion(a: string, b: string): boolean {
    return a.replace(/\s+/g, "").toLowerCase() === b.replace(/\s+/g, "").toLowerCase();
}

export interface AddonProfile {
    enabled?: boolean;
    config?: Record<string, string>;
}

/**
 * The addon profile whose key matches `name` case-insensitively (ARM accepts `azurepolicy` and `azurePolicy` alike).
 * UNKNOWN when the addon map or that profile is computed.
 */
export function addonProfile(cluster: { addonProfiles?: unknown }, name: string): Maybe<AddonProfile | undefined> {
    const map = known(() => cluster.addonProfiles as Record<string, AddonProfile> | undefined);
    if (map === UNKNOWN) return UNKNOWN;
    if (!map || typeof map !== "object") return undefined;
    const key = Object.keys(map).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : known(() => map[key]);
}

/** An advisory rule checking every pool, inline `agentPoolProfiles[]` and standalone AgentPool alike. */
export function advisoryPoolRule(name: string, description: string, check: (pool: PoolLike, report: ReportViolation) => void): ResourceRule {
    return {
        name,
        description,
        enforcementLevel: "advisory",
        validateResource: [
            validateResourceOfType(ManagedCluster, (cluster, _args, report) => eachInlinePool(() => cluster.agentPoolProfiles, report, check)),
            validateResourceOfType(AgentPool, (pool, _args, report) => check(pool, report)),
        ],
    };
}

/** ACR policy statuses are "enabled"/"disabled" (any casing). */
export const isEnabledStatus = (status: unknown): boolean => typeof status === "string" && status.toLowerCase() === "enabled";
