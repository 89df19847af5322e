/**
 * The secrets rule, tested for real: plan every stack in this process to learn the actual secret values the plan
 * produced (generated passwords, private keys, certificates — everything the engine holds as a secret), then
 * require that none of them appears in any stack output, in the plan JSON files, or in the plan's printed output
 * written by jest's global setup (.plan-test/).
 */
import * as fs from "fs";
import * as path from "path";
import { listStacks } from "../../config/stack-files";
import { isSecretEnvelope, SECRET_SIG } from "../../tools/plan/monitor";
import { planStack, type PlannedStack } from "../../tools/plan/run";
import { PLAN_DIR, stackOutputs, ALL_STACKS } from "../support/plan";
import { GENERATED_SECRETS } from "../../components/secrets";
import { SPOKE_STACKS, stackFacts } from "../../tools/workloads/scheduling";

/** Plaintext values inside secret envelopes anywhere in `v` (a secret object's string leaves included). */
function secretValues(v: unknown, out: Set<string>): Set<string> {
    if (isSecretEnvelope(v)) {
        const inner = v.value;
        if (typeof inner === "string") out.add(inner);
        else if (inner && typeof inner === "object") JSON.stringify(inner, (_k, x) => (typeof x === "string" && out.add(x), x));
    } else if (Array.isArray(v)) v.forEach((x) => secretValues(x, out));
    else if (v && typeof v === "object") Object.values(v).forEach((x) => secretValues(x, out));
    return out;
}

/** String leaves of `v` outside secret envelopes: values the program declares in the open. */
function plainValues(v: unknown, out: Set<string>): Set<string> {
    if (isSecretEnvelope(v)) return out;
    if (typeof v === "string") out.add(v);
    else if (Array.isArray(v)) v.forEach((x) => plainValues(x, out));
    else if (v && typeof v === "object") Object.values(v).forEach((x) => plainValues(x, out));
    return out;
}

/** Which `values` occur in which haystack (file name → text). */
export function findLeaks(values: Iterable<string>, haystacks: Record<string, string>): string[] {
    const leaks: string[] = [];
    for (const value of values) {
        for (const [where, text] of Object.entries(haystacks)) if (text.includes(value)) leaks.push(`${where} contains a secret value (${value.slice(0, 4)}…, ${value.length} chars)`);
    }
    return leaks;
}

const planned: PlannedStack[] = [];
const values = new Set<string>();
const generated: string[] = [];

beforeAll(async () => {
    const refs: Record<string, Record<string, unknown>> = {};
    for (const sf of listStacks()) {
        const p = await planStack(sf, refs);
        refs[p.qualifiedName] = p.outputs;
        planned.push(p);
        for (const r of p.resources) {
            // An output object marked secret as a whole (e.g. a Key Vault secret's `properties`) also holds fields its
            // inputs declare in the open (contentType, expiry): those are not secret values.
            const open = plainValues(r.inputs, new Set());
            for (const v of secretValues(r.outputs, secretValues(r.inputs, new Set()))) if (!open.has(v)) values.add(v);
            if (r.type === "random:index/randomPassword:RandomPassword") generated.push(...secretValues(r.outputs.result, new Set()));
        }
    }
    // Values this short could match by accident (and none of the platform's secrets is this short); the envelope
    // signature is a marker every export carries, not a value.
    for (const v of [...values]) if (v.length < 12 || v === SECRET_SIG) values.delete(v);
}, 600_000); // every stack's full program in this process: 278 s for seven stacks measured at load 20

it("knows the real secret values of the plan (so the checks below can fail)", () => {
    expect(planned.map((p) => p.stack.stack).sort()).toEqual(listStacks().map((sf) => sf.stack).sort());
    // Every GENERATED_SECRETS entry per spoke (SPOKE_STACKS: every spoke stack file) plus one key per LLM gateway team, each a 32+ character password.
    const expected = SPOKE_STACKS.reduce((n, s) => n + Object.keys(GENERATED_SECRETS).length + stackFacts(s).config.gateway.teams.length, 0);
    expect(expected).toBeGreaterThanOrEqual(27);
    expect(generated).toHaveLength(expected);
    for (const g of generated) {
        expect(g.length).toBeGreaterThanOrEqual(32);
        expect(values.has(g)).toBe(true);
    }
    // Private keys (edge origin certificate, origin-pull CA), wherever the program declares them, are secrets too.
    for (const r of planned.flatMap((p) => p.resources).filter((x) => x.type === "tls:index/privateKey:PrivateKey")) {
        expect(isSecretEnvelope(r.outputs.privateKeyPem)).toBe(true);
        expect(values.has((r.outputs.privateKeyPem as { value: string }).value)).toBe(true);
    }
});

it("no secret value is a stack output", () => {
    const outputs = Object.fromEntries(ALL_STACKS.map((s) => [`${s} outputs`, JSON.stringify(stackOutputs(s))]));
    expect(findLeaks(values, outputs)).toEqual([]);
    // And the in-process stacks agree: their outputs hold no envelope that would print as plaintext either.
    for (const p of planned) expect(findLeaks(values, { [`${p.stack.stack} registered outputs`]: JSON.stringify(p.outputs, (_k, x) => (isSecretEnvelope(x) ? "[secret]" : x)) })).toEqual([]);
});

it("no secret value is in any plan JSON file or in the printed plan", () => {
    const files = fs.readdirSync(PLAN_DIR).filter((f) => f.endsWith(".json") || f === "cli.log");
    expect(files).toEqual(expect.arrayContaining(["cli.log", "summary.json", ...ALL_STACKS.map((s) => `${s}.json`)]));
    const haystacks = Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(PLAN_DIR, f), "utf8")]));
    expect(findLeaks(values, haystacks)).toEqual([]);
});

it("the leak check itself catches a planted value", () => {
    const [one] = generated;
    expect(findLeaks([one], { "out.json": `{"password":"${one}"}`, "clean.log": "nothing" })).toEqual([`out.json contains a secret value (${one.slice(0, 4)}…, ${one.length} chars)`]);
});
