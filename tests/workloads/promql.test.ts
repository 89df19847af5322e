import { deprecatedMetrics, EXPORTERS, knownMetrics } from "../../tools/workloads/metrics-catalogue";
import { metricNames, normaliseTemplate, syntaxProblems } from "../../tools/workloads/promql";

describe("PromQL helpers", () => {
    it("finds syntax errors with the Prometheus grammar", () => {
        expect(syntaxProblems('sum(rate(vllm:e2e_request_latency_seconds_count{model_name="x"}[5m]))')).toEqual([]);
        expect(syntaxProblems("sum(rate(foo[5m])").length).toBeGreaterThan(0);
        expect(syntaxProblems("rate(foo[5m]) +").length).toBeGreaterThan(0);
    });

    it("extracts selected metric names, including __name__ matchers, not functions or labels", () => {
        expect(metricNames('histogram_quantile(0.95, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket{pod=~"a.*"}[5m]))) / on (node) group_left() avg by (node) (node_gpu_hourly_cost) + {__name__="up"}').sort()).toEqual([
            "node_gpu_hourly_cost",
            "up",
            "vllm:time_to_first_token_seconds_bucket",
        ]);
    });

    it("normalises Grafana and Flagger template variables", () => {
        expect(normaliseTemplate('rate(x{pod=~"{{ target }}-[0-9]+", model=~"$model"}[{{ interval }}]) + rate(y[$__rate_interval])')).toBe('rate(x{pod=~"x-[0-9]+", model=~"model"}[1m]) + rate(y[5m])');
    });
});

describe("metric catalogue", () => {
    it("cites a source for every exporter and lists the metrics the rules rely on", () => {
        for (const [name, e] of Object.entries(EXPORTERS)) expect([name, e.source.length > 0 && e.source.every((s) => /^https:\/\//.test(s))]).toEqual([name, true]);
        const known = knownMetrics();
        for (const m of ["vllm:num_requests_waiting", "vllm:e2e_request_latency_seconds_bucket", "vllm:time_to_first_token_seconds_count", "vllm:kv_cache_usage_perc", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "DCGM_FI_DEV_XID_ERRORS", "gpu_gfx_activity", "node_total_hourly_cost", "container_cpu_allocation", "kube_node_status_condition", "gotk_resource_info", "certmanager_certificate_expiration_timestamp_seconds", "externalsecret_status_condition"]) {
            expect(known.has(m)).toBe(true);
        }
        expect(deprecatedMetrics().get("vllm:gpu_cache_usage_perc")).toMatch(/kv_cache_usage_perc/);
        expect(known.has("vllm:gpu_cache_usage_perc")).toBe(false);
    });
});
