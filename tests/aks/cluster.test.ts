/**
 * The planned ManagedCluster of every spoke: private API server in the spoke, Entra RBAC, CNI overlay + Cilium
 * behind the firewall, add-ons, upgrades and maintenance, logs, the inline system pool, and the control-plane
 * identity's role assignments declared (and depended on) before the cluster.
 */
import { poolFacts } from "../../components/gpu-pools/facts";
import { TENANT_ID } from "../../tools/plan/arm";
import { PlanGraph } from "../../tools/plan/deploy-order";
import { one, ofType, resources, SPOKES, stackOutputs } from "../support/plan";
import { byUrn, cfgOf, CLUSTER, clusterOf, nameOf, ROLE_ASSIGNMENT, subnetIdByPrefix } from "./support";

const NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7";
const DNS_ZONE_CONTRIBUTOR = "b12aa53e-6015-4669-85d0-8515ebb3ae7f";

/** The environment's own AKS API-server zone in the hub (one per environment, issue 22 §10). */
const aksZoneOf = (environment: string) => (stackOutputs("hub-uaenorth").aksPrivateDnsZoneIds as Record<string, string>)[environment];
const workspaceIdOf = (stack: string) => String(one(stack, "azure-native:operationalinsights:Workspace").id);

describe.each(SPOKES)("%s cluster", (stack) => {
    const cfg = () => cfgOf(stack);
    const c = () => clusterOf(stack).inputs as Record<string, any>;
    const prd = stack.startsWith("prd");

    it("is the one cluster of the stack, named by the naming module", () => {
        expect(ofType(stack, CLUSTER)).toHaveLength(1);
        expect(c().resourceName).toBe(`aks-aip-${cfg().environment}-uaen`);
        expect(c().kubernetesVersion).toBe(cfg().aks.kubernetesVersion);
        expect(c().supportPlan).toBe(cfg().aks.supportPlan);
        expect(c().nodeResourceGroup).toBe(`rg-aip-${cfg().environment}-uaen-aks-nodes`);
    });

    it("runs the Istio add-on at the configured revision in stg/prd only", () => {
        if (stack.startsWith("dev")) expect(c().serviceMeshProfile).toBeUndefined();
        else expect(c().serviceMeshProfile).toEqual({ mode: "Istio", istio: { revisions: ["asm-1-30"] } });
    });

    it("has a private API server with VNet integration in the spoke's /28 and the hub's aks zone", () => {
        const api = c().apiServerAccessProfile;
        expect(api.enablePrivateCluster).toBe(true);
        expect(api.enablePrivateClusterPublicFQDN).toBe(false);
        expect(api.enableVnetIntegration).toBe(true);
        expect(api.subnetId).toBe(subnetIdByPrefix(stack, cfg().network.subnets.apiServer));
        expect(api.privateDNSZone).toBe(aksZoneOf(cfg().environment));
        expect(api.authorizedIPRanges).toBeUndefined();
        expect(api.disableRunCommand).toBe(prd);
    });

    it("uses Entra ID with Azure RBAC, the platform groups as admins, no local accounts, no SP secret", () => {
        expect(c().aadProfile).toEqual({ managed: true, enableAzureRBAC: true, adminGroupObjectIDs: cfg().rbac.platform, tenantID: TENANT_ID });
        expect(c().enableRBAC).toBe(true);
        expect(c().disableLocalAccounts).toBe(true);
        expect(c().servicePrincipalProfile).toBeUndefined();
        expect(c().oidcIssuerProfile).toEqual({ enabled: true });
        expect(c().securityProfile.workloadIdentity).toEqual({ enabled: true });
    });

    it("runs on its user-assigned control-plane identity", () => {
        const identity = one(stack, "azure-native:managedidentity:UserAssignedIdentity", "spoke-aks-identity");
        expect(c().identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [identity.id] });
    });

    it("uses Azure CNI overlay with Cilium and egress through the spoke route table", () => {
        const n = cfg().network;
        expect(c().networkProfile).toEqual({
            networkPlugin: "azure",
            networkPluginMode: "overlay",
            networkDataplane: "cilium",
            networkPolicy: "cilium",
            podCidr: n.podCidr,
            serviceCidr: n.serviceCidr,
            dnsServiceIP: n.dnsServiceIp,
            outboundType: "userDefinedRouting",
            loadBalancerSku: "standard",
        });
    });

    it("userDefinedRouting matches the spoke: every node subnet (ingress included) has a route table with 0.0.0.0/0 to the hub firewall", () => {
        const firewallIp = stackOutputs("hub-uaenorth").firewallPrivateIp;
        const all = resources(stack);
        for (const key of ["system", "user", "gpu", "ingressPublic"] as const) {
            const subnetId = subnetIdByPrefix(stack, cfg().network.subnets[key]);
            const subnet = all.find((r) => r.id === subnetId) ?? all.find((r) => ((r.outputs.subnets as any[]) ?? []).some((s) => s.id === subnetId))!;
            const subnetInputs = subnet.type === "azure-native:network:Subnet" ? subnet.inputs : (subnet.outputs.subnets as any[]).find((s) => s.id === subnetId);
            const rtId = (subnetInputs as any).routeTable?.id;
            expect(rtId).toBeDefined();
            const rt = all.find((r) => r.id === rtId)!;
            const routes = [
                ...(((rt.inputs.routes as any[]) ?? []).map((r) => r.properties ?? r)),
                ...ofType(stack, "azure-native:network:Route").filter((r) => r.inputs.routeTableName === rt.inputs.routeTableName).map((r) => r.inputs),
            ] as any[];
            expect(routes).toContainEqual(expect.objectContaining({ addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: firewallIp }));
        }
    });

    it("enables Azure Policy, Key Vault CSI with rotation, Container Insights; no dashboard or HTTP application routing", () => {
        const addons = c().addonProfiles as Record<string, any>;
        expect(addons.azurepolicy).toEqual({ enabled: true });
        expect(addons.azureKeyvaultSecretsProvider).toEqual({ enabled: true, config: { enableSecretRotation: "true", rotationPollInterval: "2m" } });
        expect(addons.omsagent).toEqual({ enabled: true, config: { logAnalyticsWorkspaceResourceID: workspaceIdOf(stack), useAADAuth: "true" } });
        const keys = Object.keys(addons).map((k) => k.toLowerCase());
        expect(keys).not.toContain("kubedashboard");
        expect(keys).not.toContain("httpapplicationrouting");
    });

    it("sends Defender security monitoring to the workspace and cleans stale images", () => {
        expect(c().securityProfile.defender).toEqual({ logAnalyticsWorkspaceResourceId: workspaceIdOf(stack), securityMonitoring: { enabled: true } });
        expect(c().securityProfile.imageCleaner).toEqual({ enabled: true, intervalHours: 24 });
    });

    it("leaves managed Prometheus off as configured (the in-cluster kube-prometheus-stack scrapes instead)", () => {
        expect(cfg().aks.monitoring.managedPrometheus).toBe(false);
        expect(c().azureMonitorProfile).toBeUndefined();
        expect(ofType(stack, "azure-native:monitor:AzureMonitorWorkspace")).toEqual([]);
    });

    it("takes the tier from config: Standard in stg/prd, cost analysis wherever the tier allows", () => {
        expect(c().sku).toEqual({ name: "Base", tier: cfg().aks.tier });
        if (!stack.startsWith("dev")) expect(c().sku.tier).toBe("Standard");
        expect(c().metricsProfile).toEqual({ costAnalysis: { enabled: c().sku.tier !== "Free" } });
    });

    it("auto-upgrades on the configured channel with node images, and the autoscaler profile from config", () => {
        expect(c().autoUpgradeProfile).toEqual({ upgradeChannel: cfg().aks.upgradeChannel, nodeOSUpgradeChannel: "NodeImage" });
        const a = cfg().aks.autoscaler;
        expect(c().autoScalerProfile).toEqual({ scanInterval: a.scanInterval, scaleDownDelayAfterAdd: a.scaleDownDelayAfterAdd, scaleDownUnneededTime: a.scaleDownUnneededTime, expander: a.expander });
    });

    it("has both maintenance schedules in UAE time (+04:00)", () => {
        const m = ofType(stack, "azure-native:containerservice:MaintenanceConfiguration");
        expect(m.map((r) => r.inputs.configName).sort()).toEqual(["aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"]);
        for (const r of m) {
            const w = r.inputs.configName === "aksManagedAutoUpgradeSchedule" ? cfg().aks.maintenance.autoUpgrade : cfg().aks.maintenance.nodeOs;
            expect(r.inputs.resourceName).toBe(c().resourceName);
            expect(r.inputs.maintenanceWindow).toEqual({
                schedule: { weekly: { dayOfWeek: w.dayOfWeek, intervalWeeks: w.intervalWeeks } },
                durationHours: w.durationHours,
                startTime: w.startTime,
                utcOffset: "+04:00",
            });
        }
    });

    it("sends audit, Entra and autoscaler logs to Log Analytics", () => {
        const d = one(stack, "azure-native:monitor:DiagnosticSetting", "spoke-aks-cluster-diag");
        expect(d.inputs.resourceUri).toBe(clusterOf(stack).id);
        expect(d.inputs.workspaceId).toBe(workspaceIdOf(stack));
        expect((d.inputs.logs as any[]).map((l) => l.category)).toEqual(["kube-audit-admin", "guard", "cluster-autoscaler"]);
    });

    it("routes Container Insights through a data collection rule associated with the cluster", () => {
        const dcr = one(stack, "azure-native:monitor:DataCollectionRule", "spoke-aks-container-insights");
        expect((dcr.inputs.destinations as any).logAnalytics).toEqual([{ name: "ciworkspace", workspaceResourceId: workspaceIdOf(stack) }]);
        const dcra = one(stack, "azure-native:monitor:DataCollectionRuleAssociation", "spoke-aks-container-insights-dcra");
        expect(dcra.inputs).toMatchObject({ resourceUri: clusterOf(stack).id, dataCollectionRuleId: dcr.id });
    });

    describe("inline system pool", () => {
        const sys = () => c().agentPoolProfiles as any[];

        it("is the only inline pool, System mode, tainted CriticalAddonsOnly, ephemeral OS, encrypted at host", () => {
            expect(sys()).toHaveLength(1);
            const s = cfg().aks.systemPool;
            expect(sys()[0]).toMatchObject({
                name: "system",
                mode: "System",
                type: "VirtualMachineScaleSets",
                vmSize: s.vmSize,
                osDiskType: "Ephemeral",
                osSKU: "AzureLinux",
                nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
                enableAutoScaling: true,
                minCount: s.minCount,
                maxCount: s.maxCount,
                enableEncryptionAtHost: true,
                enableNodePublicIP: false,
                upgradeSettings: { maxSurge: "33%" },
                vnetSubnetID: subnetIdByPrefix(stack, cfg().network.subnets.system),
            });
        });

        it("spans the configured zones (1-3 in prd)", () => {
            expect(sys()[0].availabilityZones).toEqual(cfg().aks.systemPool.zones);
            if (prd) expect(sys()[0].availabilityZones).toEqual(["1", "2", "3"]);
        });

        it("is never edited in place: the inline pool list is ignored after create", () => {
            expect(clusterOf(stack).ignoreChanges).toEqual(["agentPoolProfiles"]);
        });
    });

    describe("control-plane identity rights", () => {
        const identity = () => one(stack, "azure-native:managedidentity:UserAssignedIdentity", "spoke-aks-identity");
        const assignments = () => ofType(stack, ROLE_ASSIGNMENT).filter((r) => r.inputs.principalId === identity().outputs.principalId);
        const scopesOf = (roleGuid: string) => assignments().filter((r) => String(r.inputs.roleDefinitionId).endsWith(`/${roleGuid}`)).map((r) => r.inputs.scope);

        it("Reader on the disk encryption set, where there is one (customer-managed keys)", () => {
            const des = ofType(stack, "azure-native:compute:DiskEncryptionSet").map((d) => d.id);
            expect(scopesOf("acdd72a7-3385-48ef-bd42-f606fba81ae7")).toEqual(des);
            expect(des).toHaveLength(cfg().keyVault.customerManagedKeys ? 1 : 0);
        });

        it("Private DNS Zone Contributor on its own environment's AKS zone (issue 22 §10) and on the spoke VNet (AKS links a BYO zone to it itself)", () => {
            const vnet = one(stack, "azure-native:network:VirtualNetwork", "spoke-vnet").id;
            expect(scopesOf(DNS_ZONE_CONTRIBUTOR).sort()).toEqual([aksZoneOf(cfg().environment), vnet].sort());
        });

        it("Network Contributor on the node, API server and ingress subnets, both route tables and the public ingress IP", () => {
            const subnets = cfg().network.subnets;
            const expected = (["system", "user", "gpu", "apiServer", "ingressPublic", "ingressInternal"] as const).map((k) => subnetIdByPrefix(stack, subnets[k]));
            const scopes = scopesOf(NETWORK_CONTRIBUTOR);
            expect(scopes).toEqual(expect.arrayContaining(expected));
            expect(scopes).toHaveLength(expected.length + 3);
            expect(assignments().every((r) => r.inputs.principalType === "ServicePrincipal")).toBe(true);
        });

        it("are declared before the cluster, which depends on each of them", () => {
            const all = resources(stack).map((r) => r.urn);
            const cluster = clusterOf(stack);
            // 11 Network/DNS grants + the network reader at the public IP's resource group (issue 14 §6) + Reader on the DES.
            expect(assignments()).toHaveLength(cfg().keyVault.customerManagedKeys ? 13 : 12);
            for (const a of assignments()) {
                expect(cluster.dependencies).toContain(a.urn);
                expect(all.indexOf(a.urn)).toBeLessThan(all.indexOf(cluster.urn));
            }
        });
    });

    it("waits for both peerings and the spoke's link to the AKS zone (DNS and egress go through the hub)", () => {
        const plan = new PlanGraph(resources(stack));
        const cluster = clusterOf(stack);
        for (const name of ["spoke-peer-to-hub", "spoke-peer-from-hub", "spoke-zone-aks-link"]) {
            const r = resources(stack).find((x) => nameOf(x) === name)!;
            expect([name, plan.after(cluster, r)]).toEqual([name, true]);
        }
    });

    it("exports the outputs other components code against, and pool facts equal to the config's", () => {
        const comp = one(stack, "aiplatform:aks:AksCluster", "spoke-aks");
        const out = comp.outputs as Record<string, any>;
        expect(out.clusterId).toBe(clusterOf(stack).id);
        expect(out.clusterName).toBe(c().resourceName);
        expect(out.oidcIssuerUrl).toMatch(/^https:\/\/uaenorth\.oic\.prod-aks\.azure\.com\//);
        expect(out.kubeletIdentityObjectId).toMatch(/^[0-9a-f-]{36}$/);
        expect(out.kubeletIdentityClientId).toMatch(/^[0-9a-f-]{36}$/);
        expect(out.nodeResourceGroup).toBe(c().nodeResourceGroup);
        expect(out.poolFacts).toEqual(JSON.parse(JSON.stringify(poolFacts(cfg()))));
        expect(byUrn(stack, comp.urn).parent).toMatch(/pulumi:pulumi:Stack/);
        expect(nameOf(comp)).toBe("spoke-aks");
    });
});
