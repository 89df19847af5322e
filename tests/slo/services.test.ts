/**
 * Issue 20 §3: the SLOs of the user-facing services as each cluster renders them — objectives per environment, the
 * generated multiwindow burn-rate alerts evaluated over synthetic series, the error-budget release gate of the model
 * rollouts, and every expression parsed with Prometheus' grammar.
 */
import { budgetGateQuery, OBJECTIVES } from "../../tools/slo/services";
import { syntaxProblems } from "../../tools/workloads/promql";
import { evaluate, type Series } from "../support/promql-eval";
import { find, rendered } from "../workloads/render";

const NOW = 1_800_000_000;
const rulesOf = async (stack: string) => (find(await rendered(stack), "PrometheusRule", "slo", "monitoring") as any).spec.groups as { name: string; rules: any[] }[];
const ids = (service: string, slo: string) => ({ sloth_id: `${service}-${slo}`, sloth_service: service, sloth_slo: slo });
/** The SLI error ratio Sloth records per window, at `ratios[window]` (other windows 0). */
const sli = (service: string, slo: string, ratios: Record<string, number>): Series[] =>
    ["5m", "30m", "1h", "2h", "6h", "1d", "3d"].map((w) => ({ name: `slo:sli_error:ratio_rate${w}`, labels: { ...ids(service, slo), sloth_window: w }, value: ratios[w] ?? 0 }));

describe.each([
    ["dev-uaenorth", "dev", ["llama31-8b", "llm-gateway"]],
    ["stg-uaenorth", "stg", ["llama31-8b", "llm-gateway", "public-ingress"]],
    ["prd-uaenorth", "prd", ["llama31-8b", "llama31-70b-rocm", "llm-gateway", "public-ingress"]],
] as const)("%s SLOs", (stack, env, services) => {
    it("has availability and latency SLOs for every model endpoint (and the public ingress where the mesh runs), objectives per environment", async () => {
        const info = (await rulesOf(stack)).flatMap((g) => g.rules).filter((r) => r.record === "sloth_slo_info");
        expect(info.map((r) => `${r.labels.sloth_service}/${r.labels.sloth_slo}=${r.labels.sloth_objective}`).sort()).toEqual(
            services.flatMap((s) => {
                // The gateway has availability only: its latency is the models' (their latency SLOs cover it).
                if (s === "llm-gateway") return [`${s}/availability=${OBJECTIVES.gatewayAvailability[env]}`];
                const o = s === "public-ingress" ? [OBJECTIVES.publicAvailability, OBJECTIVES.publicLatency] : [OBJECTIVES.modelAvailability, OBJECTIVES.modelLatency];
                return [`${s}/availability=${(o[0] as Record<string, number>)[env]}`, `${s}/latency=${(o[1] as Record<string, number>)[env]}`];
            }).sort(),
        );
    });

    it("parses every generated expression with Prometheus' grammar", async () => {
        const exprs = (await rulesOf(stack)).flatMap((g) => g.rules.map((r) => r.expr as string));
        expect(exprs.flatMap((e) => syntaxProblems(e))).toEqual([]);
    });

    it(`pages ${env === "dev" ? "never (dev: tickets only)" : "on a fast burn, tickets on a slow one"}`, async () => {
        const alerts = (await rulesOf(stack)).filter((g) => g.name === "sloth-slo-alerts-llama31-8b-availability").flatMap((g) => g.rules);
        expect(alerts.map((a) => a.labels.severity)).toEqual(env === "dev" ? ["warning"] : ["critical", "warning"]);
        for (const a of alerts) expect(a.annotations.runbook_url).toBe("https://github.com/contoso/aiplatform/blob/main/docs/runbooks/alerts/slo.md#modelavailabilitybudgetburn");
    });
});

describe("prd model availability (99.5 %: budget 0.5 %) alerts over synthetic series", () => {
    let page: any;
    let ticket: any;
    beforeAll(async () => {
        [page, ticket] = (await rulesOf("prd-uaenorth")).find((g) => g.name === "sloth-slo-alerts-llama31-8b-availability")!.rules;
    });
    const fires = (rule: any, ratios: Record<string, number>) => evaluate(rule.expr, sli("llama31-8b", "availability", ratios), NOW);

    it("pages when both the 5m and 1h windows burn over 14.4× (7.2 % errors), not on a 5-minute spike", () => {
        expect(fires(page, { "5m": 0.08, "1h": 0.075 })).toEqual([{ labels: ids("llama31-8b", "availability"), value: 0.08 }]);
        expect(fires(page, { "5m": 0.5, "1h": 0.01 })).toEqual([]);
        expect(fires(page, { "30m": 0.031, "6h": 0.031 })).toHaveLength(1); // 6× over 30m and 6h: 3 %
        expect(fires(page, { "30m": 0.029, "6h": 0.031 })).toEqual([]);
    });

    it("tickets a slow burn: 3× over 2h and 1d, or 1× over 6h and 3d", () => {
        expect(fires(ticket, { "2h": 0.016, "1d": 0.016 })).toHaveLength(1);
        expect(fires(ticket, { "6h": 0.006, "3d": 0.0051 })).toHaveLength(1);
        expect(fires(ticket, { "6h": 0.006, "3d": 0.004 })).toEqual([]);
    });
});

describe("the error-budget release gate", () => {
    const remaining = (service: string, slo: string, value: number): Series => ({ name: "slo:period_error_budget_remaining:ratio", labels: ids(service, slo), value });

    it("passes while every SLO of the model has budget left, or no budget series exists yet; waits once one is spent", () => {
        const q = budgetGateQuery("llama31-8b");
        expect(syntaxProblems(q)).toEqual([]);
        expect(evaluate(q, [remaining("llama31-8b", "availability", 0.4), remaining("llama31-8b", "latency", 0.1)], NOW)).toEqual([{ labels: {}, value: 0.1 }]);
        expect(evaluate(q, [remaining("llama31-8b", "availability", 0.4), remaining("llama31-8b", "latency", -0.2)], NOW)).toEqual([]);
        expect(evaluate(q, [remaining("llama31-70b-rocm", "latency", -1)], NOW)).toEqual([{ labels: { sloth_service: "llama31-8b" }, value: 1 }]);
    });

    it.each(["stg-uaenorth", "prd-uaenorth"])("holds every %s rollout before it starts (confirm-rollout pauses, it does not roll back)", async (stack) => {
        // Model rollouts (the RAG app's Canary in namespace rag has no SLO of its own yet).
        const canaries = (await rendered(stack)).filter((o) => o.kind === "Canary" && o.metadata.namespace !== "rag") as any[];
        expect(canaries.length).toBeGreaterThan(0);
        for (const c of canaries) {
            const model = c.metadata.labels?.["aiplatform.io/model"] ?? c.spec.targetRef.name.replace(/^vllm-/, "");
            const gate = c.spec.analysis.webhooks.find((w: any) => w.name === "error-budget");
            expect(gate).toMatchObject({ type: "confirm-rollout", url: "http://flagger-loadtester.ai-serving/" });
            expect(gate.metadata.cmd).toContain(`--data-urlencode 'query=${budgetGateQuery(model)}'`);
        }
    });
});
