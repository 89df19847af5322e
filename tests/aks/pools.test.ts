/**
 * The planned standalone AgentPools: created one at a time, built from pool facts, vendor taints and labels, MIG
 * labels only on H100 pools (never gpuInstanceProfile), driver None on GPU pools, spot settings, no spot in prd,
 * immutable properties as replacements.
 */
import * as fs from "fs";
import * as path from "path";
import { GPU_TAINT, poolFacts, SPOT_TAINT } from "../../components/gpu-pools/facts";
import { maxSurgeSetting } from "../../config/address-plan";
import type { NodePoolConfig } from "../../config/schema";
import { VM_SKUS } from "../../config/skus";
import { PLAN_DIR, SPOKES } from "../support/plan";
import { cfgOf, clusterOf, poolsOf, subnetIdByPrefix } from "./support";

const EXPECTED_POOLS: Record<string, string[]> = {
    "dev-uaenorth": ["cpu", "ingress", "spot", "t4spot"],
    "stg-uaenorth": ["cpu", "h100", "ingress", "spot"],
    "prd-uaenorth": ["cpu", "h100", "ingress", "mi300x"],
};

describe.each(SPOKES)("%s pools", (stack) => {
    const cfg = () => cfgOf(stack);
    const pools = () => poolsOf(stack);
    const each = (fn: (pool: NodePoolConfig, inputs: Record<string, any>) => void) =>
        cfg().nodePools.forEach((p) => fn(p, pools()[p.name].inputs as Record<string, any>));

    it("has one standalone AgentPool per configured user pool", () => {
        expect(Object.keys(pools()).sort()).toEqual(EXPECTED_POOLS[stack]);
        for (const r of Object.values(pools())) expect(r.inputs.resourceName).toBe(clusterOf(stack).inputs.resourceName);
    });

    it("are created one after another, in config order (AKS refuses a second pool operation with 409)", () => {
        const ordered = cfg().nodePools.map((p) => pools()[p.name]);
        ordered.slice(1).forEach((pool, i) => expect([pool.inputs.agentPoolName, pool.dependencies]).toEqual([pool.inputs.agentPoolName, expect.arrayContaining([ordered[i].urn])]));
    });

    it("takes taints and labels verbatim from the pool facts", () => {
        const facts = poolFacts(cfg()).slice(1);
        for (const f of facts) {
            expect(pools()[f.name].inputs.nodeTaints).toEqual(f.taints);
            expect(pools()[f.name].inputs.nodeLabels).toEqual(f.labels);
        }
    });

    it("every pool: VMSS, autoscaled from its min count, no public IPs, encrypted at host, no SSH, in its subnet", () => {
        each((p, i) => {
            expect(i).toMatchObject({
                mode: "User",
                type: "VirtualMachineScaleSets",
                vmSize: p.vmSize,
                enableAutoScaling: true,
                count: p.minCount,
                minCount: p.minCount,
                maxCount: p.maxCount,
                enableNodePublicIP: false,
                enableEncryptionAtHost: true,
                securityProfile: { sshAccess: "Disabled" },
                vnetSubnetID: subnetIdByPrefix(stack, cfg().network.subnets[p.subnet]),
            });
            if (p.zones.length) expect(i.availabilityZones).toEqual(p.zones);
            else expect(i.availabilityZones).toBeUndefined();
        });
    });

    it("surge matches the address plan's capacity check (none on spot pools)", () => {
        each((p, i) => {
            const surge = maxSurgeSetting(p);
            if (surge) expect(i.upgradeSettings).toEqual({ maxSurge: surge });
            else expect(i.upgradeSettings).toBeUndefined();
        });
    });

    it("GPU pools: vendor taint and labels, driver None (operator-managed), Ubuntu; CPU pools: none of it", () => {
        each((p, i) => {
            const sku = VM_SKUS[p.vmSize];
            if (sku.gpu) {
                expect(i.nodeTaints).toContain(GPU_TAINT[sku.gpu.vendor]);
                expect(i.nodeLabels["aiplatform.io/gpu-vendor"]).toBe(sku.gpu.vendor);
                expect(i.nodeLabels["aiplatform.io/gpu-model"]).toBe(sku.gpu.model);
                expect(i.gpuProfile).toEqual({ driver: "None" });
                expect(i.osSKU).toBe("Ubuntu");
            } else {
                expect(i.nodeTaints.filter((t: string) => /nvidia\.com|amd\.com/.test(t))).toEqual([]);
                expect(i.gpuProfile).toBeUndefined();
                expect(i.osSKU).toBe("AzureLinux");
            }
        });
    });

    it("MIG only as the labels the GPU operator's MIG manager reads on H100 pools; never gpuInstanceProfile (driver None)", () => {
        each((p, i) => {
            // AKS partitions MIG only when it installs the driver; with driver None the profile would do nothing
            // but pin the pool to a replacement. One owner: the MIG manager.
            expect(i.gpuInstanceProfile).toBeUndefined();
            if (p.vmSize.includes("H100")) {
                expect(i.gpuProfile).toEqual({ driver: "None" });
                expect(i.nodeLabels["aiplatform.io/mig-profile"]).toBe(p.gpu!.migProfile);
                expect(i.nodeLabels["nvidia.com/mig.config"]).toMatch(/^all-\dg\.\d+gb$/);
                expect(i.minCount).toBe(0);
            } else {
                expect(i.nodeLabels["nvidia.com/mig.config"]).toBeUndefined();
            }
        });
    });

    it("spot pools: Spot priority, Delete eviction, pay up to on-demand, the AKS spot taint; regular pools: none", () => {
        each((p, i) => {
            if (p.spot) {
                expect(i).toMatchObject({ scaleSetPriority: "Spot", scaleSetEvictionPolicy: "Delete", spotMaxPrice: -1 });
                expect(i.nodeTaints).toContain(SPOT_TAINT);
            } else {
                expect(i.scaleSetPriority).toBe("Regular");
                expect(i.scaleSetEvictionPolicy).toBeUndefined();
                expect(i.nodeTaints).not.toContain(SPOT_TAINT);
            }
        });
    });

    it("a VM size change is a replacement (delete first: the pool name is fixed); the autoscaler owns count", () => {
        for (const r of Object.values(pools())) {
            expect(r.replaceOnChanges).toEqual(expect.arrayContaining(["vmSize", "enableEncryptionAtHost"]));
            expect(r.replaceOnChanges).not.toContain("gpuInstanceProfile");
            expect(r.deleteBeforeReplace).toBe(true);
            expect(r.ignoreChanges).toEqual(["count"]);
        }
    });
});

describe("pools across environments", () => {
    it.each(SPOKES)("%s: the public ingress pool runs in the ingressPublic subnet, tainted for NGINX only", (stack) => {
        const ingress = poolsOf(stack).ingress.inputs as Record<string, any>;
        expect(ingress.vnetSubnetID).toBe(subnetIdByPrefix(stack, cfgOf(stack).network.subnets.ingressPublic));
        expect(ingress.nodeTaints).toEqual(["aiplatform.io/ingress=public:NoSchedule"]);
        expect(ingress.nodeLabels["aiplatform.io/workload"]).toBe("ingress-public");
    });

    it("prd has no spot pool; dev and stg each have one", () => {
        const spot = (stack: string) => Object.values(poolsOf(stack)).filter((r) => r.inputs.scaleSetPriority === "Spot");
        expect(spot("prd-uaenorth")).toEqual([]);
        expect(spot("dev-uaenorth").length).toBeGreaterThan(0);
        expect(spot("stg-uaenorth").length).toBeGreaterThan(0);
    });

    it("prd has a CPU pool, an H100 MIG pool and an AMD MI300X pool", () => {
        const p = poolsOf("prd-uaenorth");
        expect(p.cpu.inputs.vmSize).toBe("Standard_D16ds_v5");
        expect(p.h100.inputs).toMatchObject({ vmSize: "Standard_NC40ads_H100_v5", nodeLabels: { "aiplatform.io/mig-profile": "MIG3g", "nvidia.com/mig.config": "all-3g.47gb" } });
        expect(p.mi300x.inputs).toMatchObject({ vmSize: "Standard_ND96isr_MI300X_v5", nodeTaints: ["amd.com/gpu=present:NoSchedule"] });
        expect((p.mi300x.inputs.nodeLabels as any)["aiplatform.io/gpu-vendor"]).toBe("amd");
    });

    it("the printed plan says which pools a VM size change replaces", () => {
        const log = fs.readFileSync(path.join(PLAN_DIR, "cli.log"), "utf8");
        expect(log).toMatch(/spoke-aks-pools-h100 {2}\(replace on change: vmSize, osDiskType/);
    });
});
