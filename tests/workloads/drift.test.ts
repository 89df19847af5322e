/**
 * Drift detection: the per-model thresholds in workloads/models/models.yaml are validated with messages naming the
 * key and the allowed values; the committed generated CronWorkflows and collector carry exactly those settings; the
 * ai-drift alert rules fire on synthetic series as intended (evaluated, not string-compared).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { REPO_ROOT } from "../../config/stack-files";
import { COLLECTOR, collectorUrl, driftMonitorImage } from "../../tools/workloads/generate";
import { DRIFT_FEATURES, loadCatalogue, parseCatalogue, resolveModel } from "../../tools/workloads/models";
import { SPOKE_STACKS, stackFacts } from "../../tools/workloads/scheduling";
import { MODEL_ENTRY } from "../support/models";
import { firing, type Rule, type Series } from "../support/promql-eval";

const FILE = "workloads/models/models.yaml";

function catalogue(monitoring: unknown): string {
    return YAML.stringify({ models: [{ ...MODEL_ENTRY, monitoring }] });
}

function problems(monitoring: unknown): string[] {
    try {
        parseCatalogue(catalogue(monitoring), FILE);
        return [];
    } catch (e) {
        return (e as Error).message.split("\n").slice(1).map((l) => l.trim());
    }
}

const valid = { features: { prompt_tokens: { method: "psi", threshold: 0.2 }, finish_reason: { method: "jensenshannon", threshold: 0.1 } } };

describe("models.yaml monitoring (drift thresholds)", () => {
    it("accepts a valid block and fills the defaults", () => {
        const [m] = parseCatalogue(catalogue(valid), FILE);
        expect(m.monitoring).toEqual({ schedule: "30 3 * * *", currentHours: 24, referenceDays: 7, minSamples: 200, features: valid.features });
    });

    it.each([
        [{ features: { tokens: { method: "psi", threshold: 0.2 } } }, `${FILE}: models.0.monitoring.features.tokens: unknown feature "tokens"; allowed: prompt_tokens, messages, max_tokens, temperature, completion_tokens, finish_reason (images/drift-monitor/features.json)`],
        [{ features: { finish_reason: { method: "wasserstein", threshold: 0.1 } } }, `${FILE}: models.0.monitoring.features.finish_reason.method: wasserstein needs a numerical feature; finish_reason is categorical (use psi or jensenshannon)`],
        [{ features: { finish_reason: { method: "jensenshannon", threshold: 0.9 } } }, `${FILE}: models.0.monitoring.features.finish_reason.threshold: 0.9 can never be reached: jensenshannon scores stay below 0.8326`],
        [{ features: {} }, `${FILE}: models.0.monitoring.features: must name at least one feature (prompt_tokens, messages, max_tokens, temperature, completion_tokens, finish_reason)`],
        [{ ...valid, minSamples: 5 }, `${FILE}: models.0.monitoring.minSamples: Too small: expected number to be >=30`],
        [{ ...valid, schedule: "daily" }, `${FILE}: models.0.monitoring.schedule: must be a 5-field cron expression such as '0 20 * * 1-5'`],
        [{ ...valid, performance: { maxDrop: 0 } }, `${FILE}: models.0.monitoring.performance.maxDrop: Too small: expected number to be >0`],
    ])("refuses %j naming the key and what is allowed", (monitoring, message) => {
        expect(problems(monitoring)).toEqual([message]);
    });

    it("refuses an unknown drift method with the allowed ones", () => {
        expect(problems({ features: { prompt_tokens: { method: "ks", threshold: 0.05 } } })).toEqual([
            `${FILE}: models.0.monitoring.features.prompt_tokens.method: Invalid option: expected one of "psi"|"jensenshannon"|"wasserstein"`,
        ]);
    });
});

const docs = (rel: string): any[] => YAML.parseAllDocuments(fs.readFileSync(path.join(REPO_ROOT, rel), "utf8")).map((d) => d.toJS());

describe.each(SPOKE_STACKS)("%s: generated drift objects", (stack) => {
    const facts = stackFacts(stack);
    const env = facts.config.environment as "dev" | "stg" | "prd";
    const monitored = loadCatalogue()
        .map((m) => resolveModel(m, env))
        .filter((m) => m?.monitoring);
    const dir = `workloads/overlays/${stack}/generated/drift`;

    it("one CronWorkflow per monitored model, carrying its models.yaml settings, scores and thresholds", () => {
        expect(monitored.length).toBeGreaterThan(0);
        for (const m of monitored) {
            const mon = m!.monitoring!;
            const [cwf] = docs(`${dir}/drift-${m!.name}.yaml`);
            expect([cwf.kind, cwf.metadata.name, cwf.metadata.namespace, cwf.spec.schedules]).toEqual(["CronWorkflow", `drift-${m!.name}`, "argo", [mon.schedule]]);
            const [template] = cwf.spec.workflowSpec.templates;
            const args: string[] = template.container.args;
            expect(JSON.parse(args[args.indexOf("--config") + 1])).toEqual({
                model: m!.name,
                currentHours: mon.currentHours,
                referenceDays: mon.referenceDays,
                minSamples: mon.minSamples,
                features: mon.features,
                ...(mon.performance ? { performance: mon.performance } : {}),
            });
            expect(template.container.image).toBe(driftMonitorImage(facts));
            const metrics = template.metrics.prometheus;
            const label = (x: any, k: string) => x.labels.find((l: any) => l.key === k)?.value;
            const expected = [
                ...Object.entries(mon.features).map(([f, v]) => [f, DRIFT_FEATURES[f].kind, v.method, String(v.threshold)]),
                ...(mon.performance ? [["label_mean", "performance", "drop", String(mon.performance.maxDrop)]] : []),
            ];
            const thresholds = metrics.filter((x: any) => x.name === "drift_threshold").map((x: any) => [label(x, "feature"), label(x, "kind"), label(x, "method"), x.gauge.value]);
            expect(thresholds).toEqual(expected);
            // Each score reads the output file monitor.py writes for that feature (output_name: score-<feature, _ → ->).
            const outputs = Object.fromEntries(template.outputs.parameters.map((p: any) => [p.name, p.valueFrom.path]));
            for (const x of metrics.filter((x: any) => x.name === "drift_score")) {
                const param = `score-${label(x, "feature").replace(/_/g, "-")}`;
                expect([x.gauge.value, outputs[param], label(x, "model"), x.when]).toEqual([`{{outputs.parameters.${param}}}`, `/tmp/outputs/${param}`, m!.name, "{{status}} == Succeeded"]);
            }
            expect(metrics.filter((x: any) => x.name === "drift_score")).toHaveLength(expected.length);
        }
    });

    it("the collector accepts exactly the monitored models and writes the lake container the drift checks read", () => {
        const deployment = docs(`${dir}/collector.yaml`).find((d) => d.kind === "Deployment");
        const env0 = Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
        expect(env0.MODELS.split(",")).toEqual(monitored.map((m) => m!.name));
        expect(env0.LOG_CONTAINER).toBe(COLLECTOR.container);
        for (const m of monitored) {
            const [cwf] = docs(`${dir}/drift-${m!.name}.yaml`);
            expect(cwf.spec.workflowSpec.templates[0].container.env).toContainEqual({ name: "LOG_CONTAINER", value: COLLECTOR.container });
        }
    });

    it("KServe's payload logger posts to the collector under a model it accepts", () => {
        const [isvc] = docs("workloads/base/kserve/inferenceservice.yaml");
        const url: string = isvc.spec.predictor.logger.url;
        expect(isvc.spec.predictor.logger.mode).toBe("all");
        expect(monitored.map((m) => collectorUrl(m!.name))).toContain(url);
    });
});

describe("ai-drift alert rules on synthetic series", () => {
    const rules: Rule[] = docs("workloads/base/observability/rules/ai-drift.yaml")[0].spec.groups.flatMap((g: any) => g.rules);
    const NOW = 1_800_000_000;
    const target = { job: "argo-workflows", namespace: "argo" };
    const pair = (feature: string, kind: string, score: number, threshold: number): Series[] => {
        const labels = { ...target, model: "llama31-8b", feature, kind, method: kind === "performance" ? "drop" : "psi" };
        return [
            { name: "argo_workflows_drift_score", labels, value: score },
            { name: "argo_workflows_drift_threshold", labels, value: threshold },
        ];
    };
    const fired = (db: Series[]) => firing(rules, db, NOW).map((a) => `${a.alert}/${a.severity}/${a.labels.feature ?? a.labels.model ?? a.labels.deployment ?? ""}`).sort();
    const healthyRun = [{ name: "argo_workflows_drift_check_timestamp_seconds", labels: { ...target, model: "llama31-8b" }, value: NOW - 3600 }];

    it("fires per kind when the score reaches its threshold, and not below it", () => {
        const db = [
            ...healthyRun,
            ...pair("prompt_tokens", "data", 0.25, 0.2),
            ...pair("messages", "data", 0.19, 0.2),
            ...pair("finish_reason", "prediction", 0.1, 0.1),
            ...pair("completion_tokens", "prediction", 0.05, 0.3),
            ...pair("label_mean", "performance", 0.06, 0.05),
        ];
        expect(fired(db)).toEqual(["ModelDataDrift/warning/prompt_tokens", "ModelPerformanceDecay/warning/label_mean", "ModelPredictionDrift/warning/finish_reason"]);
    });

    it("a score of NaN (too few samples) raises no drift alert, only ModelDriftNoData", () => {
        expect(fired([...healthyRun, ...pair("prompt_tokens", "data", NaN, 0.2), ...pair("label_mean", "performance", NaN, 0.05)])).toEqual([
            "ModelDriftNoData/info/label_mean",
            "ModelDriftNoData/info/prompt_tokens",
        ]);
    });

    it("a check older than two days is stale; the collector's backlog and absence alert", () => {
        const stale: Series[] = [{ name: "argo_workflows_drift_check_timestamp_seconds", labels: { ...target, model: "llama31-8b" }, value: NOW - 2 * 86400 - 60 }];
        const collector: Series[] = [
            { name: "drift_collector_buffered_records", labels: { namespace: "ai-serving", pod: "inference-log-collector-0" }, value: 60000 },
            { name: "kube_deployment_status_replicas_available", labels: { namespace: "ai-serving", deployment: "inference-log-collector" }, value: 0 },
        ];
        expect(fired([...stale, ...collector])).toEqual(["InferenceLogCollectorBacklog/warning/", "InferenceLogCollectorDown/warning/inference-log-collector", "ModelDriftCheckStale/warning/llama31-8b"]);
        expect(fired([...healthyRun, { ...collector[0], value: 100 }, { ...collector[1], value: 2 }])).toEqual([]);
    });
});
