/**
 * The model catalogue (workloads/models/models.yaml): one entry per served model, typed and validated with zod.
 * Defaults live here, once; per-environment settings override the model's top-level values.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { z } from "zod";
import { cron, ENVIRONMENTS, type Environment } from "../../config/schema";

export const WORKLOADS_DIR = path.resolve(__dirname, "../../workloads");
export const MODELS_FILE = path.join(WORKLOADS_DIR, "models/models.yaml");
/** The features the drift monitor can extract from logged requests/responses (shared with its Python code). */
export const DRIFT_FEATURES_FILE = path.resolve(WORKLOADS_DIR, "../images/drift-monitor/features.json");

export interface DriftFeature {
    kind: "data" | "prediction";
    type: "numerical" | "categorical";
    doc: string;
}
export const DRIFT_FEATURES: Record<string, DriftFeature> = JSON.parse(fs.readFileSync(DRIFT_FEATURES_FILE, "utf8")).features;
/** Upper bound of each drift method's score (Jensen-Shannon distance with natural logarithm: sqrt(ln 2)); a threshold above it never fires. */
export const DRIFT_METHOD_MAX: Record<DriftMethod, number> = { psi: Infinity, jensenshannon: Math.sqrt(Math.log(2)), wasserstein: Infinity };
export type DriftMethod = "psi" | "jensenshannon" | "wasserstein";

const dnsLabel = z.string().regex(/^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/, "must be a DNS label of at most 32 characters");
const quantity = z.string().regex(/^\d+(\.\d+)?(m|Mi|Gi|Ti)?$/, "must be a Kubernetes quantity such as 4, 500m or 32Gi");

const source = z.union([
    z.strictObject({
        huggingface: z.strictObject({
            repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "must be <org>/<model>"),
            /** Branch, tag or commit SHA on the Hub. */
            revision: z.string().min(1),
        }),
    }),
    z.strictObject({
        /** Path under the data lake's `models` container; the Argo model-download pipeline copies it to the PVC. */
        datalake: z.strictObject({ path: z.string().regex(/^[\w./-]+$/) }),
    }),
]);
export type ModelSource = z.infer<typeof source>;

const resources = z.strictObject({ cpu: quantity, memory: quantity });
const storage = z.strictObject({
    className: z.enum(["azurefile-csi-premium", "managed-csi-premium"]),
    accessMode: z.enum(["ReadWriteMany", "ReadWriteOnce"]),
});

/** Settings a model may override per environment. */
const tunables = {
    source: source.optional(),
    maxModelLen: z.number().int().min(256).optional(),
    gpuMemoryUtilization: z.number().gt(0).max(0.98).optional(),
    extraArgs: z.array(z.string().regex(/^--[a-z0-9-]+(=.+)?$/, "must be a --flag or --flag=value")).optional(),
    resources: resources.optional(),
    storage: storage.optional(),
    storageGi: z.number().int().min(10).max(4096).optional(),
};

const environmentEntry = z
    .strictObject({
        ...tunables,
        replicas: z.number().int().min(1).max(16),
        maxReplicas: z.number().int().min(1).max(32),
        /**
         * direct: rolling update behind a Service; blue-green: Flagger, load-tester traffic, then switch; canary:
         * Flagger on the Istio mesh, real traffic shifted by weight; ab: Flagger on the mesh, only requests matching
         * `abMatch` reach the new version until it is promoted. canary and ab need the Istio add-on (aks.serviceMesh).
         */
        rollout: z.enum(["direct", "canary", "blue-green", "ab"]),
        /**
         * A/B cohort (rollout ab): requests whose header `header` equals `exact` (e.g. x-team set by the LLM gateway),
         * or that carry cookie `aiplatform-variant=canary`, go to the new version.
         */
        abMatch: z.strictObject({ header: z.string().regex(/^[a-z0-9-]+$/, "must be a lower-case HTTP header name"), exact: z.string().min(1) }).optional(),
        /** Version of the MLflow registered model `<name>` these weights are; stg/prd deploy only an approved one (`pipeline model-gate`). */
        registryVersion: z.string().regex(/^[1-9]\d*$/, "must be an MLflow model version number such as \"3\"").optional(),
    })
    .refine((e) => e.maxReplicas >= e.replicas, { message: "maxReplicas must be >= replicas" })
    .refine((e) => (e.rollout === "ab") === Boolean(e.abMatch), { message: "abMatch is required with rollout ab and only allowed there" });

const driftFeature = z.strictObject({
    /** psi and jensenshannon bin the values (Evidently's rule); wasserstein (numerical only) is in reference standard deviations. */
    method: z.enum(["psi", "jensenshannon", "wasserstein"]),
    /** Score at or above which the feature counts as drifted (alert). */
    threshold: z.number().gt(0),
});

/** Drift detection of the model's logged traffic (images/drift-monitor, generated CronWorkflow drift-<model>). */
const monitoring = z
    .strictObject({
        schedule: cron.default("30 3 * * *"),
        /** The recent window: the last N hours before the run. */
        currentHours: z.number().int().min(1).max(168).default(24),
        /** The reference window: the N days before the recent window. */
        referenceDays: z.number().int().min(1).max(60).default(7),
        /** Fewer samples than this in either window: no score (NaN), no alert. */
        minSamples: z.number().int().min(30).default(200),
        features: z.record(z.string(), driftFeature),
        /** Performance decay, where labels (feedback records) arrive: the mean label may fall at most maxDrop. */
        performance: z.strictObject({ minLabels: z.number().int().min(10).default(100), maxDrop: z.number().gt(0).max(1) }).optional(),
    })
    .superRefine((m, ctx) => {
        const allowed = Object.keys(DRIFT_FEATURES).join(", ");
        if (!Object.keys(m.features).length) ctx.addIssue({ code: "custom", path: ["features"], message: `must name at least one feature (${allowed})` });
        for (const [name, f] of Object.entries(m.features)) {
            const known = DRIFT_FEATURES[name];
            if (!known) ctx.addIssue({ code: "custom", path: ["features", name], message: `unknown feature "${name}"; allowed: ${allowed} (images/drift-monitor/features.json)` });
            else if (f.method === "wasserstein" && known.type === "categorical")
                ctx.addIssue({ code: "custom", path: ["features", name, "method"], message: `wasserstein needs a numerical feature; ${name} is categorical (use psi or jensenshannon)` });
            if (f.threshold >= DRIFT_METHOD_MAX[f.method])
                ctx.addIssue({ code: "custom", path: ["features", name, "threshold"], message: `${f.threshold} can never be reached: ${f.method} scores stay below ${DRIFT_METHOD_MAX[f.method].toFixed(4)}` });
        }
    });
export type ModelMonitoring = z.infer<typeof monitoring>;

const model = z.strictObject({
    name: dnsLabel,
    /** Name clients send as `model` in OpenAI requests (and the model_name label of vllm:* metrics). */
    servedModelName: z.string().regex(/^[\w.-]+$/),
    vendor: z.enum(["nvidia", "amd"]),
    /** GPUs (or MIG slices) per replica; > 1 turns on tensor parallelism. */
    gpus: z.number().int().min(1).max(8),
    source,
    maxModelLen: z.number().int().min(256).default(8192),
    gpuMemoryUtilization: z.number().gt(0).max(0.98).default(0.9),
    extraArgs: z.array(z.string().regex(/^--[a-z0-9-]+(=.+)?$/)).default([]),
    resources: resources.default({ cpu: "4", memory: "32Gi" }),
    storage: storage.default({ className: "azurefile-csi-premium", accessMode: "ReadWriteMany" }),
    storageGi: z.number().int().min(10).max(4096).default(100),
    monitoring: monitoring.optional(),
    environments: z.partialRecord(z.enum(ENVIRONMENTS), environmentEntry),
    /**
     * How the LLM gateway serves the model (tools/workloads/gateway.ts generates its route from this entry). Optional in
     * the schema only so that catalogues of commits before the gateway still parse (pipeline model-gate reads prd's);
     * generation refuses an entry without it.
     */
    gateway: z.strictObject({
        /** Served model name the gateway switches to when this one is unhealthy (cooled down) or saturated; deployed in the same environments. */
        fallback: z.string().regex(/^[\w.-]+$/).optional(),
        /** Requests in flight per replica before the gateway counts the model as saturated (429, then the fallback). */
        maxParallelRequests: z.number().int().min(1).max(4096).default(64),
        /** Internal price per million tokens (USD) that team budgets (aiplatform:gateway.teams[].budget) are charged at. */
        pricePerMillionTokens: z.strictObject({ input: z.number().min(0), output: z.number().min(0) }),
    }).optional(),
});

export const catalogueSchema = z.strictObject({ models: z.array(model).min(1) });
export type ModelEntry = z.infer<typeof model>;

/** A model as deployed in one environment: top-level values with that environment's overrides applied. */
export interface ResolvedModel {
    name: string;
    servedModelName: string;
    vendor: "nvidia" | "amd";
    gpus: number;
    source: ModelSource;
    maxModelLen: number;
    gpuMemoryUtilization: number;
    args: string[];
    resources: { cpu: string; memory: string };
    storage: { className: string; accessMode: string; sizeGi: number };
    replicas: number;
    maxReplicas: number;
    rollout: "direct" | "canary" | "blue-green" | "ab";
    /** The A/B cohort (rollout ab). */
    abMatch?: { header: string; exact: string };
    /** MLflow registry version (of the registered model named like the entry), when pinned. */
    registryVersion?: string;
    /** Drift detection settings, when the model has any. */
    monitoring?: ModelMonitoring;
}

export function resolveModel(m: ModelEntry, env: Environment): ResolvedModel | undefined {
    const e = m.environments[env];
    if (!e) return undefined;
    return {
        name: m.name,
        servedModelName: m.servedModelName,
        vendor: m.vendor,
        gpus: m.gpus,
        source: e.source ?? m.source,
        maxModelLen: e.maxModelLen ?? m.maxModelLen,
        gpuMemoryUtilization: e.gpuMemoryUtilization ?? m.gpuMemoryUtilization,
        args: e.extraArgs ?? m.extraArgs,
        resources: e.resources ?? m.resources,
        storage: { ...(e.storage ?? m.storage), sizeGi: e.storageGi ?? m.storageGi },
        replicas: e.replicas,
        maxReplicas: e.maxReplicas,
        rollout: e.rollout,
        abMatch: e.abMatch,
        registryVersion: e.registryVersion,
        monitoring: m.monitoring,
    };
}

/** Reads and validates the catalogue; every problem at once, each naming the file and key. */
export function loadCatalogue(file = MODELS_FILE): ModelEntry[] {
    return parseCatalogue(fs.readFileSync(file, "utf8"), path.relative(path.resolve(WORKLOADS_DIR, ".."), file));
}

/** Validates catalogue text (e.g. models.yaml at another commit); `rel` names it in messages. */
export function parseCatalogue(text: string, rel: string): ModelEntry[] {
    const doc = YAML.parse(text);
    const parsed = catalogueSchema.safeParse(doc);
    if (!parsed.success) {
        const lines = parsed.error.issues.map((i) => `${rel}: ${i.path.join(".")}: ${i.message}`);
        throw new Error(`invalid model catalogue:\n  ${lines.join("\n  ")}`);
    }
    const names = parsed.data.models.map((m) => m.name);
    const dup = names.filter((n, i) => names.indexOf(n) !== i);
    if (dup.length) throw new Error(`invalid model catalogue:\n  ${rel}: models: duplicate name(s) ${[...new Set(dup)].join(", ")}`);
    return parsed.data.models;
}
