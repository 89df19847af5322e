/**
 * The permissions model (issue 14): vendored built-in role definitions (source, freshness), Azure's action matching,
 * and the plan's requirements — each required role assignment removed from a planned stack makes the check fail
 * naming its rule, as `npm run plan` does (the reporter runs this same engine on the same export).
 */
import { BUILT_IN_ROLES } from "../../components/rbac/roles";
import { accessResourcesOf } from "../../tools/access/hub-grants";
import { buildAccessModel, type AccessModel, grantsFor } from "../../tools/access/model";
import { armTypeOf, permissionFindings } from "../../tools/access/requirements";
import { actionMatches, builtInRoles, grantsAction, rolesSnapshotAgeDays, vendoredSource } from "../../tools/access/roles";
import { diffDefinitions, main as refresh } from "../../tools/access/refresh-role-definitions";
import permissionsReport, { rbacOf } from "../../tools/plan/reports/permissions";
import accessReport from "../../tools/plan/reports/access";
import type { PlannedStack } from "../../tools/plan/run";
import { listStacks, readStackConfig } from "../../config/stack-files";
import type { ExportResource } from "../../tools/plan/export";
import { loadPlan, loadSummary, SPOKES } from "../support/plan";
import { cfgOf } from "../support/config";

/** The access model of a planned spoke (with the hub's grants), after `mutate` on a copy of its resources. */
function modelOf(stack: string, mutate: (own: ExportResource[], hub: ExportResource[]) => void = () => undefined): AccessModel {
    const own = structuredClone(loadPlan(stack).deployment.resources);
    const hub = structuredClone(accessResourcesOf(loadPlan("hub-uaenorth")));
    mutate(own, hub);
    const cfg = cfgOf(stack);
    return buildAccessModel(stack, own, rbacOf({ "aiplatform:rbac": cfg.rbac }), hub);
}
const named = (name: string) => (r: ExportResource) => r.urn.endsWith(`::${name}`);
const without = (list: ExportResource[], name: string) => {
    const i = list.findIndex(named(name));
    if (i < 0) throw new Error(`no resource ${name}`);
    list.splice(i, 1);
};
const rules = (m: AccessModel) => permissionFindings(m).map((f) => f.rule);

describe("vendored built-in role definitions (config/upstream/azure-role-definitions.json)", () => {
    const src = vendoredSource();

    it(`were retrieved less than their horizon ago (fails as time passes: npm run refresh:azure-roles -- --write)`, () => {
        const age = rolesSnapshotAgeDays(new Date(), src);
        if (age > src.horizonDays || age < 0) throw new Error(`azure-role-definitions.json was retrieved on ${src.retrieved} (${age} days ago; horizon ${src.horizonDays})`);
    });

    it("age is computed from the snapshot's own date", () => {
        expect(rolesSnapshotAgeDays(new Date("2027-01-01T12:00:00Z"), { ...src, retrieved: "2026-12-01" })).toBe(31);
        expect(rolesSnapshotAgeDays(new Date("2026-11-30T00:00:00Z"), { ...src, retrieved: "2026-12-01" })).toBeLessThan(0);
    });

    it("cover every built-in role the platform assigns, by GUID and name, each naming its source page", () => {
        const roles = builtInRoles();
        for (const r of Object.values(BUILT_IN_ROLES)) {
            expect(roles.get(r.id)?.roleName).toBe(r.name);
            expect(roles.get(r.id)?.source).toMatch(/^https:\/\/learn\.microsoft\.com\/azure\/role-based-access-control\/built-in-roles\//);
        }
    });

    it("match actions as Azure does: wildcards, case-insensitive, notActions subtract", () => {
        const role = (k: keyof typeof BUILT_IN_ROLES) => builtInRoles().get(BUILT_IN_ROLES[k].id)!;
        expect(actionMatches("*/read", "Microsoft.Network/virtualNetworks/subnets/read")).toBe(true);
        expect(actionMatches("Microsoft.Network/*", "microsoft.network/routeTables/write")).toBe(true);
        expect(grantsAction(role("contributor"), "Microsoft.Network/virtualNetworks/write")).toBe(true);
        expect(grantsAction(role("contributor"), "Microsoft.Authorization/roleAssignments/write")).toBe(false);
        expect(grantsAction(role("keyVaultSecretsUser"), "Microsoft.KeyVault/vaults/secrets/getSecret/action", true)).toBe(true);
        expect(grantsAction(role("keyVaultSecretsUser"), "Microsoft.KeyVault/vaults/secrets/getSecret/action", false)).toBe(false);
        expect(grantsAction(role("logAnalyticsReader"), "Microsoft.OperationalInsights/workspaces/sharedKeys/read")).toBe(false);
    });

    it("ARM types of planned ids, extension resources by their last provider", () => {
        expect(armTypeOf("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/a")).toBe("Microsoft.Network/virtualNetworks/subnets");
        expect(armTypeOf("/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/k/providers/Microsoft.Insights/diagnosticSettings/d")).toBe("Microsoft.Insights/diagnosticSettings");
        expect(armTypeOf("/subscriptions/s/resourceGroups/g")).toBe("Microsoft.Resources/subscriptions/resourceGroups");
    });

    it("refresh tool: no az means exit 3 and nothing written; a changed definition is reported", async () => {
        const err = jest.spyOn(console, "error").mockImplementation(() => undefined);
        const { AzMissingError } = await import("../../tools/audit/live");
        expect(await refresh([], () => Promise.reject(new AzMissingError()))).toBe(3);
        expect(await refresh([], async () => ({ code: 1, stdout: "", stderr: "Please run 'az login' to setup account." }))).toBe(3);
        expect(err.mock.calls.flat().join("\n")).toMatch(/az login/);
        err.mockRestore();
        const acrPull = { name: BUILT_IN_ROLES.acrPull.id, roleName: "AcrPull", roleType: "BuiltInRole", permissions: [{ actions: ["Microsoft.ContainerRegistry/registries/pull/read", "Microsoft.ContainerRegistry/registries/artifacts/delete"] }] };
        expect(diffDefinitions([acrPull])).toEqual([`AcrPull (${BUILT_IN_ROLES.acrPull.id}): permissions changed`]);
    });
});

describe.each(SPOKES)("permissions of %s", (stack) => {
    it("the plan's permissions report passes and checks every principal's requirements", () => {
        const report = loadSummary().stacks.find((s) => s.stack === stack)!.reports.find((r) => r.title.startsWith("permissions:"))!;
        expect(report.failures).toBe(0);
        expect(report.data.required).toBeGreaterThan(100);
        expect(permissionFindings(modelOf(stack))).toEqual([]);
    });

    it.each([
        ["AKS route-table right", "spoke-aks-net-route-table", "aks-route-table"],
        ["AKS network reader at the IP's group (issue 14 §6)", "spoke-aks-net-reader-ip-group", "aks-public-ip"],
        ["AKS DNS zone right", "spoke-aks-dns-zone-contributor", "aks-private-dns"],
        ["kubelet AcrPull", "spoke-kubelet-acrpull", "kubelet-acr-pull"],
        ["ESO Secrets User on hf-token", "spoke-eso-keyVaultSecretsUser-secret-hf-token", "workload-data"],
        ["the pipeline's role-assignment reader", `spoke-automation-${cfgOf(stack).rbac.automation!.slice(0, 8)}-assignmentReader-subscription`, "pipeline-refresh"],
    ])("without the %s the check fails", (_what, name, rule) => {
        expect(rules(modelOf(stack, (own) => without(own, name)))).toContain(rule);
    });

    const env = cfgOf(stack).environment;
    it.each([
        ["its hub→spoke peering grant (issue 14 §3)", `hub-spoke-access-${env}-peering`, "pipeline-update"],
        ["its zone-group join on the vault zone", `hub-spoke-access-${env}-join-vault`, "pipeline-zone-group"],
        ["its RBAC Administrator on its AKS zone", `hub-spoke-access-${env}-aks-zone-rbac`, "pipeline-assign"],
    ])("without the hub's grant of %s the pipeline check fails", (_what, name, rule) => {
        expect(rules(modelOf(stack, (_own, hub) => without(hub, name)))).toContain(rule);
    });

    it("an extra write fails: model-loader with Blob Data Contributor on models, the AKS identity on the vault", () => {
        const m = modelOf(stack, (own) => {
            const reader = own.find(named("spoke-model-loader-storageBlobDataReader-models"))!;
            const ra = own.find(named("spoke-aks-net-route-table"))!;
            const vault = own.find((r) => r.type === "azure-native:keyvault:Vault")!;
            own.push({ ...reader, urn: `${reader.urn}-extra`, inputs: { ...reader.inputs, roleDefinitionId: `/x/${BUILT_IN_ROLES.storageBlobDataContributor.id}` } });
            own.push({ ...ra, urn: `${ra.urn}-vault`, inputs: { ...ra.inputs, scope: vault.id } });
        });
        expect(rules(m)).toEqual(expect.arrayContaining(["unneeded-write", "unneeded-grant"]));
    });
});

describe("permissions of the hub's deployer (issue 22: the hub's aiplatform:rbac.automation)", () => {
    const hubModel = (mutate: (own: ExportResource[]) => void = () => undefined) => {
        const own = structuredClone(loadPlan("hub-uaenorth").deployment.resources);
        mutate(own);
        const rbac = (readStackConfig("hub/Pulumi.hub-uaenorth.yaml") as any)["aiplatform:rbac"];
        return buildAccessModel("hub-uaenorth", own, rbacOf({ "aiplatform:rbac": rbac }));
    };

    it("holds what deploying the hub needs, and may assign only the spoke roles to the spoke pipelines", () => {
        expect(permissionFindings(hubModel())).toEqual([]);
        const m = hubModel();
        const deployer = m.principals.get(String((readStackConfig("hub/Pulumi.hub-uaenorth.yaml") as any)["aiplatform:rbac"].automation))!;
        expect(deployer.kind).toBe("pipeline");
        expect(m.grants.filter((g) => g.principalId === deployer.id).map((g) => g.role?.roleName).sort()).toEqual([
            "Contributor",
            "Role Based Access Control Administrator",
            "aiplatform defender plans writer (hub-uaenorth)",
            "aiplatform lock writer (hub-uaenorth)",
            "aiplatform role assignment reader (hub-uaenorth)",
        ]);
    });

    it.each([
        ["Contributor", "hub-deployer-contributor", "pipeline-update"],
        ["its Defender plans writer", "hub-deployer-defenderWriter", "pipeline-update"],
        ["its RBAC Administrator", "hub-deployer-rbacAdministrator", "pipeline-assign"],
    ])("without %s the hub's check fails", (_what, name, rule) => {
        expect(rules(hubModel((own) => without(own, name)))).toContain(rule);
    });
});

describe("per-environment AKS API-server zones (issue 22 §10)", () => {
    const zoneOf = (stack: string) => String((loadPlan(stack).deployment.resources.find((r) => r.type === "azure-native:containerservice:ManagedCluster")!.inputs as any).apiServerAccessProfile.privateDNSZone);

    it("each cluster uses its own environment's zone", () => {
        const zones = SPOKES.map(zoneOf);
        expect(new Set(zones).size).toBe(SPOKES.length);
        for (const stack of SPOKES) expect(zoneOf(stack)).toMatch(new RegExp(`/privateDnsZones/${cfgOf(stack).environment}\\.privatelink\\.uaenorth\\.azmk8s\\.io$`));
    });

    it("dev's AKS identity and dev's pipeline cannot write prd's API-server record, peering or links", () => {
        const dev = modelOf("dev-uaenorth");
        const cp = [...dev.principals.values()].find((p) => p.kind === "aks-control-plane")!;
        const prdZone = zoneOf("prd-uaenorth");
        expect(grantsFor(dev, cp.id, "Microsoft.Network/privateDnsZones/A/write", `${prdZone}/A/aks-aip-prd-uaen`)).toEqual([]);
        const prdHubSide = loadPlan("prd-uaenorth").deployment.resources.filter((r) => String(r.id ?? "").includes("/rg-aip-hub-uaen/") && r.type !== "azure-native:authorization:RoleAssignment");
        expect(prdHubSide.length).toBeGreaterThan(5);
        const devPipeline = cfgOf("dev-uaenorth").rbac.automation!;
        if (devPipeline === cfgOf("prd-uaenorth").rbac.automation) return; // one shared principal is issue 22 §3 (access report P5)
        for (const r of prdHubSide) expect(grantsFor(dev, devPipeline, `${armTypeOf(String(r.id))}/write`, String(r.id)).map((g) => g.name)).toEqual([]);
    });
});

describe("the plan reporters' output", () => {
    /** The reporter context the plan CLI builds for a stack, from the same export and stack file. */
    function contextOf(stack: string, verbose: boolean) {
        const sf = listStacks().find((s) => s.stack === stack)!;
        const config = Object.fromEntries(Object.entries(readStackConfig(sf.file)).filter(([k]) => k.startsWith("aiplatform:")));
        const exported = loadPlan(stack);
        const planned = { stack: sf, config, resources: [], outputs: {}, qualifiedName: stack, now: new Date(`${vendoredSource().retrieved}T12:00:00Z`) } as unknown as PlannedStack;
        return { planned, exported, verbose };
    }

    it("--verbose prints each principal's grants and what it needs; quiet prints the summary only", async () => {
        await permissionsReport(contextOf("hub-uaenorth", false)); // the hub's grants to the spoke pipelines, as the plan runs it first
        const quiet = (await permissionsReport(contextOf("prd-uaenorth", false)))!;
        const verbose = (await permissionsReport(contextOf("prd-uaenorth", true)))!;
        expect(quiet.failures).toBe(0);
        expect(quiet.lines).toHaveLength(1);
        expect(verbose.lines).toEqual(expect.arrayContaining([expect.stringMatching(/^aks-control-plane .*id-aip-prd-uaen-aks/), expect.stringMatching(/^ {2}needs Microsoft\.Network\/routeTables\/write on .* \[aks-route-table\]$/), expect.stringMatching(/^ {2}Role Based Access Control Administrator @ .* \(ABAC condition\)$/)]));
        const access = (await accessReport(contextOf("prd-uaenorth", true)))!;
        expect(access.failures).toBe(0);
        expect(access.lines).toEqual(expect.arrayContaining([expect.stringMatching(/^developers group \(6f1c2b8e\): read-only$/)]));
    });

    it("a snapshot past its horizon is called out in the report", async () => {
        const ctx = contextOf("prd-uaenorth", false);
        ctx.planned.now = new Date(Date.parse(`${vendoredSource().retrieved}T00:00:00Z`) + (vendoredSource().horizonDays + 1) * 86_400_000);
        expect((await permissionsReport(ctx))!.lines).toEqual(expect.arrayContaining([expect.stringMatching(/^STALE: the role definitions were retrieved \d+ days ago/)]));
    });
});
