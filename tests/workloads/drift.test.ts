/**
 * Drift detection: the per-model thresholds in workloads/models/models.yaml are validated with messages naming the
 * key and the allowed values.
 */
import * as YAML from "yaml";
import { parseCatalogue } from "../../tools/workloads/models";

const FILE = "workloads/models/models.yaml";

function catalogue(monitoring: unknown): string {
    return YAML.stringify({
        models: [
            {
                name: "m",
                servedModelName: "m",
                vendor: "nvidia",
                gpus: 1,
                source: { huggingface: { repo: "org/m", revision: "abc123" } },
                monitoring,
                environments: { dev: { replicas: 1, maxReplicas: 1, rollout: "direct" } },
            },
        ],
    });
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
