/**
 * Data Lake on the planned spokes: HNS account locked to Entra and private networks, data protection, redundancy
 * per environment, containers, blob + dfs private endpoints, diagnostics.
 */
import { LAKE_CONTAINERS } from "../../components/storage";
import { stackOutputs } from "../support/plan";
import { cfgOf, endpointsFor, hubZoneIds, ofType, one, SPOKES, T } from "./support";

describe.each(SPOKES)("data lake in %s", (stack) => {
    const cfg = cfgOf(stack);
    const account = () => one(stack, T.account);

    it("is an HNS StorageV2 account: Entra only, no anonymous access, TLS 1.2+, private, double encrypted", () => {
        const i = account().inputs as any;
        expect(i.accountName).toBe(`staip${cfg.environment}uaen`);
        expect(i).toMatchObject({
            kind: "StorageV2",
            isHnsEnabled: true,
            allowSharedKeyAccess: false,
            allowBlobPublicAccess: false,
            defaultToOAuthAuthentication: true,
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: "TLS1_2",
            allowCrossTenantReplication: false,
            isLocalUserEnabled: false,
            isSftpEnabled: false,
            publicNetworkAccess: "Disabled",
            networkRuleSet: { defaultAction: "Deny", bypass: "None" },
            encryption: { requireInfrastructureEncryption: true },
        });
    });

    it("uses the configured redundancy", () => {
        expect((account().inputs as any).sku).toEqual({ name: `Standard_${cfg.dataLake.replication}` });
    });

    // Issue 14 §5: Learn lists hierarchical-namespace accounts as unsupported for blob versioning.
    it("keeps deleted blobs and containers for softDeleteDays; no blob versioning on the HNS account", () => {
        const svc = one(stack, T.blobService).inputs as any;
        expect(svc.accountName).toBe(account().inputs.accountName);
        expect((account().inputs as any).isHnsEnabled).toBe(true);
        expect(svc.isVersioningEnabled).toBe(false);
        expect(svc.deleteRetentionPolicy).toEqual({ enabled: true, days: cfg.dataLake.softDeleteDays });
        expect(svc.containerDeleteRetentionPolicy).toEqual({ enabled: true, days: cfg.dataLake.softDeleteDays });
    });

    it("has the platform's containers, none public", () => {
        const containers = ofType(stack, T.container).filter((c) => c.inputs.accountName === account().inputs.accountName);
        expect(containers.map((c) => c.inputs.containerName).sort()).toEqual(Object.values(LAKE_CONTAINERS).map((c) => c.name).sort());
        for (const c of containers) expect(c.inputs.publicAccess).toBe("None");
        expect(stackOutputs(stack).lakeContainers).toEqual(Object.fromEntries(Object.entries(LAKE_CONTAINERS).map(([k, v]) => [k, v.name])));
    });

    it("has private endpoints for blob and dfs, each in its hub privatelink zone", () => {
        const eps = endpointsFor(stack, account().id);
        const zones = hubZoneIds();
        expect(eps.map((e) => e.groupIds[0]).sort()).toEqual(["blob", "dfs"]);
        for (const e of eps) expect((e.zoneGroup.inputs.privateDnsZoneConfigs as any[])[0].privateDnsZoneId).toBe(zones[e.groupIds[0]]);
    });

    it("logs blob reads, writes and deletes to the workspace (s5-storage-request-logging)", () => {
        const diag = ofType(stack, T.diag).filter((d) => d.inputs.resourceUri === `${account().id}/blobServices/default`);
        expect(diag).toHaveLength(1);
        expect((diag[0].inputs.logs as any[]).map((l) => l.category)).toEqual(["StorageRead", "StorageWrite", "StorageDelete"]);
    });

    it("exports the account name for cluster-vars", () => {
        expect(stackOutputs(stack).storageAccountName).toBe(account().inputs.accountName);
    });
});

it("prd is geo-zone-redundant (GZRS) for DR; dev stays LRS", () => {
    expect((one("prd-uaenorth", T.account).inputs as any).sku.name).toBe("Standard_GZRS");
    expect((one("dev-uaenorth", T.account).inputs as any).sku.name).toBe("Standard_LRS");
});
