/**
 * The generated parts of the tree (cluster entry points, tenants, cluster-vars ConfigMap, Cloudflare ranges) are
 * current: this fails when a stack file, the pool facts, CLUSTER_VAR_KEYS or the Cloudflare list changed without
 * re-running `npx tsx tools/gitops/generate.ts`.
 */
import type { NodePoolConfig } from "../../config/schema";
import { poolFacts, userPoolFacts } from "../../components/gpu-pools/facts";
import { generateGitops, gpuCapacity, nvidiaValues, staleGenerated } from "../../tools/gitops/generate";

describe("generated GitOps files", () => {
    test("are up to date with their sources", () => {
        expect(staleGenerated()).toEqual([]);
    });

    test("a changed source is reported as stale with the command to run", () => {
        const files = generateGitops().map((f) => (f.path.endsWith("prd-uaenorth/infra-configs/tenants.yaml") ? { ...f, content: f.content + "# changed\n" } : f));
        expect(staleGenerated(undefined, files)).toEqual([
            "gitops-bootstrap/clusters/prd-uaenorth/infra-configs/tenants.yaml: stale (its sources changed); run npx tsx tools/gitops/generate.ts",
        ]);
    });

    test("GPU operator values follow the pool facts: MIG → mixed strategy + MIG manager; spot → spot toleration", () => {
        const pool = (p: Partial<NodePoolConfig>): NodePoolConfig =>
            ({ name: "g", vmSize: "Standard_NC40ads_H100_v5", mode: "User", minCount: 0, maxCount: 2, zones: [], spot: false, taints: [], labels: {}, subnet: "gpu", maxPods: 50, osDiskSizeGB: 128, ...p }) as NodePoolConfig;
        const mig = [userPoolFacts(pool({ gpu: { vendor: "nvidia", migProfile: "MIG3g" } }))];
        expect(nvidiaValues(mig)).toEqual({
            mig: { strategy: "mixed" },
            migManager: { enabled: true, config: { default: "all-disabled" } },
            daemonsets: { tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }] },
        });
        const spot = [userPoolFacts(pool({ vmSize: "Standard_NC4as_T4_v3", spot: true, gpu: { vendor: "nvidia" } }))];
        expect(nvidiaValues(spot).mig).toEqual({ strategy: "single" });
        expect((nvidiaValues(spot).daemonsets as any).tolerations[1]).toEqual({ key: "kubernetes.azure.com/scalesetpriority", operator: "Exists", effect: "NoSchedule" });
        expect(gpuCapacity([...mig, ...spot])).toEqual({ "nvidia.com/mig-3g.47gb": 4, "nvidia.com/gpu": 2 });
        expect(gpuCapacity(poolFacts({ aks: { systemPool: { vmSize: "Standard_D4ds_v5", minCount: 1, maxCount: 1, zones: [] } } as any, nodePools: [] }))).toEqual({});
    });
});
