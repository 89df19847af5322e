/**
 * `npm run preflight`: every assumption of a stack checked against a fake `az` on PATH — ok and NOT lines with the
 * fixing command, exit 1 when one fails, exit 3 without a login or without az.
 */
import { AZURE_FACTS, type AzVmSku } from "../../config/azure-facts";
import { REPO_ROOT } from "../../config/stack-files";
import { main } from "../../tools/azure/preflight";
import { spawnAz } from "../../tools/audit/live";
import { type FakeAnswer, withFakeAz } from "./fake-az";

const SUB = "00000000-0000-0000-0000-0000000000aa";

async function preflight(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { az: spawnAz, log: (l) => out.push(l), error: (l) => err.push(l), root: REPO_ROOT });
    return { code, out: out.join("\n"), err: err.join("\n") };
}

const usage = (value: string, currentValue: number, limit: number) => ({ name: { value, localizedValue: value }, currentValue, limit, unit: "Count" });
const restrictedEverywhere = (s: AzVmSku, region: string): AzVmSku => ({
    ...s,
    locations: [region],
    restrictions: [{ type: "Location", reasonCode: "NotAvailableForSubscription", values: [region], restrictionInfo: { locations: [region] } }],
});

function prdScenario(): Record<string, FakeAnswer> {
    const uaenorth: AzVmSku[] = structuredClone(AZURE_FACTS.skus.uaenorth);
    return {
        "account show": { stdout: { id: SUB, name: "contoso-ai", state: "Enabled" } },
        "feature show --namespace Microsoft.Compute --name EncryptionAtHost": { stdout: { name: "Microsoft.Compute/EncryptionAtHost", properties: { state: "Registered" } } },
        "feature show --namespace Microsoft.ContainerService --name AKSInfinibandSupport": { stdout: { name: "Microsoft.ContainerService/AKSInfinibandSupport", properties: { state: "NotRegistered" } } },
        "vm list-skus --location uaecentral --resource-type virtualMachines --all": { stdout: AZURE_FACTS.skus.uaenorth.slice(0, 2).map((s) => restrictedEverywhere(s, "uaecentral")) },
        "vm list-usage --location uaenorth": {
            stdout: [usage("cores", 100, 1000), usage("standardDDSv5Family", 40, 500), usage("StandardNCadsH100v5Family", 0, 200), usage("standardNDISv5MI300XFamily", 0, 96)],
        },
        "vm list-skus --location uaenorth --resource-type virtualMachines --all": { stdout: uaenorth },
    };
}

describe("npm run preflight -- --stack <name> (fake az on PATH)", () => {
    it("prints one line per assumption, ok or NOT with the az command that fixes it, and exits 1", async () => {
        const { result, calls } = await withFakeAz(prdScenario(), () => preflight(["--stack", "prd-uaenorth"]));
        expect(result.code).toBe(1);
        const lines = result.out.split("\n");
        expect(lines[0]).toBe(`preflight prd-uaenorth: subscription contoso-ai (${SUB}), 12 assumptions`);
        expect(lines).toContain("ok  feature Microsoft.Compute/EncryptionAtHost (aks.encryptionAtHost): Registered");
        expect(result.out).toContain(
            "NOT feature Microsoft.ContainerService/AKSInfinibandSupport (nodePools[2] Standard_ND96isr_MI300X_v5): NotRegistered\n" +
                "    fix: az feature register --namespace Microsoft.ContainerService --name AKSInfinibandSupport && az provider register --namespace Microsoft.ContainerService",
        );
        expect(result.out).toMatch(/NOT region uaecentral \(registry\.geoReplicaLocation\): no access \(every size NotAvailableForSubscription\)\n {4}fix: file a region access request \(https:\/\/learn\.microsoft\.com\/troubleshoot\/azure\/general\/region-access-request-process\)/);
        expect(lines).toContain("ok  quota standardDDSv5Family in uaenorth: needs 344 vCPUs (system, cpu, ingress), 460 free of 500");
        expect(result.out).toContain(
            "NOT quota standardNDISv5MI300XFamily in uaenorth: needs 288 vCPUs (mi300x), 96 free of 96\n" +
                `    fix: az quota update --resource-name standardNDISv5MI300XFamily --scope /subscriptions/${SUB}/providers/Microsoft.Compute/locations/uaenorth --resource-type dedicated --limit-object value=288`,
        );
        expect(lines).toContain("ok  size Standard_ND96isr_MI300X_v5 in uaenorth zones [1] (mi300x): available");
        expect(lines.filter((l) => l.startsWith("NOT"))).toHaveLength(3);
        expect(lines[lines.length - 1]).toBe("3 of 12 assumptions not met: the first pulumi up would fail there");
        // list-skus and list-usage are asked once however many assumptions read them.
        expect(calls.filter((c) => c.startsWith("vm list-skus --location uaenorth"))).toHaveLength(1);
    });

    it("reports a zone the subscription cannot use and a size without encryption at host", async () => {
        const s = prdScenario();
        const skus = s["vm list-skus --location uaenorth --resource-type virtualMachines --all"].stdout as AzVmSku[];
        const h100 = skus.find((x) => x.name === "Standard_NC40ads_H100_v5")!;
        h100.restrictions.push({ type: "Zone", reasonCode: "NotAvailableForSubscription", values: ["uaenorth"], restrictionInfo: { locations: ["uaenorth"], zones: ["2"] } });
        skus.find((x) => x.name === "Standard_D16ds_v5")!.capabilities.find((c) => c.name === "EncryptionAtHostSupported")!.value = "False";
        const { result } = await withFakeAz(s, () => preflight(["--stack", "prd-uaenorth"]));
        expect(result.out).toContain("NOT size Standard_NC40ads_H100_v5 in uaenorth zones [1, 2] (h100): zones [2] not available");
        expect(result.out).toContain("NOT size Standard_D16ds_v5 in uaenorth zones [1, 2, 3] (cpu): no encryption at host");
    });

    it("says so and exits 3 when az is not logged in", async () => {
        const { result, calls } = await withFakeAz({ "account show": { code: 1, stderr: "ERROR: Please run 'az login' to setup account." } }, () => preflight(["--stack", "dev-uaenorth"]));
        expect(result.code).toBe(3);
        expect(result.err).toMatch(/^preflight: az account show .* failed: ERROR: Please run 'az login' to setup account\. — run `az login`/);
        expect(calls).toEqual(["account show"]);
    });

    it("says so and exits 3 without az on PATH", async () => {
        const saved = process.env.PATH;
        process.env.PATH = "/nonexistent";
        try {
            const r = await preflight(["--stack", "dev-uaenorth"]);
            expect(r.code).toBe(3);
            expect(r.err).toMatch(/the Azure CLI \(az\) is not on PATH/);
        } finally {
            process.env.PATH = saved;
        }
    });

    it("exits 2 on a missing or unknown stack", async () => {
        expect(await preflight([])).toMatchObject({ code: 2, err: expect.stringMatching(/--stack is required; valid: dev-uaenorth, stg-swedencentral, stg-uaenorth, prd-swedencentral, prd-uaenorth/) });
        expect(await preflight(["--stack", "hub-uaenorth"])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown spoke stack 'hub-uaenorth'/) });
    });
});
