/**
 * The vendored Azure facts (config/azure-facts/) and the config rules that read them: Kubernetes support windows per
 * region and plan, sizes/zones/capabilities per region, restricted regions. The freshness test is meant to fail as
 * time passes: run `npm run refresh:azure-facts` (README "Before the first deploy").
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AZURE_FACTS, capability, factRegions, factsAgeDays, factsDate, kubernetesVersionVerdict, meshRevisionProblem, parseCalendarDate, skuIn } from "../../config/azure-facts";
import { listStacks, namespaceValues, readStackConfig } from "../../config/stack-files";
import { VM_SKUS } from "../../config/skus";
import { VERSION_WARN_DAYS } from "../../config/rules";
import { spokeProblems } from "../support/config";
import { runCli } from "../support/scratch";

const DAY = 86_400_000;
const { sources } = AZURE_FACTS;
const daysAfter = (d: Date, n: number) => new Date(d.getTime() + n * DAY);
const communityEnd = (minor: string) => parseCalendarDate(AZURE_FACTS.calendar.community.find((r) => r.kubernetesVersion === minor)!.endOfLife)!;

describe("config/azure-facts: snapshot", () => {
    it(`was compared with Azure less than ${sources.horizonDays} days ago`, () => {
        const age = factsAgeDays(new Date());
        if (age > sources.horizonDays || age < 0) {
            throw new Error(`config/azure-facts/ was retrieved on ${sources.retrieved} (${age} days ago; allowed ${sources.horizonDays}): run npm run refresh:azure-facts with az logged in, review the diff, commit`);
        }
    });

    it("ages from its own date against the now it is given", () => {
        expect(factsAgeDays(factsDate())).toBe(0);
        expect(factsAgeDays(daysAfter(factsDate(), sources.horizonDays + 1))).toBe(sources.horizonDays + 1);
    });

    it("names a source for every file and says which were assembled from docs", () => {
        expect(sources.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(Object.keys(sources.files).sort()).toEqual(["aks-calendar.json", "feature-registrations.json", "istio-calendar.json", "regions.json", "regions/<region>/aks-get-versions.json", "regions/<region>/aks-mesh-get-revisions.json", "regions/<region>/vm-list-skus.json"]);
        expect(sources.files["aks-calendar.json"]).toMatchObject({ repository: "MicrosoftDocs/azure-aks-docs", path: "articles/aks/supported-kubernetes-versions.md" });
        expect(sources.files["regions/<region>/vm-list-skus.json"].assembled).toMatch(/By hand/);
    });

    it("has SKU and version facts for every region a stack file names, plus the second region with H100 and MI300X", () => {
        const used = listStacks().map((s) => String(namespaceValues(readStackConfig(s.file)).location));
        for (const region of used) expect(factRegions()).toContain(region);
        // The second production region (issue 18) must offer the GPU sizes prd runs.
        const second = factRegions().filter((r) => r !== "uaenorth");
        expect(second.length).toBeGreaterThan(0);
        for (const r of second) {
            expect(skuIn(r, "Standard_NC40ads_H100_v5")).toBeDefined();
            expect(skuIn(r, "Standard_ND96isr_MI300X_v5")).toBeDefined();
        }
    });

    it("keeps az's shapes: list-skus entries and get-versions values", () => {
        for (const region of factRegions()) {
            for (const s of AZURE_FACTS.skus[region]) {
                expect(s).toMatchObject({ resourceType: "virtualMachines", locations: [region], restrictions: expect.any(Array) });
                expect(capability(s, "vCPUs")).toMatch(/^\d+$/);
                expect(capability(s, "MaxResourceVolumeMB")).toMatch(/^\d+$/);
            }
            for (const v of AZURE_FACTS.aksVersions[region].values) expect(Object.keys(v.patchVersions).every((p) => p.startsWith(`${v.version}.`))).toBe(true);
        }
    });

    it("parses the calendar's dates: a month alone is its last day", () => {
        expect(AZURE_FACTS.calendar.community.every((r) => parseCalendarDate(r.endOfLife))).toBe(true);
        expect(AZURE_FACTS.calendar.lts.every((r) => parseCalendarDate(r.ltsEndOfLife!))).toBe(true);
        const row = AZURE_FACTS.calendar.lts.find((r) => /,/.test(r.endOfLife))!;
        expect(parseCalendarDate(row.endOfLife)!.getUTCDate()).toBe(Number(/ (\d+),/.exec(row.endOfLife)![1]));
        const end = communityEnd("1.36");
        expect(daysAfter(end, 1).getUTCDate()).toBe(1);
    });

    // Issue 14 §11: quota names are az vm list-usage name.value strings; H100 NC40ads has a 3576 GiB temp disk.
    it("derives the size table from list-skus: quota family, temp disk, RDMA", () => {
        expect(VM_SKUS.Standard_NC4as_T4_v3.family).toBe("standardNCASv3_T4Family");
        expect(VM_SKUS.Standard_ND96isr_MI300X_v5.family).toBe("standardNDISv5MI300XFamily");
        expect(VM_SKUS.Standard_NC40ads_H100_v5.tempDiskGiB).toBe(3576);
        expect(VM_SKUS.Standard_ND96isr_H100_v5.tempDiskGiB).toBe(28000);
        expect(VM_SKUS.Standard_ND96isr_MI300X_v5.rdma).toBe(true);
        expect(VM_SKUS.Standard_NC40ads_H100_v5.rdma).toBe(false);
        expect(VM_SKUS.Standard_ND96isr_MI300X_v5.zones.uaenorth).toEqual(["1"]);
    });
});

describe("Kubernetes version verdicts (az aks get-versions + the AKS calendar)", () => {
    const end = communityEnd("1.36");

    it("accepts a minor well inside its window, refuses one ending within the warning days, and one past it", () => {
        expect(kubernetesVersionVerdict("uaenorth", "1.36", "KubernetesOfficial", daysAfter(end, -(VERSION_WARN_DAYS + 1)), VERSION_WARN_DAYS).problem).toBeUndefined();
        expect(kubernetesVersionVerdict("uaenorth", "1.36", "KubernetesOfficial", daysAfter(end, -(VERSION_WARN_DAYS - 1)), VERSION_WARN_DAYS).problem).toMatch(/^1\.36 leaves AKS community support on \d{4}-\d{2}-\d{2}, 29 days after/);
        expect(kubernetesVersionVerdict("uaenorth", "1.36", "KubernetesOfficial", daysAfter(end, 1), VERSION_WARN_DAYS).problem).toMatch(/^1\.36 is past its AKS community support/);
    });

    it("judges LTS against the LTS end of life, and only where the region offers the minor under LTS", () => {
        const lts = parseCalendarDate(AZURE_FACTS.calendar.lts.find((r) => r.kubernetesVersion === "1.33")!.ltsEndOfLife!)!;
        expect(kubernetesVersionVerdict("uaenorth", "1.33", "AKSLongTermSupport", daysAfter(lts, -100), VERSION_WARN_DAYS)).toEqual({ endOfSupport: lts });
        expect(kubernetesVersionVerdict("uaenorth", "1.33", "KubernetesOfficial", daysAfter(lts, -100), VERSION_WARN_DAYS).problem).toMatch(/does not offer 1\.33 under KubernetesOfficial \(offered: 1\.34, 1\.35, 1\.36/);
    });

    it("knows patches and regions", () => {
        const patch = Object.keys(AZURE_FACTS.aksVersions.uaenorth.values.find((v) => v.version === "1.36")!.patchVersions)[0];
        expect(kubernetesVersionVerdict("uaenorth", patch, "KubernetesOfficial", factsDate(), VERSION_WARN_DAYS).problem).toBeUndefined();
        expect(kubernetesVersionVerdict("uaenorth", "1.36.99", "KubernetesOfficial", factsDate(), VERSION_WARN_DAYS).problem).toMatch(/does not offer patch 1\.36\.99/);
        expect(kubernetesVersionVerdict("westeurope", "1.36", "KubernetesOfficial", factsDate(), VERSION_WARN_DAYS).problem).toMatch(/no AKS version facts for region westeurope/);
    });
});

describe("Istio add-on revisions (az aks mesh get-revisions + the add-on calendar)", () => {
    it("reads the calendar's estimates as the month they name", () => {
        expect(parseCalendarDate("~Dec 2026 (expected)")).toEqual(new Date(Date.UTC(2026, 11, 31)));
        expect(parseCalendarDate("Sept 2025")).toEqual(new Date(Date.UTC(2025, 8, 30)));
    });

    it("accepts a revision listed for the minor under the plan until its end of life, then refuses it", () => {
        const now = factsDate();
        expect(meshRevisionProblem("uaenorth", "asm-1-30", "1.36", "KubernetesOfficial", now)).toBeUndefined();
        expect(meshRevisionProblem("uaenorth", "asm-1-28", "1.35", "AKSLongTermSupport", new Date(Date.UTC(2026, 7, 1)))).toBeUndefined();
        expect(meshRevisionProblem("uaenorth", "asm-1-30", "1.36", "KubernetesOfficial", new Date(Date.UTC(2027, 0, 1)))).toMatch(/^asm-1-30 is past its end of life \(~Dec 2026 \(expected\); source: https:\/\/learn\.microsoft\.com\/azure\/aks\/istio-support-policy/);
        expect(meshRevisionProblem("uaenorth", "asm-1-27", "1.36", "KubernetesOfficial", now)).toMatch(/offers no Istio add-on revision asm-1-27 for Kubernetes 1\.36 under KubernetesOfficial \(compatible: asm-1-29, asm-1-30;/);
    });

    it("keeps az's shape and lists only revisions the calendar knows", () => {
        for (const region of factRegions()) {
            for (const r of AZURE_FACTS.meshRevisions[region].properties.meshRevisions) {
                expect(AZURE_FACTS.istioCalendar.map((c) => c.revision)).toContain(r.revision);
                expect(r.compatibleWith.map((c) => c.name).sort()).toEqual(["AKSLongTermSupport", "KubernetesOfficial"]);
            }
        }
    });
});

describe("config validation against the Azure facts (exit 2: key, value, source)", () => {
    const calendar = /source: https:\/\/learn\.microsoft\.com\/azure\/aks\/supported-kubernetes-versions#aks-kubernetes-release-calendar \(azure-aks-docs@fb060ab\)/;

    // Issue 14 §1: 1.33 left AKS community support; the committed stacks pinned it.
    it("refuses a Kubernetes minor past its support window, naming key, value and source", () => {
        const [m] = spokeProblems("prd-uaenorth", (r) => (r.aks.kubernetesVersion = "1.33"));
        expect(m).toMatch(/^Pulumi\.prd-uaenorth\.yaml: aiplatform:aks\.kubernetesVersion = "1\.33": AKS in uaenorth does not offer 1\.33 under KubernetesOfficial/);
        expect(m).toMatch(/pin a supported minor, or choose aks\.supportPlan: AKSLongTermSupport \(tier Premium\)/);
    });

    it("refuses a minor that leaves support within 30 days of the plan's now", () => {
        const now = daysAfter(communityEnd("1.36"), -10);
        const messages = spokeProblems("stg-uaenorth", () => undefined, now);
        // The Istio add-on's revision ends before the minor does (its own calendar): both are named.
        expect(messages).toEqual([
            expect.stringMatching(/aiplatform:aks\.kubernetesVersion = "1\.36": 1\.36 leaves AKS community support on .*, 10 days after/),
            expect.stringMatching(/aiplatform:aks\.serviceMesh\.revision = "asm-1-30": asm-1-30 is past its end of life/),
        ]);
        expect(messages[0]).toMatch(calendar);
    });

    it("offers LTS as a config choice: Premium tier + AKSLongTermSupport keeps 1.33", () => {
        const lts = (r: Record<string, any>) => {
            r.aks.kubernetesVersion = "1.33";
            r.aks.supportPlan = "AKSLongTermSupport";
        };
        expect(spokeProblems("prd-uaenorth", (r) => { lts(r); r.aks.tier = "Premium"; })).toEqual([]);
        expect(spokeProblems("prd-uaenorth", lts)).toEqual([expect.stringMatching(/aiplatform:aks\.tier = "Standard": must be Premium with aks\.supportPlan AKSLongTermSupport/)]);
    });

    it("refuses a size its region does not offer", () => {
        const messages = spokeProblems("dev-uaenorth", (r) => (r.nodePools[0].vmSize = "Standard_E16ds_v5"));
        expect(messages).toEqual([]);
        const sweden = spokeProblems("dev-uaenorth", (r) => (r.location = "swedencentral"));
        expect(sweden).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/aiplatform:nodePools\[2\]\.vmSize = "Standard_NC4as_T4_v3": is not offered in swedencentral \(source: az vm list-skus \(config\/azure-facts\/regions\/swedencentral\/vm-list-skus\.json\)\)/),
            ]),
        );
    });

    it("asks for the facts of a region it has none of, instead of judging sizes there", () => {
        expect(spokeProblems("dev-uaenorth", (r) => (r.location = "westeurope")).filter((m) => /Azure facts|offered/.test(m))).toEqual([
            expect.stringMatching(/aiplatform:location = "westeurope": has no Azure facts \(config\/azure-facts\/regions\/westeurope\/\): run npm run refresh:azure-facts -- --region westeurope with az logged in$/),
        ]);
    });

    it("refuses zones the region does not offer for the size, naming the source", () => {
        expect(spokeProblems("prd-uaenorth", (r) => (r.nodePools[2].zones = ["1", "2"]))).toEqual([
            expect.stringMatching(/aiplatform:nodePools\[2\]\.zones = \["1","2"\]: Standard_ND96isr_MI300X_v5 is offered in zones \[1\] of uaenorth, not \[2\] \(source: az vm list-skus/),
        ]);
    });

    it("refuses encryption at host on a size without it", () => {
        const sku = VM_SKUS.Standard_NC40ads_H100_v5;
        sku.encryptionAtHost = false;
        try {
            expect(spokeProblems("stg-uaenorth", () => undefined)).toEqual([
                expect.stringMatching(/aiplatform:aks\.encryptionAtHost = \(not set\): Standard_NC40ads_H100_v5 \(nodePools\.2\) does not support encryption at host \(EncryptionAtHostSupported; source: az vm list-skus/),
            ]);
            expect(spokeProblems("stg-uaenorth", (r) => (r.aks.encryptionAtHost = false))).toEqual([]);
        } finally {
            sku.encryptionAtHost = true;
        }
    });

    // Issue 14 §4: uaecentral needs an approved access request; the replica there was a silent default.
    it("refuses a restricted-access region without an acknowledged access request", () => {
        expect(spokeProblems("prd-uaenorth", (r) => delete r.restrictedRegionAccess)).toEqual([
            expect.stringMatching(/aiplatform:registry\.geoReplicaLocation = "uaecentral": uaecentral is a restricted-access region \(source: https:\/\/learn\.microsoft\.com\/azure\/reliability\/regions-list\): file a region access request \(https:\/\/learn\.microsoft\.com\/troubleshoot\/azure\/general\/region-access-request-process\), then add aiplatform:restrictedRegionAccess: \[\{ region: uaecentral, request: <its number> \}\]$/),
        ]);
        expect(spokeProblems("prd-uaenorth", (r) => (r.restrictedRegionAccess[0].request = "yes"))).toEqual([
            expect.stringMatching(/aiplatform:restrictedRegionAccess\[0\]\.request = "yes": must be the number of the approved Azure support request/),
        ]);
        expect(spokeProblems("dev-uaenorth", (r) => (r.restrictedRegionAccess = [{ region: "uaenorth", request: "2611260040001234" }]))).toEqual([
            expect.stringMatching(/aiplatform:restrictedRegionAccess\[0\]\.region = "uaenorth": uaenorth is not a restricted-access region/),
        ]);
    });
});

describe("npm run plan --now: the plan refuses what would not deploy on that day", () => {
    it("exits 2 naming file, key, value and the calendar when 1.36 leaves support within 30 days", () => {
        const day = daysAfter(communityEnd("1.36"), -10).toISOString().slice(0, 10);
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "plan-now-"));
        try {
            const r = runCli("tools/plan/cli.ts", ["--stack", "dev-uaenorth", "--quiet", "--now", day, "--out", out]);
            expect(r.code).toBe(2);
            expect(r.err).toMatch(/plan: dev-uaenorth: invalid stack config \(1 problem\):\n {2}Pulumi\.dev-uaenorth\.yaml: aiplatform:aks\.kubernetesVersion = "1\.36": 1\.36 leaves AKS community support on \d{4}-\d{2}-\d{2}, 10 days after/);
            expect(runCli("tools/plan/cli.ts", ["--stack", "dev-uaenorth", "--now", "tomorrow"]).err).toMatch(/--now must be a date YYYY-MM-DD, not 'tomorrow'/);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});
