/**
 * A minimal PromQL evaluator for alert expressions over synthetic series (instant vectors at one time), walking
 * Prometheus' own grammar (@prometheus-io/lezer-promql): selectors with matchers, number literals, time(), absent(),
 * vector(), parentheses, arithmetic, comparison filters, and/or/unless with default (all-label) matching, and the
 * aggregations sum/min/max/count with by/without. Anything else throws, so a rule a test cannot evaluate fails loudly
 * instead of passing by accident. Used by the certificate-expiry and SLO alert tests.
 */
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode } from "@lezer/common";


export interface Series {
    name: string;
    labels: Record<string, string>;
    value: number;
}
export type Sample = { labels: Record<string, string>; value: number };
type Value = number | Sample[];

const key = (l: Record<string, string>) => JSON.stringify(Object.entries(l).sort());

export function evaluate(expr: string, db: Series[], now: number): Sample[] {
    const text = (n: SyntaxNode) => expr.slice(n.from, n.to);
    const kids = (n: SyntaxNode) => {
        const out: SyntaxNode[] = [];
        for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
        return out;
    };
    const matchers = (sel: SyntaxNode) =>
        kids(sel)
            .filter((c) => c.name === "LabelMatchers")
            .flatMap(kids)
            .map((m) => {
                const [name, op, value] = kids(m);
                return { name: text(name), op: text(op), value: JSON.parse(text(value)) as string };
            });
    const selects = (m: { op: string; value: string }, v: string) =>
        m.op === "=" ? v === m.value : m.op === "!=" ? v !== m.value : m.op === "=~" ? new RegExp(`^(?:${m.value})$`).test(v) : !new RegExp(`^(?:${m.value})$`).test(v);
    const arith: Record<string, (a: number, b: number) => number> = { "+": (a, b) => a + b, "-": (a, b) => a - b, "*": (a, b) => a * b, "/": (a, b) => a / b };
    const cmp: Record<string, (a: number, b: number) => boolean> = { "<": (a, b) => a < b, "<=": (a, b) => a <= b, ">": (a, b) => a > b, ">=": (a, b) => a >= b, "==": (a, b) => a === b, "!=": (a, b) => a !== b };

    const ev = (n: SyntaxNode): Value => {
        switch (n.name) {
            case "PromQL":
            case "ParenExpr":
                return ev(kids(n).find((c) => c.name !== "(" && c.name !== ")")!);
            case "NumberDurationLiteral":
                return Number(text(n));
            case "VectorSelector": {
                const name = text(kids(n).find((c) => c.name === "Identifier")!);
                const ms = matchers(n);
                return db.filter((s) => s.name === name && ms.every((m) => selects(m, s.labels[m.name] ?? ""))).map((s) => ({ labels: { ...s.labels }, value: s.value }));
            }
            case "FunctionCall": {
                const fn = text(kids(n)[0]);
                const args = kids(kids(n)[1]).filter((c) => !["(", ")", ","].includes(c.name));
                if (fn === "time") return now;
                if (fn === "vector") return [{ labels: {}, value: ev(args[0]) as number }];
                if (fn === "absent") {
                    const inner = ev(args[0]) as Sample[];
                    if (inner.length) return [];
                    const find = (x: SyntaxNode): SyntaxNode | undefined => (x.name === "VectorSelector" ? x : kids(x).map(find).find(Boolean));
                    const sel = find(args[0]);
                    const eq = sel ? matchers(sel).filter((m) => m.op === "=") : [];
                    return [{ labels: Object.fromEntries(eq.map((m) => [m.name, m.value])), value: 1 }];
                }
                throw new Error(`evaluator: function ${fn} not supported`);
            }
            case "BinaryExpr": {
                const [l, op, ...rest] = kids(n);
                if (rest.some((c) => c.name === "BoolModifier" || c.name === "OnOrIgnoring" || c.name === "GroupLeft" || c.name === "GroupRight")) throw new Error(`evaluator: modifiers not supported in ${text(n)}`);
                const a = ev(l);
                const b = ev(rest[rest.length - 1]);
                const o = text(op);
                if (o === "or") {
                    const left = new Set((a as Sample[]).map((s) => key(s.labels)));
                    return [...(a as Sample[]), ...(b as Sample[]).filter((s) => !left.has(key(s.labels)))];
                }
                if (o === "and" || o === "unless") {
                    const right = new Set((b as Sample[]).map((s) => key(s.labels)));
                    return (a as Sample[]).filter((s) => right.has(key(s.labels)) === (o === "and"));
                }
                if (typeof a === "number" && typeof b === "number") {
                    if (arith[o]) return arith[o](a, b);
                    throw new Error(`evaluator: scalar comparison ${text(n)} needs bool`);
                }
                const pairs: [Sample, number, number][] =
                    typeof b === "number"
                        ? (a as Sample[]).map((s) => [s, s.value, b])
                        : typeof a === "number"
                          ? (b as Sample[]).map((s) => [s, a, s.value])
                          : (a as Sample[]).flatMap((s) => (b as Sample[]).filter((t) => key(t.labels) === key(s.labels)).map((t): [Sample, number, number] => [s, s.value, t.value]));
                if (arith[o]) return pairs.map(([s, x, y]) => ({ labels: s.labels, value: arith[o](x, y) }));
                if (cmp[o]) return pairs.filter(([, x, y]) => cmp[o](x, y)).map(([s]) => s);
                throw new Error(`evaluator: operator ${o} not supported`);
            }
            case "AggregateExpr": {
                const op = text(kids(n)[0]);
                const reduce: Record<string, (v: number[]) => number> = { sum: (v) => v.reduce((x, y) => x + y, 0), min: (v) => Math.min(...v), max: (v) => Math.max(...v), count: (v) => v.length };
                if (!reduce[op]) throw new Error(`evaluator: aggregation ${op} not supported`);
                const mod = kids(n).find((c) => c.name === "AggregateModifier");
                const without = mod ? kids(mod)[0].name === "Without" : false;
                const grouping = mod ? kids(kids(mod).find((c) => c.name === "GroupingLabels")!).filter((c) => c.name === "LabelName").map(text) : [];
                const body = kids(kids(n).find((c) => c.name === "FunctionCallBody")!).find((c) => c.name !== "(" && c.name !== ")")!;
                const groups = new Map<string, { labels: Record<string, string>; values: number[] }>();
                for (const s of ev(body) as Sample[]) {
                    const labels = Object.fromEntries(Object.entries(s.labels).filter(([l]) => l !== "__name__" && grouping.includes(l) !== without));
                    const g = groups.get(key(labels)) ?? { labels, values: [] };
                    g.values.push(s.value);
                    groups.set(key(labels), g);
                }
                return [...groups.values()].map((g) => ({ labels: g.labels, value: reduce[op](g.values) }));
            }
            default:
                throw new Error(`evaluator: ${n.name} (${text(n)}) not supported`);
        }
    };
    const tree = parser.parse(expr);
    const out = ev(tree.topNode);
    if (typeof out === "number") throw new Error(`${expr}: evaluates to a scalar`);
    return out;
}


export interface Rule {
    alert: string;
    expr: string;
    for?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

/** Alerts (name/severity) the rules raise over `db` at `now`, each with the labels of the firing series. */
export function firing(rules: Rule[], db: Series[], now: number): { alert: string; severity: string; labels: Record<string, string> }[] {
    return rules.flatMap((r) => evaluate(r.expr, db, now).map((s) => ({ alert: r.alert, severity: r.labels.severity, labels: { ...s.labels, ...r.labels } })));
}
