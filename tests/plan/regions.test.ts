/**
 * Adding a region is stack files only (issue 18): a generated three-region set (hub + dev/stg/prd per region, cloned
 * from uaenorth's files by tools/scale/stack-set.ts) is discovered, ordered and selected by the plan with no code
 * change. Pure: no program runs here — the bench (`npm run bench`, scale row) plans such a set in full.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkCrossStackAddresses } from "../../config/address-plan";
import { automationPrincipalProblems } from "../../config/automation-principal";
import { edgeZoneProblems } from "../../config/edge-zones";
import { listStacks, namespaceValues, readStackConfig, stackRefParts } from "../../config/stack-files";
import { selectStacks } from "../../tools/plan/cli";
import { templateStacks } from "../../tools/scale/region-set";
import { regionStackFiles } from "../../tools/scale/stack-set";
import { ROOT } from "../support/scratch";

const REGIONS = ["uaenorth", "swedencentral", "westeurope"];
let dir: string;
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "aiplatform-regions-"));
    fs.mkdirSync(path.join(dir, "hub"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.copyFileSync(path.join(ROOT, "hub/Pulumi.yaml"), path.join(dir, "hub/Pulumi.yaml"));
    for (const f of regionStackFiles(templateStacks(ROOT, "uaenorth"), "uaenorth", REGIONS)) fs.writeFileSync(path.join(dir, f.file), f.text);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const values = (file: string) => namespaceValues(readStackConfig(file, dir));

test("every stack of every region is discovered: hubs first, each spoke after its own hub", () => {
    const stacks = listStacks(dir);
    expect(stacks).toHaveLength(12);
    expect(stacks.slice(0, 3).map((s) => s.stack).sort()).toEqual(["hub-swedencentral", "hub-uaenorth", "hub-westeurope"]);
    const order = stacks.map((s) => s.stack);
    for (const s of stacks.filter((x) => x.kind === "spoke")) {
        const hub = stackRefParts(values(s.file).hubStack)?.stack;
        expect(hub).toBe(`hub-${s.stack.split("-")[1]}`);
        expect(order.indexOf(hub!)).toBeLessThan(order.indexOf(s.stack));
    }
});

test("--stack selects the stack and its own region's hub only", () => {
    const all = listStacks(dir);
    expect(selectStacks(all, ["prd-westeurope"], false, dir).map((s) => s.stack)).toEqual(["hub-westeurope", "prd-westeurope"]);
    expect(selectStacks(all, ["dev-swedencentral", "prd-uaenorth"], false, dir).map((s) => s.stack)).toEqual(["hub-swedencentral", "hub-uaenorth", "dev-swedencentral", "prd-uaenorth"]);
    expect(selectStacks(all, [], true, dir)).toHaveLength(12);
});

test("the generated set passes the cross-stack rules: own address blocks, one pipeline principal per stack, one writer per zone", () => {
    const stacks = listStacks(dir).map((s) => ({ ...s, v: values(s.file) }));
    const addresses = stacks.map((s) => {
        const n = s.v.network as { addressSpace: string; podCidr?: string; serviceCidr?: string };
        return { file: s.file, addressSpace: n.addressSpace, podCidr: n.podCidr, serviceCidr: n.serviceCidr };
    });
    const principals = stacks.filter((s) => s.kind === "spoke").map((s) => ({ file: s.file, automation: (s.v.rbac as { automation: string }).automation }));
    const edges = stacks.filter((s) => s.kind === "spoke").map((s) => ({ file: s.file, environment: s.v.environment, edge: s.v.edge as Record<string, unknown> }));
    for (const [i, a] of addresses.entries()) expect(checkCrossStackAddresses(a, addresses.filter((_, j) => j !== i))).toEqual([]);
    for (const [i, p] of principals.entries()) expect(automationPrincipalProblems(p, principals.filter((_, j) => j !== i))).toEqual([]);
    for (const [i, e] of edges.entries()) expect(edgeZoneProblems(e, edges.filter((_, j) => j !== i))).toEqual([]);
    // Each hub allocates its own region's spokes exactly the blocks they use, and grants their own pipelines.
    for (const hub of stacks.filter((s) => s.kind === "hub")) {
        const mine = stacks.filter((s) => stackRefParts(s.v.hubStack)?.stack === hub.stack);
        expect(hub.v.spokes).toEqual(Object.fromEntries(mine.map((s) => [s.stack, (s.v.network as { addressSpace: string }).addressSpace])));
        expect(hub.v.spokePipelines).toEqual(Object.fromEntries(mine.map((s) => [s.stack, (s.v.rbac as { automation: string }).automation])));
    }
});

test("pools keep only the zones the region offers (vendored az vm list-skus)", () => {
    // swedencentral's facts record no zones for the H100 size: its pools there are regional.
    const pools = values("Pulumi.prd-swedencentral.yaml").nodePools as { name: string; zones: string[] }[];
    expect(pools.find((p) => p.name === "h100")?.zones).toEqual([]);
    expect((values("Pulumi.prd-uaenorth.yaml").nodePools as { name: string; zones: string[] }[]).find((p) => p.name === "h100")?.zones).toEqual(["1", "2"]);
});
