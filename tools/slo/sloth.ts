/**
 * Sloth's Prometheus rule generation (slok/sloth v0.16.0, spec `prometheus/v1`), ported to TypeScript so the plan and
 * tests generate offline exactly what `sloth generate --input <spec>` prints: per SLO the SLI error-ratio recordings
 * over the multiwindow-multi-burn-rate windows (Google SRE workbook, 30-day period: page 14.4× over 5m/1h and 6× over
 * 30m/6h, ticket 3× over 2h/1d and 1× over 6h/3d), the 30-day ratio, the meta recordings (objective, error budget,
 * burn rates, remaining budget, info) and the page/ticket alerts. `tests/slo/sloth.test.ts` holds it to Sloth's own
 * golden output (tests/fixtures/sloth, upstream commit 0e395d8); Sloth is a Go binary not installable here.
 * Supported: events and raw SLIs, labels, alerting name/labels/annotations, page/ticket disable. Not ported: SLI
 * plugins, custom windows, other periods.
 */

export const SLOTH_VERSION = "v0.16.0";

export interface SlothSpec {
    version: "prometheus/v1";
    service: string;
    labels?: Record<string, string>;
    slos: SlothSlo[];
}

export interface SlothSlo {
    name: string;
    objective: number;
    description?: string;
    labels?: Record<string, string>;
    sli: { events?: { error_query: string; total_query: string }; raw?: { error_ratio_query: string } };
    alerting: {
        name?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        page_alert?: { disable?: boolean; labels?: Record<string, string>; annotations?: Record<string, string> };
        ticket_alert?: { disable?: boolean; labels?: Record<string, string>; annotations?: Record<string, string> };
    };
}

export interface Rule {
    record?: string;
    alert?: string;
    expr: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}
export interface RuleGroup {
    name: string;
    rules: Rule[];
}

/** The multiwindow-multi-burn-rate alert windows of a 30-day period (Sloth's default windows). */
export const ALERT_WINDOWS = {
    page: [
        { short: "5m", long: "1h", factor: 14.4 },
        { short: "30m", long: "6h", factor: 6 },
    ],
    ticket: [
        { short: "2h", long: "1d", factor: 3 },
        { short: "6h", long: "3d", factor: 1 },
    ],
} as const;
const SLI_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];
const PERIOD = "30d";
const PERIOD_DAYS = 30;

const sorted = (l: Record<string, string>) => Object.fromEntries(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The rule groups Sloth generates for `spec` (in its order: per SLO, SLI recordings, meta recordings, alerts). */
export function slothRuleGroups(spec: SlothSpec, mode = "cli-gen-prom"): RuleGroup[] {
    return spec.slos.flatMap((slo) => sloGroups(spec, slo, mode));
}

function sloGroups(spec: SlothSpec, slo: SlothSlo, mode: string): RuleGroup[] {
    const id = `${spec.service}-${slo.name}`;
    const ids = { sloth_id: id, sloth_service: spec.service, sloth_slo: slo.name };
    const base = { ...spec.labels, ...slo.labels, ...ids };
    const sel = `{sloth_id="${id}", sloth_service="${spec.service}", sloth_slo="${slo.name}"}`;

    const sli = (window: string): string => {
        const w = (q: string) => q.replaceAll("{{.window}}", window);
        if (slo.sli.events) return `(${w(slo.sli.events.error_query)})\n/\n(${w(slo.sli.events.total_query)})\n`;
        if (slo.sli.raw) return `(${w(slo.sli.raw.error_ratio_query)})`;
        throw new Error(`${id}: the SLI needs events or raw`);
    };
    const sliRules: Rule[] = SLI_WINDOWS.map((window) => ({ record: `slo:sli_error:ratio_rate${window}`, expr: sli(window), labels: sorted({ ...base, sloth_window: window }) }));
    sliRules.push({
        record: `slo:sli_error:ratio_rate${PERIOD}`,
        expr: `sum_over_time(slo:sli_error:ratio_rate5m${sel}[${PERIOD}])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m${sel}[${PERIOD}])\n`,
        labels: sorted({ ...base, sloth_window: PERIOD }),
    });

    const objectiveRatio = slo.objective / 100;
    const burn = (sli: string) => `${sli}${sel}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${sel}\n`;
    const meta: Rule[] = [
        { record: "slo:objective:ratio", expr: `vector(${objectiveRatio})` },
        { record: "slo:error_budget:ratio", expr: `vector(1-${objectiveRatio})` },
        { record: "slo:time_period:days", expr: `vector(${PERIOD_DAYS})` },
        { record: "slo:current_burn_rate:ratio", expr: burn("slo:sli_error:ratio_rate5m") },
        { record: "slo:period_burn_rate:ratio", expr: burn(`slo:sli_error:ratio_rate${PERIOD}`) },
        { record: "slo:period_error_budget_remaining:ratio", expr: `1 - slo:period_burn_rate:ratio${sel}` },
    ].map((r) => ({ ...r, labels: sorted(base) }));
    meta.push({
        record: "sloth_slo_info",
        expr: "vector(1)",
        labels: sorted({ ...base, sloth_mode: mode, sloth_objective: String(slo.objective), sloth_spec: spec.version, sloth_version: SLOTH_VERSION }),
    });

    const groups: RuleGroup[] = [
        { name: `sloth-slo-sli-recordings-${id}`, rules: sliRules },
        { name: `sloth-slo-meta-recordings-${id}`, rules: meta },
    ];
    // The alerts compare against the budget as Sloth computes it: (100 - objective) / 100.
    const budget = (100 - slo.objective) / 100;
    const alerts: Rule[] = [];
    for (const severity of ["page", "ticket"] as const) {
        const a = severity === "page" ? slo.alerting.page_alert : slo.alerting.ticket_alert;
        if (a?.disable) continue;
        const cond = (window: string, factor: number) => `max(slo:sli_error:ratio_rate${window}${sel} > (${factor} * ${budget})) without (sloth_window)`;
        const expr = ALERT_WINDOWS[severity].map((w) => `(\n    ${cond(w.short, w.factor)}\n    and\n    ${cond(w.long, w.factor)}\n)`).join("\nor\n") + "\n";
        alerts.push({
            alert: slo.alerting.name ?? "",
            expr,
            labels: sorted({ ...slo.alerting.labels, ...a?.labels, sloth_severity: severity }),
            annotations: sorted({
                summary: "{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is over expected.",
                title: `(${severity}) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.`,
                ...slo.alerting.annotations,
                ...a?.annotations,
            }),
        });
    }
    if (alerts.length) groups.push({ name: `sloth-slo-alerts-${id}`, rules: alerts });
    return groups;
}
