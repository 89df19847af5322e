/**
 * Registry on the planned spokes: ACR hardening inputs, private endpoint + DNS zone group, AcrPull for the kubelet
 * identity only, geo-replica only where the config switch is on, diagnostics.
 */
import { BUILT_IN_ROLES } from "../../components/rbac/roles";
import { UPSTREAM_CACHES } from "../../components/registry";
import { assignmentsAt, cfgOf, clusterOf, endpointsFor, hubZoneIds, nameOf, ofType, one, parentType, roleGuid, SPOKES, T } from "./support";

describe.each(SPOKES)("registry in %s", (stack) => {
    const cfg = cfgOf(stack);
    const acr = () => one(stack, T.registry);

    it("is Premium, private, zone redundant, with dedicated data endpoints, admin user, anonymous pull and export off", () => {
        const i = acr().inputs as any;
        expect(i.registryName).toBe(`craip${cfg.environment}uaen`);
        expect(i.sku).toEqual({ name: "Premium" });
        expect(i.adminUserEnabled).toBe(false);
        expect(i.anonymousPullEnabled).toBe(false);
        expect(i.publicNetworkAccess).toBe("Disabled");
        expect(i.networkRuleSet).toEqual({ defaultAction: "Deny" });
        expect(i.zoneRedundancy).toBe("Enabled");
        expect(i.dataEndpointEnabled).toBe(true);
        expect(i.policies.exportPolicy).toEqual({ status: "disabled" });
        expect(i.policies.retentionPolicy).toEqual({ status: "enabled", days: cfg.registry.untaggedRetentionDays });
    });

    it("has one private endpoint (group registry) registered in the hub's privatelink.azurecr.io zone", () => {
        const eps = endpointsFor(stack, acr().id);
        expect(eps).toHaveLength(1);
        expect(eps[0].groupIds).toEqual(["registry"]);
        expect((eps[0].zoneGroup.inputs.privateDnsZoneConfigs as any[]).map((c) => c.privateDnsZoneId)).toEqual([hubZoneIds().registry]);
        expect(String((eps[0].endpoint.inputs.subnet as any).id)).toMatch(/\/subnets\/snet-aip-\w+-uaen-private-endpoints$/);
    });

    it("grants AcrPull on itself to the AKS kubelet identity and to nobody else from the registry component", () => {
        const kubelet = (clusterOf(stack).outputs as any).identityProfile.kubeletidentity.objectId;
        const own = assignmentsAt(stack, acr().id).filter((a) => parentType(a) === "aiplatform:registry:Registry");
        expect(own.map((a) => [roleGuid(a), a.inputs.principalId, a.inputs.principalType])).toEqual([[BUILT_IN_ROLES.acrPull.id, kubelet, "ServicePrincipal"]]);
    });

    it("is pulled from only by the kubelet and, outside prd, the developers' groups", () => {
        const kubelet = (clusterOf(stack).outputs as any).identityProfile.kubeletidentity.objectId;
        const pullers = ofType(stack, T.assignment).filter((a) => roleGuid(a) === BUILT_IN_ROLES.acrPull.id).map((a) => a.inputs.principalId);
        const expected = [kubelet, ...(cfg.environment === "prd" ? [] : cfg.rbac.developers)];
        expect(new Set(pullers)).toEqual(new Set(expected));
    });

    it("has a geo-replica exactly when features.registryGeoReplication is on", () => {
        const replicas = ofType(stack, T.replication);
        if (!cfg.features.registryGeoReplication) {
            expect(replicas).toHaveLength(0);
            return;
        }
        expect(replicas).toHaveLength(1);
        expect(replicas[0].inputs).toMatchObject({ location: cfg.registry.geoReplicaLocation, registryName: acr().inputs.registryName, zoneRedundancy: "Disabled" });
    });

    it("caches every upstream the GitOps tree pulls through (<upstream>/* → <acr>/<upstream>/*)", () => {
        const rules = ofType(stack, "azure-native:containerregistry:CacheRule").map((r) => [r.inputs.sourceRepository, r.inputs.targetRepository, r.inputs.registryName]);
        expect(new Set(rules.map((r) => JSON.stringify(r)))).toEqual(new Set(UPSTREAM_CACHES.map((u) => JSON.stringify([`${u.upstream}/*`, `${u.upstream}/*`, acr().inputs.registryName]))));
        expect(rules.map((r) => r[0])).toEqual(expect.arrayContaining(["docker.io/*", "registry.k8s.io/*", "nvcr.io/*"]));
    });

    it("sends its logs to the spoke workspace", () => {
        const diag = ofType(stack, T.diag).filter((d) => d.inputs.resourceUri === acr().id);
        expect(diag).toHaveLength(1);
        expect(diag[0].inputs.workspaceId).toMatch(/workspaces\/log-aip-\w+-uaen$/);
        expect(nameOf(diag[0])).toBe("spoke-acr-diag");
    });
});

it("prd replicates the registry to UAE Central for DR and dev does not", () => {
    expect(ofType("prd-uaenorth", T.replication).map((r) => r.inputs.location)).toEqual(["uaecentral"]);
    expect(ofType("dev-uaenorth", T.replication)).toHaveLength(0);
});

// Issue 14 §4: an endpoint created before a replica lacks that replica's data-endpoint record (Learn
// container-registry-private-link.md); the endpoint must wait for every replica.
it("prd's registry private endpoint depends on every replica", () => {
    const acr = one("prd-uaenorth", T.registry);
    const [{ endpoint }] = endpointsFor("prd-uaenorth", acr.id);
    const replicas = ofType("prd-uaenorth", T.replication);
    expect(replicas.length).toBeGreaterThan(0);
    for (const r of replicas) expect(endpoint.dependencies).toContain(r.urn);
});
