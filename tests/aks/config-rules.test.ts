/**
 * The AKS config rules: each starts from a real stack file, changes one field, and expects the exact problem.
 */
import { cronToRecurrence } from "../../config/recurrence";
import { spokeProblems as problems } from "../support/config";

describe("AKS config rules", () => {
    it.each(["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"])("%s is valid as committed", (stack) => {
        expect(problems(stack, () => {})).toEqual([]);
    });

    it("refuses turning Container Insights off: the plan's policy k17 requires it (CKV_AZURE_4)", () => {
        const p = problems("dev-uaenorth", (r) => {
            r.aks.monitoring = { containerInsights: false };
        });
        expect(p).toEqual([
            "Pulumi.dev-uaenorth.yaml: aiplatform:aks.monitoring.containerInsights = false: Container Insights is required on every cluster (policy k17-aks-container-insights, Checkov CKV_AZURE_4); only true is allowed",
        ]);
        expect(problems("dev-uaenorth", (r) => void (r.aks.monitoring = { containerInsights: true }))).toEqual([]);
    });

    it("rejects a spot pool in prd", () => {
        const p = problems("prd-uaenorth", (r) => {
            r.nodePools[0].spot = true;
        });
        expect(p).toEqual(["Pulumi.prd-uaenorth.yaml: aiplatform:nodePools[0].spot = true: spot pools are not allowed in prd (evictions break production SLOs)"]);
    });

    it("rejects scheduled scale-to-zero in prd", () => {
        const p = problems("prd-uaenorth", (r) => {
            r.scaling = { enabled: true, pools: ["cpu"] };
        });
        expect(p).toEqual([expect.stringMatching(/^Pulumi\.prd-uaenorth\.yaml: aiplatform:scaling\.enabled = true: scheduled scale-to-zero is for dev\/stg/)]);
    });

    it("rejects a schedule that a weekly recurrence cannot express, naming the key", () => {
        const p = problems("dev-uaenorth", (r) => {
            r.scaling.scaleDown = "0 20 1 * *";
            r.scaling.scaleUp = "*/5 7 * * 1-5";
        });
        expect(p).toEqual([
            "Pulumi.dev-uaenorth.yaml: aiplatform:scaling.scaleDown = \"0 20 1 * *\": day-of-month and month must be '*' (schedules are weekly); got '1 *'",
            "Pulumi.dev-uaenorth.yaml: aiplatform:scaling.scaleUp = \"*/5 7 * * 1-5\": minute '*/5' must be a number, a range a-b or a comma list (no steps or names)",
        ]);
    });

    it("rejects enabled scaling without pools", () => {
        const p = problems("stg-uaenorth", (r) => {
            r.scaling.pools = [];
        });
        expect(p).toEqual([expect.stringMatching(/aiplatform:scaling\.pools = \[\]: names no pool/)]);
    });

    it("rejects a system pool OS disk that does not fit the local disk (ephemeral OS)", () => {
        const p = problems("dev-uaenorth", (r) => {
            r.aks.systemPool.osDiskSizeGB = 200;
        });
        expect(p).toEqual(["Pulumi.dev-uaenorth.yaml: aiplatform:aks.systemPool.osDiskSizeGB = 200: must fit Standard_D4ds_v5's 150 GiB local disk: the system pool uses an ephemeral OS disk"]);
    });

    it("requires an Entra admin group (local accounts are disabled)", () => {
        const p = problems("stg-uaenorth", (r) => {
            r.rbac.platform = [];
        });
        expect(p).toEqual([expect.stringMatching(/aiplatform:rbac\.platform = \[\]: needs at least one Entra group/)]);
    });

    it("rejects a MIG profile on the AMD pool", () => {
        const p = problems("prd-uaenorth", (r) => {
            r.nodePools[2].gpu.migProfile = "MIG3g";
        });
        expect(p).toEqual([expect.stringMatching(/aiplatform:nodePools\[2\]\.gpu\.migProfile = "MIG3g": MIG needs a MIG-capable NVIDIA size/)]);
    });

    it("requires a NoSchedule taint on a pool in the ingressPublic subnet", () => {
        const p = problems("prd-uaenorth", (r) => {
            r.nodePools[3].taints = [];
        });
        expect(p).toEqual([expect.stringMatching(/aiplatform:nodePools\[3\]\.taints = \[\]: a pool in the ingressPublic subnet needs a NoSchedule taint/)]);
    });

    it("requires the Istio add-on in stg/prd and judges its revision against the region's mesh revisions", () => {
        expect(problems("stg-uaenorth", (r) => void delete r.aks.serviceMesh)).toEqual([
            "Pulumi.stg-uaenorth.yaml: aiplatform:aks.serviceMesh = (not set): must be set in stg (every workload namespace runs STRICT mTLS through the Istio add-on; e.g. { revision: asm-1-30 })",
        ]);
        // asm-1-28 is offered in uaenorth but not for Kubernetes 1.36 (istio-support-policy.md calendar).
        expect(problems("prd-uaenorth", (r) => void (r.aks.serviceMesh = { revision: "asm-1-28" }))).toEqual([
            "Pulumi.prd-uaenorth.yaml: aiplatform:aks.serviceMesh.revision = \"asm-1-28\": AKS in uaenorth offers no Istio add-on revision asm-1-28 for Kubernetes 1.36 under KubernetesOfficial (compatible: asm-1-29, asm-1-30; source: az aks mesh get-revisions (config/azure-facts/regions/uaenorth/aks-mesh-get-revisions.json))",
        ]);
        expect(problems("dev-uaenorth", (r) => void (r.aks.serviceMesh = { revision: "asm-1-30" }))).toEqual([]);
    });

    it("rejects a malformed maintenance utcOffset", () => {
        const p = problems("prd-uaenorth", (r) => {
            r.aks.maintenance.utcOffset = "UTC+4";
        });
        expect(p).toEqual([expect.stringMatching(/aiplatform:aks\.maintenance\.utcOffset = "UTC\+4": must be a UTC offset such as \+04:00/)]);
    });
});

describe("cron to Logic Apps recurrence", () => {
    it("converts weekday evenings in UAE time", () => {
        expect(cronToRecurrence("0 20 * * 1-5", "Arabian Standard Time")).toEqual({
            frequency: "Week",
            interval: 1,
            timeZone: "Arabian Standard Time",
            schedule: { hours: [20], minutes: [0], weekDays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"] },
        });
    });

    it("maps 0 and 7 to Sunday once, lists and '*' days", () => {
        expect(cronToRecurrence("30 6,18 * * 0,7,6", "UTC")).toMatchObject({ schedule: { hours: [6, 18], minutes: [30], weekDays: ["Sunday", "Saturday"] } });
        expect((cronToRecurrence("0 7 * * *", "UTC") as any).schedule.weekDays).toHaveLength(7);
    });

    it("explains what it cannot express", () => {
        expect(cronToRecurrence("0 25 * * *", "UTC")).toBe("hour '25' must lie within 0-23");
        expect(cronToRecurrence("0 7 * * MON", "UTC")).toBe("day of week 'MON' must be a number, a range a-b or a comma list (no steps or names)");
        expect(cronToRecurrence("0 7 * *", "UTC")).toBe("'0 7 * *' is not a 5-field cron expression");
    });
});
