/**
 * Runs the policy pack in-process, the way the CrossGuard analyzer would: every resource rule sees each resource
 * (type, inputs as props behind the analyzer's unknown-checking proxy, urn, name, options), every stack rule sees
 * all resources of one input. Used by `npm run policy`, the offline plan (tools/plan/) and the GitOps validator.
 *
 * Values the analyzer would not know are made unknown the same way: Pulumi's unknown sentinel stays as is, and a
 * secret whose plaintext the file doesn't carry (ciphertext envelope, "[secret]" mask) becomes the unknown sentinel,
 * so a rule can neither crash on it nor flag it.
 */
import Ajv, { type ValidateFunction } from "ajv";
import {
    unknownCheckingProxy,
    UnknownValueError,
    type EnforcementLevel,
    type PolicyPackConfig,
    type PolicyResource,
    type PolicyResourceOptions,
    type ResourceValidation,
    type ResourceValidationArgs,
    type StackValidationArgs,
} from "@pulumi/policy";
import { rules as packRules } from "../../policies/pack";
import { isStackRule, type ResourceRule, type Rule, type StackRule } from "../../policies/lib/rule";
import { UNKNOWN_STRING } from "../../policies/lib/values";

export type Violation = {
    policyName: string;
    enforcementLevel: "mandatory" | "advisory";
    urn: string;
    name: string;
    type: string;
    message: string;
};

export type PolicyReport = { violations: Violation[]; mandatory: number; advisory: number; resources: number };

/** Same shape as `pulumi preview --policy-pack-config`: rule name (or "all") to a level or `{ enforcementLevel, ...config }`. */
export type PackConfig = PolicyPackConfig;

export interface EvaluateOptions {
    config?: PackConfig;
    /**
     * Pod Security Standards version ("latest" or "v1.N", the PSA version label) for every rule with a `version`
     * setting that the pack config leaves unset: the cluster's version in plans and GitOps validation.
     */
    pssVersion?: string;
    /** Rules to run instead of the pack's (tests run one rule at a time). */
    rules?: readonly Rule[];
}

export interface KubernetesEvaluateOptions extends EvaluateOptions {
    /** Where the objects came from (a file or overlay name); becomes the stack part of each synthetic URN. */
    source?: string;
}

/** What the analyzer receives for one resource. */
export interface PolicyInputResource {
    type: string;
    urn: string;
    name: string;
    props: Record<string, unknown>;
    protect?: boolean;
    parent?: string;
    provider?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    /** The resource's id when known (stack export); stack rules see it as `props.id`, as azure-native outputs carry it. */
    id?: string;
}

/** Bad input or bad pack config: the CLI prints the message and exits 2. */
export class PolicyInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyInputError";
    }
}

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

// ---------------------------------------------------------------------------------------------------------------
// Pack config

interface ResolvedRule {
    rule: Rule;
    level: "mandatory" | "advisory";
    config: Record<string, unknown>;
}

function defaultsOf(rule: Rule): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, schema] of Object.entries(rule.configSchema?.properties ?? {})) {
        if (schema.default !== undefined) out[k] = structuredClone(schema.default);
    }
    return out;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new WeakMap<Rule, ValidateFunction>();

/** The rule's config schema as the Pulumi CLI applies it: declared properties only. */
function configValidator(rule: Rule): ValidateFunction {
    let v = validators.get(rule);
    if (!v) {
        v = ajv.compile({ type: "object", properties: rule.configSchema?.properties ?? {}, required: rule.configSchema?.required ?? [], additionalProperties: false });
        validators.set(rule, v);
    }
    return v;
}

/**
 * The pack config with `version` set to `pssVersion` on every rule that has that setting (the pss-* rules) and whose
 * entry leaves it unset: what the plan evaluates and what the pipeline hands `pulumi preview/up` as its pack config.
 */
export function packConfigAtVersion(config: PackConfig = {}, pssVersion?: string, rules: readonly Rule[] = packRules): PackConfig {
    if (pssVersion === undefined) return config;
    const out: PackConfig = { ...config };
    for (const rule of rules) {
        if (rule.configSchema?.properties?.version === undefined) continue;
        const entry = config[rule.name];
        out[rule.name] = { version: pssVersion, ...(typeof entry === "string" ? { enforcementLevel: entry } : entry) };
    }
    return out;
}

/**
 * Applies a pack config to the rules: the level each runs at (disabled ones are dropped) and the config each
 * rule's `getConfig()` returns (schema defaults, then the given values), after checking it as the Pulumi CLI does.
 */
export function resolveRules(rules: readonly Rule[], packConfig: PackConfig = {}, pssVersion?: string): ResolvedRule[] {
    const config = packConfigAtVersion(packConfig, pssVersion, rules);
    const problems: string[] = [];
    const byName = new Map(rules.map((r) => [r.name, r]));
    const entryOf = (name: string): { enforcementLevel?: EnforcementLevel; [k: string]: unknown } => {
        const v = config[name];
        return typeof v === "string" ? { enforcementLevel: v } : (v ?? {});
    };
    for (const [name, value] of Object.entries(config)) {
        if (name !== "all" && !byName.has(name)) {
            problems.push(`pack config: unknown rule "${name}"`);
            continue;
        }
        const level = typeof value === "string" ? value : value?.enforcementLevel;
        if (level !== undefined && !LEVELS.includes(level)) {
            problems.push(`pack config: ${name}.enforcementLevel = "${level}" is not one of ${LEVELS.join(", ")}`);
        }
        if (name === "all" && typeof value === "object" && Object.keys(value).some((k) => k !== "enforcementLevel")) {
            problems.push(`pack config: "all" takes only an enforcementLevel`);
        }
    }
    const resolved: ResolvedRule[] = [];
    const allLevel = entryOf("all").enforcementLevel;
    for (const rule of rules) {
        const { enforcementLevel, ...given } = entryOf(rule.name);
        const cfg = { ...defaultsOf(rule), ...given };
        if (Object.keys(given).length > 0 || rule.configSchema) {
            const validate = configValidator(rule);
            if (!validate(cfg)) {
                for (const err of validate.errors ?? []) {
                    problems.push(`pack config: ${rule.name}${err.instancePath.replace(/\//g, ".")} ${err.message}${err.params && "additionalProperty" in err.params ? ` "${err.params.additionalProperty}"` : ""}`);
                }
            }
        }
        const level = enforcementLevel ?? allLevel ?? rule.enforcementLevel;
        if (level === "disabled") continue;
        // As in the analyzer, "remediate" is reported as mandatory when the violation remains.
        resolved.push({ rule, level: level === "advisory" ? "advisory" : "mandatory", config: cfg });
    }
    if (problems.length > 0) throw new PolicyInputError(problems.join("\n"));
    return resolved;
}

// ---------------------------------------------------------------------------------------------------------------
// Values

/** Turns file values into what the analyzer would hand a rule (see the module comment). */
export function analyzerValue(v: unknown): unknown {
    if (v === "[secret]") return UNKNOWN_STRING;
    if (Array.isArray(v)) return v.map(analyzerValue);
    if (v === null || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    if (o[SECRET_SIG_KEY] === SECRET_SIG) {
        if ("value" in o) return analyzerValue(o.value);
        if (typeof o.plaintext === "string") {
            try {
                return analyzerValue(JSON.parse(o.plaintext));
            } catch {
                return UNKNOWN_STRING;
            }
        }
        return UNKNOWN_STRING;
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) if (x !== undefined) out[k] = analyzerValue(x);
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

class NotApplicable extends Error {}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicable(reason);
}

type PulumiTyped = { __pulumiType?: string };
type ClassLike = { __pulumiType?: string; isInstance?: unknown };

function typeOfClass(resourceClass: unknown): string | undefined {
    return (resourceClass as ClassLike).__pulumiType;
}

function runOne(run: () => void | Promise<void>, ruleName: string, urn: string): void {
    try {
        const result = run();
        if (result && typeof (result as Promise<void>).then === "function") {
            throw new Error(`rule ${ruleName} returned a promise; pack rules must validate synchronously`);
        }
    } catch (e) {
        // A rule that touched a computed value outside its own checks can't tell: silent, as in the analyzer.
        if (e instanceof UnknownValueError || e instanceof NotApplicable) return;
        throw new Error(`rule ${ruleName} failed on ${urn}: ${(e as Error).message}`);
    }
}

/** The resource options the analyzer passes: only protect and parent are known from a file. */
function optionsOf(r: PolicyInputResource): PolicyResourceOptions {
    return {
        protect: r.protect === true,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(r.parent ? { parent: r.parent } : {}),
    };
}

function resourceArgs(r: PolicyInputResource, raw: Record<string, unknown>, config: Record<string, unknown>): ResourceValidationArgs {
    const props = unknownCheckingProxy(raw) as Record<string, any>;
    return {
        type: r.type,
        props,
        urn: r.urn,
        name: r.name,
        opts: optionsOf(r),
        stackTags: new Map(),
        isType: (cls) => typeOfClass(cls) === r.type,
        asType: ((cls: unknown) => (typeOfClass(cls) === r.type ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => structuredClone(config) as T,
        notApplicable: throwNotApplicable,
    };
}

function policyResources(resources: readonly PolicyInputResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const out = resources.map((r) => {
        const raw = analyzerValue(r.props) as Record<string, unknown>;
        if (raw.id === undefined && r.id) raw.id = r.id;
        const props = unknownCheckingProxy(raw) as Record<string, any>;
        const pr: PolicyResource = {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: optionsOf(r),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => typeOfClass(cls) === r.type,
            asType: ((cls: unknown) => (typeOfClass(cls) === r.type ? props : undefined)) as PolicyResource["asType"],
        };
        byUrn.set(r.urn, pr);
        return pr;
    });
    resources.forEach((r, i) => {
        const pr = out[i];
        if (r.parent && byUrn.has(r.parent)) pr.parent = byUrn.get(r.parent);
        pr.dependencies = (r.dependencies ?? []).flatMap((u) => (byUrn.has(u) ? [byUrn.get(u)!] : []));
        for (const [prop, urns] of Object.entries(r.propertyDependencies ?? {})) {
            pr.propertyDependencies[prop] = urns.flatMap((u) => (byUrn.has(u) ? [byUrn.get(u)!] : []));
        }
    });
    return out;
}

/** Evaluates already-mapped resources: the core every input format goes through. */
export function evaluateResources(resources: readonly PolicyInputResource[], opts: EvaluateOptions = {}): PolicyReport {
    const resolved = resolveRules(opts.rules ?? packRules, opts.config, opts.pssVersion);
    const violations: Violation[] = [];
    const byUrn = new Map(resources.map((r) => [r.urn, r]));

    for (const r of resources) {
        const raw = analyzerValue(r.props) as Record<string, unknown>;
        for (const { rule, level, config } of resolved) {
            if (isStackRule(rule)) continue;
            const validations = ([] as ResourceValidation[]).concat((rule as ResourceRule).validateResource ?? []);
            for (const validation of validations) {
                const only = (validation as PulumiTyped).__pulumiType;
                if (only && only !== r.type) continue;
                const args = resourceArgs(r, raw, config);
                const report = (message: string) =>
                    violations.push({ policyName: rule.name, enforcementLevel: level, urn: r.urn, name: r.name, type: r.type, message });
                runOne(() => validation(args, report), rule.name, r.urn);
            }
        }
    }

    const stackRules = resolved.filter((x) => isStackRule(x.rule));
    if (stackRules.length > 0) {
        const all = policyResources(resources);
        for (const { rule, level, config } of stackRules) {
            const args: StackValidationArgs = {
                resources: all,
                stackTags: new Map(),
                getConfig: <T extends object>() => structuredClone(config) as T,
                notApplicable: throwNotApplicable,
            };
            const report = (message: string, urn?: string) => {
                const r = urn ? byUrn.get(urn) : undefined;
                violations.push({ policyName: rule.name, enforcementLevel: level, urn: urn ?? "", name: r?.name ?? "(stack)", type: r?.type ?? "pulumi:pulumi:Stack", message });
            };
            runOne(() => (rule as StackRule).validateStack(args, report), rule.name, "the stack");
        }
    }

    return {
        violations,
        mandatory: violations.filter((v) => v.enforcementLevel === "mandatory").length,
        advisory: violations.filter((v) => v.enforcementLevel === "advisory").length,
        resources: resources.length,
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Input formats

/** The name part of a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function nameFromUrn(urn: string): string {
    const parts = urn.split("::");
    return parts.length >= 4 ? parts.slice(3).join("::") : urn;
}

interface StateLike {
    urn?: unknown;
    type?: unknown;
    id?: unknown;
    inputs?: unknown;
    protect?: unknown;
    parent?: unknown;
    provider?: unknown;
    dependencies?: unknown;
    propertyDependencies?: unknown;
    delete?: unknown;
    external?: unknown;
}

function fromState(s: StateLike, where: string): PolicyInputResource {
    if (typeof s.urn !== "string" || typeof s.type !== "string") {
        throw new PolicyInputError(`${where}: a resource without a string urn and type`);
    }
    const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
    const propDeps: Record<string, string[]> = {};
    if (s.propertyDependencies && typeof s.propertyDependencies === "object") {
        for (const [k, v] of Object.entries(s.propertyDependencies as Record<string, unknown>)) propDeps[k] = strings(v);
    }
    return {
        type: s.type,
        urn: s.urn,
        name: nameFromUrn(s.urn),
        props: s.inputs && typeof s.inputs === "object" ? (s.inputs as Record<string, unknown>) : {},
        protect: s.protect === true,
        ...(typeof s.parent === "string" ? { parent: s.parent } : {}),
        ...(typeof s.provider === "string" ? { provider: s.provider } : {}),
        ...(typeof s.id === "string" && s.id !== "" ? { id: s.id } : {}),
        dependencies: strings(s.dependencies),
        propertyDependencies: propDeps,
    };
}

export function isStackExport(doc: unknown): boolean {
    const d = doc as { deployment?: { resources?: unknown } } | null;
    return !!d && typeof d === "object" && !!d.deployment && typeof d.deployment === "object" && Array.isArray(d.deployment.resources ?? []) && "version" in (d as object);
}

export function isPreviewJson(doc: unknown): boolean {
    const d = doc as { steps?: unknown } | null;
    return !!d && typeof d === "object" && Array.isArray(d.steps);
}

/** Resources of a `pulumi stack export` document (version 3). Pending deletions and read-only (external) resources
 * are left out: the program doesn't declare them, so CrossGuard never analyzes them. */
export function stackExportResources(doc: unknown): PolicyInputResource[] {
    if (!isStackExport(doc)) throw new PolicyInputError("not a pulumi stack export (expected { version, deployment: { resources: [...] } })");
    const d = doc as { version: unknown; deployment: { resources?: StateLike[] } };
    if (d.version !== 3) throw new PolicyInputError(`stack export version ${String(d.version)} is not supported (expected 3)`);
    return (d.deployment.resources ?? []).filter((s) => s && s.delete !== true && s.external !== true).map((s, i) => fromState(s, `deployment.resources[${i}]`));
}

/** Resources of `pulumi preview --json` output: each step's newState (deletes have none; reads are not declared). */
export function previewResources(doc: unknown): PolicyInputResource[] {
    if (!isPreviewJson(doc)) throw new PolicyInputError("not pulumi preview --json output (expected { steps: [...] })");
    const steps = (doc as { steps: { op?: unknown; newState?: StateLike }[] }).steps;
    const declared = (step: { op?: unknown; newState?: StateLike }) =>
        step && step.newState && step.newState.external !== true && !(typeof step.op === "string" && step.op.startsWith("read"));
    return steps.flatMap((step, i) => (declared(step) ? [fromState(step.newState!, `steps[${i}].newState`)] : []));
}

export function evaluateStackExport(doc: unknown, opts: EvaluateOptions = {}): PolicyReport {
    return evaluateResources(stackExportResources(doc), opts);
}

export function evaluatePreview(doc: unknown, opts: EvaluateOptions = {}): PolicyReport {
    return evaluateResources(previewResources(doc), opts);
}

type K8sObject = { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; generateName?: unknown; namespace?: unknown }; items?: unknown };

/** Flattens `kind: List` (and `<Kind>List`) objects into their items. */
export function flattenKubernetesObjects(objects: readonly object[]): object[] {
    return objects.flatMap((o) => {
        const k = o as K8sObject;
        if (typeof k.kind === "string" && /List$/.test(k.kind) && Array.isArray(k.items)) return flattenKubernetesObjects(k.items as object[]);
        return [o];
    });
}

/** The Pulumi type token of a Kubernetes object: `kubernetes:<group or core>/<version>:<Kind>`. */
export function kubernetesType(apiVersion: string, kind: string): string {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["core", apiVersion];
    return `kubernetes:${group}/${version}:${kind}`;
}

export function kubernetesResources(objects: readonly object[], source = "manifests"): PolicyInputResource[] {
    return flattenKubernetesObjects(objects).map((o, i) => {
        const k = o as K8sObject;
        if (!k || typeof k.apiVersion !== "string" || typeof k.kind !== "string") {
            throw new PolicyInputError(`${source}: object #${i + 1} has no apiVersion/kind, so it is not a Kubernetes manifest`);
        }
        const type = kubernetesType(k.apiVersion, k.kind);
        const name = typeof k.metadata?.name === "string" ? k.metadata.name : typeof k.metadata?.generateName === "string" ? k.metadata.generateName : `#${i + 1}`;
        const ns = typeof k.metadata?.namespace === "string" ? `${k.metadata.namespace}/` : "";
        return { type, urn: `urn:pulumi:${source}::manifests::${type}::${ns}${name}`, name: `${ns}${name}`, props: o as Record<string, unknown> };
    });
}

export function evaluateKubernetesObjects(objects: object[], opts: KubernetesEvaluateOptions = {}): PolicyReport {
    return evaluateResources(kubernetesResources(objects, opts.source), opts);
}

// ---------------------------------------------------------------------------------------------------------------
// Output

export function mergeReports(reports: readonly PolicyReport[]): PolicyReport {
    return {
        violations: reports.flatMap((r) => r.violations),
        mandatory: reports.reduce((n, r) => n + r.mandatory, 0),
        advisory: reports.reduce((n, r) => n + r.advisory, 0),
        resources: reports.reduce((n, r) => n + r.resources, 0),
    };
}

export function formatReport(report: PolicyReport, format: "text" | "json"): string {
    if (format === "json") return JSON.stringify(report, null, 2);
    const order = (v: Violation) => (v.enforcementLevel === "mandatory" ? 0 : 1);
    const lines = [...report.violations]
        .sort((a, b) => order(a) - order(b))
        .map((v) => `${v.enforcementLevel.padEnd(9)} ${v.policyName}  ${v.name}${v.urn ? ` (${v.urn})` : ""}: ${v.message}`);
    lines.push(`${report.mandatory} mandatory, ${report.advisory} advisory violation(s) in ${report.resources} resource(s)`);
    return lines.join("\n");
}
