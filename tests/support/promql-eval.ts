/**
 * A minimal PromQL evaluator for alert-rule tests over synthetic series (one instant, no ranges), on Prometheus' own
 * grammar (@prometheus-io/lezer-promql).
 */
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode } from "@lezer/common";

// A minimal PromQL evaluator for alert expressions: selectors with matchers, number literals, time(), absent(),
// parentheses, arithmetic, comparison filters and and/unless with default (all-label) matching. Anything else throws,
// so a rule this test cannot evaluate fails loudly instead of passing by accident.

export interface Series {
    name: string;
    labels: Record<string, string>;
    value: number;
}
type Sample = { labels: Record<string, string>; value: number };
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
