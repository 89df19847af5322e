/**
 * Offline PromQL checks with Prometheus' own Lezer grammar (@prometheus-io/lezer-promql): syntax errors (the parser
 * marks them with error nodes) and the metric names an expression selects.
 */
import { parser } from "@prometheus-io/lezer-promql";

/** Grafana and Flagger template variables replaced by representative values before parsing. */
export function normaliseTemplate(expr: string): string {
    return expr
        .replace(/\$__(rate_interval|interval|range)\b/g, "5m")
        .replace(/\[\{\{\s*interval\s*\}\}\]/g, "[1m]")
        .replace(/\{\{\s*(namespace|target|interval)\s*\}\}/g, "x")
        .replace(/\$\{?(\w+)\}?/g, "$1");
}

export interface PromqlProblem {
    message: string;
}

export function syntaxProblems(expr: string): string[] {
    const tree = parser.parse(expr);
    const problems: string[] = [];
    tree.iterate({
        enter(node) {
            if (node.type.isError) {
                const at = node.from;
                problems.push(`syntax error at offset ${at} near ${JSON.stringify(expr.slice(Math.max(0, at - 15), at + 15))}`);
            }
        },
    });
    return problems;
}

/** Names selected by vector selectors: `foo{...}`, and `{__name__="foo"}`. */
export function metricNames(expr: string): string[] {
    const tree = parser.parse(expr);
    const names = new Set<string>();
    tree.iterate({
        enter(node) {
            if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector") names.add(expr.slice(node.from, node.to));
            if (node.name === "UnquotedLabelMatcher" || node.name === "QuotedLabelMatcher") {
                const text = expr.slice(node.from, node.to);
                const m = /^__name__\s*=\s*"([^"]+)"$/.exec(text);
                if (m) names.add(m[1]);
            }
        },
    });
    return [...names];
}
