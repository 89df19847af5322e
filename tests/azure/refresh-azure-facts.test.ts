/**
 * `npm run refresh:azure-facts`: regenerates config/azure-facts/ from a logged-in az (fake, on PATH) and the AKS
 * calendar page, into a temporary copy of the stack files and facts; exit 3 and nothing written without a login.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AZURE_FACTS, type AzVmSku } from "../../config/azure-facts";
import { REPO_ROOT } from "../../config/stack-files";
import { spawnAz } from "../../tools/audit/live";
import { ISTIO_CALENDAR_URL, main, parseCalendarMarkdown, parseIstioCalendarMarkdown } from "../../tools/azure/refresh-azure-facts";
import { withFakeAz } from "./fake-az";

const CALENDAR = [
    "## AKS Kubernetes release calendar",
    "",
    "| Kubernetes version | Upstream release | AKS preview | AKS GA | End of life | Platform support |",
    "| ------------------ | ---------------- | ----------- | ------ | ----------- | ---------------- |",
    "| 1.36 | Apr 2026 | May 2026 | Jun 2026 | Jun 2027 | Until 1.40 GA |",
    "| 1.37 | Aug 2026 | Sep 2026 | Oct 2026 | Oct 2027 | Until 1.41 GA |",
    "",
    "### LTS versions",
    "",
    "| Kubernetes version | Upstream release | AKS preview | AKS GA | End of life | LTS End of life |",
    "| ------------------ | ---------------- | ----------- | ------ | ----------- | --------------- |",
    "| 1.30 | Apr 2024 | Jun 2024 | Jul 2024 | Aug 22, 2025 | Jul 2026 |",
    "",
    "| Support category | Community Support (N-2) | Platform Support (N-3) |",
    "|---|---|---|",
    "| Upgrades from N-3 to a supported version| Supported | Supported|",
].join("\n");

const ISTIO_CALENDAR = [
    "|  Service mesh revision | Upstream release  | AKS release  | End of life | Compatible AKS versions | Compatible AKS LTS versions |",
    "|--------------|-------------------|--------------|---------|-------------|-----------------------|-----------------------|",
    "| asm-1-31 | Aug 2026 | Oct 2026 | ~Apr 2027 (expected) | 1.33, 1.34, 1.35, 1.36, 1.37 | 1.33, 1.34, 1.35, 1.36, 1.37 |",
].join("\n");

function tempRoot(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "azure-facts-"));
    for (const f of fs.readdirSync(REPO_ROOT).filter((f) => /^Pulumi\..*yaml$/.test(f))) fs.copyFileSync(path.join(REPO_ROOT, f), path.join(root, f));
    fs.mkdirSync(path.join(root, "hub"));
    for (const f of fs.readdirSync(path.join(REPO_ROOT, "hub")).filter((f) => /^Pulumi\..*yaml$/.test(f))) fs.copyFileSync(path.join(REPO_ROOT, "hub", f), path.join(root, "hub", f));
    fs.cpSync(path.join(REPO_ROOT, "config/azure-facts"), path.join(root, "config/azure-facts"), { recursive: true, filter: (src) => !src.endsWith(".ts") });
    return root;
}

async function refresh(root: string, args: string[] = []) {
    const out: string[] = [];
    const err: string[] = [];
    const now = new Date(Date.UTC(2031, 0, 2));
    const code = await main(args, { az: spawnAz, fetchText: async (url) => (url === ISTIO_CALENDAR_URL ? ISTIO_CALENDAR : CALENDAR), now: () => now, root, log: (l) => out.push(l), error: (l) => err.push(l) });
    return { code, out: out.join("\n"), err: err.join("\n"), now };
}

const read = (root: string, rel: string) => JSON.parse(fs.readFileSync(path.join(root, "config/azure-facts", rel), "utf8"));

describe("npm run refresh:azure-facts", () => {
    let root: string;
    beforeEach(() => (root = tempRoot()));
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("parses the calendar page's two tables, cells verbatim, and nothing else", () => {
        expect(parseCalendarMarkdown(CALENDAR)).toEqual({
            community: [
                { kubernetesVersion: "1.36", upstreamRelease: "Apr 2026", aksPreview: "May 2026", aksGA: "Jun 2026", endOfLife: "Jun 2027", platformSupport: "Until 1.40 GA" },
                { kubernetesVersion: "1.37", upstreamRelease: "Aug 2026", aksPreview: "Sep 2026", aksGA: "Oct 2026", endOfLife: "Oct 2027", platformSupport: "Until 1.41 GA" },
            ],
            lts: [{ kubernetesVersion: "1.30", upstreamRelease: "Apr 2024", aksPreview: "Jun 2024", aksGA: "Jul 2024", endOfLife: "Aug 22, 2025", ltsEndOfLife: "Jul 2026" }],
        });
        expect(() => parseCalendarMarkdown("# moved")).toThrow(/no release calendar and LTS tables/);
    });

    it("rewrites every region's az output (known sizes only), the calendar and the date, from a logged-in az", async () => {
        const versions = { values: [{ version: "1.37", capabilities: { supportPlan: ["KubernetesOfficial"] }, isPreview: null, patchVersions: { "1.37.1": { upgrades: [] } } }] };
        const skus = (region: string): AzVmSku[] => [
            ...AZURE_FACTS.skus.uaenorth.map((s) => ({ ...s, locations: [region], locationInfo: [{ location: region, zones: ["1"] }] })),
            { ...AZURE_FACTS.skus.uaenorth[0], name: "Standard_B2s", family: "standardBSFamily" },
        ];
        const mesh = { name: "istio", properties: { meshRevisions: [{ revision: "asm-1-31", upgrades: [], compatibleWith: [{ name: "KubernetesOfficial", versions: ["1.37"] }] }] } };
        const scenario = Object.fromEntries([
            ["account show", { stdout: { id: "sub", name: "contoso-ai" } }],
            ...["swedencentral", "uaenorth"].flatMap((r) => [
                [`aks get-versions --location ${r}`, { stdout: versions }],
                [`vm list-skus --location ${r} --resource-type virtualMachines --all`, { stdout: skus(r) }],
                [`aks mesh get-revisions --location ${r}`, { stdout: mesh }],
            ]),
        ]);
        const { result, calls } = await withFakeAz(scenario, () => refresh(root));
        expect(result.err).toBe("");
        expect(result.code).toBe(0);
        expect(calls).toEqual(["swedencentral", "uaenorth"].reduce((acc, r) => [...acc, `aks get-versions --location ${r}`, `vm list-skus --location ${r} --resource-type virtualMachines --all`, `aks mesh get-revisions --location ${r}`], ["account show"]));
        expect(read(root, "regions/uaenorth/aks-mesh-get-revisions.json")).toEqual(mesh);
        expect(read(root, "istio-calendar.json")).toEqual({
            revisions: [{ revision: "asm-1-31", upstreamRelease: "Aug 2026", aksRelease: "Oct 2026", endOfLife: "~Apr 2027 (expected)", compatibleAksVersions: "1.33, 1.34, 1.35, 1.36, 1.37", compatibleAksLtsVersions: "1.33, 1.34, 1.35, 1.36, 1.37" }],
        });
        expect(() => parseIstioCalendarMarkdown("# moved")).toThrow(/no service mesh add-on release calendar/);
        expect(read(root, "regions/uaenorth/aks-get-versions.json")).toEqual(versions);
        const written: AzVmSku[] = read(root, "regions/swedencentral/vm-list-skus.json");
        expect(written.map((s) => s.name)).toEqual(AZURE_FACTS.skus.uaenorth.map((s) => s.name));
        expect(written[0].locationInfo).toEqual([{ location: "swedencentral", zones: ["1"] }]);
        expect(read(root, "aks-calendar.json")).toEqual(parseCalendarMarkdown(CALENDAR));
        const sources = read(root, "sources.json");
        expect(sources.retrieved).toBe("2031-01-02");
        expect(sources.files["regions/<region>/vm-list-skus.json"].assembled).toBeUndefined();
        expect(result.out).toMatch(/uaenorth: 1 Kubernetes minors, 10 of 10 known sizes listed/);
    });

    it("says so, exits 3 and changes nothing when az is not logged in", async () => {
        const before = fs.readFileSync(path.join(root, "config/azure-facts/sources.json"), "utf8");
        const { result, calls } = await withFakeAz({ "account show": { code: 1, stderr: "ERROR: Please run 'az login' to setup account." } }, () => refresh(root));
        expect(result.code).toBe(3);
        expect(result.err).toMatch(/^refresh:azure-facts: az is not logged in .*: run `az login`.*nothing was changed$/);
        expect(calls).toEqual(["account show"]);
        expect(fs.readFileSync(path.join(root, "config/azure-facts/sources.json"), "utf8")).toBe(before);
    });
});
