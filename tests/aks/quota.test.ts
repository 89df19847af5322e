/**
 * The quota report of each planned spoke: vCPUs per VM family at maxCount (system pool included), spot on its own
 * regional quota, surge on top, and the immutable-pool note — checked against sums computed here from config.
 */
import { maxSurgeSetting } from "../../config/address-plan";
import { VM_SKUS } from "../../config/skus";
import { SPOT_QUOTA, surgeOf } from "../../tools/plan/reports/quota";
import { loadSummary, SPOKES } from "../support/plan";
import { cfgOf } from "./support";

function report(stack: string) {
    const s = loadSummary().stacks.find((x) => x.stack === stack)!;
    const r = s.reports.find((x) => x.title.startsWith("quota:"));
    if (!r) throw new Error(`${stack}: no quota report in the plan summary`);
    return r;
}

/** Expected vCPUs per quota family, from config and the SKU table. */
function expected(stack: string) {
    const cfg = cfgOf(stack);
    const pools = [
        { name: "system", vmSize: cfg.aks.systemPool.vmSize, maxCount: cfg.aks.systemPool.maxCount, spot: false, maxSurge: maxSurgeSetting({}) },
        ...cfg.nodePools.map((p) => ({ name: p.name, vmSize: p.vmSize, maxCount: p.maxCount, spot: p.spot, maxSurge: maxSurgeSetting(p) })),
    ];
    const out: Record<string, { vcpus: number; withSurge: number; pools: string[] }> = {};
    for (const p of pools) {
        const key = p.spot ? SPOT_QUOTA : VM_SKUS[p.vmSize].family;
        out[key] ??= { vcpus: 0, withSurge: 0, pools: [] };
        out[key].vcpus += p.maxCount * VM_SKUS[p.vmSize].vcpus;
        out[key].withSurge += (p.maxCount + surgeOf(p.maxSurge, p.maxCount, p.spot)) * VM_SKUS[p.vmSize].vcpus;
        out[key].pools.push(p.name);
    }
    return out;
}

describe.each(SPOKES)("%s quota report", (stack) => {
    it("sums vCPUs per family over every pool at maxCount, system pool included", () => {
        const data = report(stack).data;
        const exp = expected(stack);
        expect(Object.fromEntries(data.rows.map((r: any) => [r.family, { vcpus: r.vcpus, withSurge: r.vcpusWithSurge, pools: [...r.pools].sort() }]))).toEqual(
            Object.fromEntries(Object.entries(exp).map(([k, v]) => [k, { ...v, pools: [...v.pools].sort() }])),
        );
        const regional = Object.entries(exp).filter(([k]) => k !== SPOT_QUOTA).reduce((n, [, v]) => n + v.vcpus, 0);
        expect(data.regionalVcpus).toBe(regional);
        expect(data.spotVcpus).toBe(exp[SPOT_QUOTA]?.vcpus ?? 0);
        expect(data.unknownSizes).toEqual([]);
        expect(report(stack).failures).toBe(0);
    });

    it("prints the table and points at az vm list-usage", () => {
        const lines = report(stack).lines;
        expect(lines[0]).toMatch(/^quota family\s+pools\s+max nodes\s+vCPUs at maxCount\s+\+ upgrade surge$/);
        expect(lines.some((l) => l.startsWith("Total Regional vCPUs (cores)"))).toBe(true);
        expect(lines).toContain("compare with: az vm list-usage --location uaenorth -o table (spot pools count against lowPriorityCores only)");
    });
});

describe("quota figures", () => {
    it("prd: 256 DDSv5 (system 6×8 + cpu 12×16 + ingress 4×4), 160 H100 (4×40), 192 MI300X (2×96); no spot", () => {
        const rows = Object.fromEntries(report("prd-uaenorth").data.rows.map((r: any) => [r.family, r]));
        expect(rows.standardDDSv5Family).toMatchObject({ vcpus: 256, vcpusWithSurge: 344, nodes: 22 });
        expect(rows.StandardNCadsH100v5Family).toMatchObject({ vcpus: 160, vcpusWithSurge: 200 });
        expect(rows.standardNDISv5MI300XFamily).toMatchObject({ vcpus: 192, vcpusWithSurge: 288 });
        expect(rows[SPOT_QUOTA]).toBeUndefined();
        expect(report("prd-uaenorth").data.regionalVcpus).toBe(608);
    });

    it("dev: spot D8 and T4 pools count against the spot quota, not their families", () => {
        const data = report("dev-uaenorth").data;
        const spot = data.rows.find((r: any) => r.family === SPOT_QUOTA);
        expect(spot).toMatchObject({ pools: ["spot", "t4spot"], vcpus: 5 * 8 + 2 * 4, vcpusWithSurge: 48 });
        expect(data.rows.map((r: any) => r.family)).not.toContain("standardNCASv3_T4Family");
    });

    it("names the pools whose VM size cannot change in place (with their MIG profile, from the pool's label)", () => {
        const lines = report("prd-uaenorth").lines.join("\n");
        expect(lines).toMatch(/immutable: a change to vmSize or osDiskType .* replaces the pool/);
        expect(lines).toMatch(/h100: Standard_NC40ads_H100_v5, MIG profile MIG3g/);
    });
});
