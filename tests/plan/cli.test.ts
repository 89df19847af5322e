/**
 * The plan command as users run it: exit codes and messages for bad input. Broken configs are planned in a scratch
 * copy of the repository so the real stack files are never touched.
 */
import * as fs from "fs";
import * as path from "path";
import { listStacks } from "../../config/stack-files";
import { selectStacks } from "../../tools/plan/cli";
import { makeScratch, ROOT, runCli } from "../support/scratch";

const plan = (args: string[], cwd = ROOT) => runCli("tools/plan/cli.ts", args, cwd);

let scratch: string;
beforeAll(() => {
    scratch = makeScratch("aiplatform-plan-");
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

test("an unknown stack exits 2 and lists the valid stacks", () => {
    const r = plan(["--stack", "nope", "--out", path.join(scratch, ".plan")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("plan: unknown stack 'nope'; valid stacks: hub-swedencentral, hub-uaenorth, dev-uaenorth, stg-swedencentral, stg-uaenorth, prd-swedencentral, prd-uaenorth");
});

test("no stack selected exits 2 with usage", () => {
    const r = plan([]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nothing to plan: give --stack <name> or --all\nusage: npm run plan/);
});

test("an unknown flag exits 2", () => {
    const r = plan(["--stak", "dev-uaenorth"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Unknown option '--stak'/);
});

test("a required deploy order removed from the code exits 1 naming the constraint and the resources", () => {
    // The hub's chain of firewall rule collection groups: planning the hub alone is enough to see it fail.
    const file = path.join(scratch, "components/hub/index.ts");
    const code = fs.readFileSync(file, "utf8");
    const chained = "ruleCollections: ruleCollections(group, sources),\n            },\n            { parent, dependsOn: previousGroup ? [previousGroup] : [] },";
    const broken = code.replace(chained, chained.replace("dependsOn: previousGroup ? [previousGroup] : []", "dependsOn: []"));
    expect(broken).not.toBe(code);
    fs.writeFileSync(file, broken);
    try {
        const r = plan(["--stack", "hub-uaenorth", "--quiet", "--out", path.join(scratch, ".plan")], scratch);
        expect(r.code).toBe(1);
        expect(r.out).toMatch(/--- deploy order .* — \d+ failures/);
        expect(r.out).toMatch(/FAIL rule-collection-groups-serialised: \d+ orders — the rule collection groups of one firewall policy one after another/);
        expect(r.out).toMatch(/hub-rcg-[\w-]+ does not wait for hub-rcg-[\w, -]+: parallel writes on one firewall policy fail \(409, policy in Updating state\) \(source: .*Azure\/bicep#1013/);
    } finally {
        fs.writeFileSync(file, code);
    }
});

test("a stack file with a broken value exits 2 naming file, key, value and what is allowed — before anything is planned, its hub included", () => {
    const file = path.join(scratch, "Pulumi.stg-uaenorth.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("tier: Standard", "tier: Free").replace("minCount: 2\n      maxCount: 4", "minCount: 6\n      maxCount: 4"));
    const out = path.join(scratch, ".plan-broken");
    const r = plan(["--stack", "stg-uaenorth", "--out", out], scratch);
    expect(r.out).toContain("planned nothing; no failures; not planned: stg-uaenorth");
    expect(fs.existsSync(path.join(out, "hub-uaenorth.json"))).toBe(false);
    expect(r.code).toBe(2);
    expect(r.err).toContain("plan: stg-uaenorth: invalid stack config (2 problems):");
    expect(r.err).toContain('Pulumi.stg-uaenorth.yaml: aiplatform:aks.systemPool.minCount = 6: must be ≤ aiplatform:aks.systemPool.maxCount (4)');
    expect(r.err).toContain('Pulumi.stg-uaenorth.yaml: aiplatform:aks.tier = "Free": must be Standard or Premium in stg');
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(fs.existsSync(path.join(out, "stg-uaenorth.json"))).toBe(false);
});

test("a pipeline principal reused by another stack file exits 2 naming both files, the key and the value (issue 22 §3)", () => {
    const file = path.join(scratch, "Pulumi.prd-uaenorth.yaml");
    const dev = /automation: "([0-9a-f-]{36})"/.exec(fs.readFileSync(path.join(scratch, "Pulumi.dev-uaenorth.yaml"), "utf8"))![1];
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/automation: "[0-9a-f-]{36}"/, `automation: "${dev}"`));
    const r = plan(["--stack", "prd-uaenorth", "--out", path.join(scratch, ".plan")], scratch);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
        `Pulumi.prd-uaenorth.yaml: aiplatform:rbac.automation = "${dev}": is also the automation principal of Pulumi.dev-uaenorth.yaml: one pipeline identity per stack`,
    );
    expect(r.err).not.toMatch(/\n\s+at /);
});

test("malformed YAML in a stack file exits 2 naming the file", () => {
    fs.writeFileSync(path.join(scratch, "Pulumi.dev-uaenorth.yaml"), "config:\n  aiplatform:environment: [dev\n");
    const r = plan(["--stack", "dev-uaenorth", "--out", path.join(scratch, ".plan")], scratch);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Pulumi\.dev-uaenorth\.yaml: YAML error/);
});

describe("user mistakes: one message naming the file and key, exit 2, and the rest still planned", () => {
    let mistakes: string;
    beforeAll(() => {
        mistakes = makeScratch("aiplatform-mistakes-");
    });
    afterAll(() => fs.rmSync(mistakes, { recursive: true, force: true }));

    test("an empty spoke file fails that spoke alone (exit 2 naming its file and keys); the hub and the other spokes are planned", () => {
        const dev = path.join(mistakes, "Pulumi.dev-uaenorth.yaml");
        fs.writeFileSync(dev, "config:\n");
        const stg = path.join(mistakes, "Pulumi.stg-uaenorth.yaml");
        fs.writeFileSync(stg, fs.readFileSync(stg, "utf8").replace(/^config:\n/m, "config:\n  aiplatfrom:namePrefix: xyz\n"));
        // dev and stg only (their hub comes along): prd would add nothing but seconds.
        const r = plan(["--stack", "dev-uaenorth", "--stack", "stg-uaenorth", "--quiet", "--out", path.join(mistakes, ".plan")], mistakes);
        expect(r.code).toBe(2);
        expect(r.err).toContain("plan: dev-uaenorth: invalid stack config");
        expect(r.err).toContain("Pulumi.dev-uaenorth.yaml: aiplatform:network = (not set): is required (object)");
        expect(r.out).toMatch(/planned hub-uaenorth \(\d+\), stg-uaenorth \(\d+\); no failures; not planned: dev-uaenorth/);
        expect(r.err).toContain("plan: warning: Pulumi.stg-uaenorth.yaml: aiplatfrom:namePrefix: no namespace this project reads");
        expect(r.err).toContain("did you mean aiplatform:namePrefix?");
        expect(r.err).not.toMatch(/Cannot read properties|the program failed/);
    });

    test("a YAML alias bomb and an oversized stack file are refused naming the file", () => {
        const dev = path.join(mistakes, "Pulumi.dev-uaenorth.yaml");
        const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
        for (let i = 0; i < 8; i++) bomb.push(`${"bcdefghi"[i]}: &${"bcdefghi"[i]} [${Array(10).fill(`*${i ? "bcdefghi"[i - 1] : "a"}`).join(", ")}]`);
        fs.writeFileSync(dev, `${bomb.join("\n")}\nconfig: {}\n`);
        let r = plan(["--stack", "dev-uaenorth", "--out", path.join(mistakes, ".plan")], mistakes);
        expect(r.code).toBe(2);
        expect(r.err).toMatch(/Pulumi\.dev-uaenorth\.yaml: YAML error: .*alias/i);
        fs.writeFileSync(dev, `config:\n  aiplatform:blob: "${"x".repeat(2 * 1024 * 1024)}"\n`);
        r = plan(["--stack", "dev-uaenorth", "--out", path.join(mistakes, ".plan")], mistakes);
        expect(r.code).toBe(2);
        expect(r.err).toContain("Pulumi.dev-uaenorth.yaml: is 2.0 MB; a stack file may be at most 1 MB");
        expect(Math.max(...r.err.split("\n").map((l) => l.length))).toBeLessThan(500);
    });

    test("--out naming a file exits 2 before planning", () => {
        const file = path.join(mistakes, "not-a-folder");
        fs.writeFileSync(file, "");
        const r = plan(["--stack", "hub-uaenorth", "--out", file], mistakes);
        expect(r.code).toBe(2);
        expect(r.err).toBe(`plan: --out ${file}: is a file, not a folder\n`);
    });
});

test("--stack plans the stack and its own hub only (a second region's hub is not planned)", () => {
    const all = listStacks();
    const otherHub = { ...all.find((s) => s.kind === "hub")!, stack: "hub-westeurope", file: "hub/Pulumi.hub-westeurope.yaml" };
    const withOther = [otherHub, ...all];
    expect(selectStacks(withOther, ["prd-uaenorth"], false).map((s) => s.stack)).toEqual(["hub-uaenorth", "prd-uaenorth"]);
    expect(selectStacks(withOther, ["hub-westeurope"], false).map((s) => s.stack)).toEqual(["hub-westeurope"]);
});
