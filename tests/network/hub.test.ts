/**
 * The hub on its offline plan (.plan-test/hub-uaenorth.json): firewall + policy settings, egress rule groups
 * (concerns, chaining, no `*` destinations on 80/443, IP-group sources), IP groups per spoke, private DNS zones
 * and hub links, diagnostics, the lock, and the outputs the spokes consume.
 */
import * as fs from "fs";
import * as path from "path";
import { HUB_OUTPUT_KEYS } from "../../components/hub/outputs";
import { HUB_ZONE_KEYS } from "../../components/hub/dns-zones";
import { freshnessNow } from "../support/clock";
import { ofType, one, SPOKES, stackOutputs } from "../support/plan";
import { rawHub } from "../support/config";

const HUB = "hub-uaenorth";
const T = {
    firewall: "azure-native:network:AzureFirewall",
    policy: "azure-native:network:FirewallPolicy",
    rcg: "azure-native:network:FirewallPolicyRuleCollectionGroup",
    ipGroup: "azure-native:network:IpGroup",
    zone: "azure-native:privatedns:PrivateZone",
    link: "azure-native:privatedns:VirtualNetworkLink",
    subnet: "azure-native:network:Subnet",
    diag: "azure-native:monitor:DiagnosticSetting",
    lock: "azure-native:authorization:ManagementLockByScope",
    pip: "azure-native:network:PublicIPAddress",
    vnet: "azure-native:network:VirtualNetwork",
    bastion: "azure-native:network:BastionHost",
};
const nameOf = (urn: string) => urn.split("::").pop()!;
const inputs = (type: string, name?: string) => one(HUB, type, name).inputs as Record<string, any>;

describe("firewall policy", () => {
    const policy = () => inputs(T.policy);
    test("Premium with threat intelligence and IDPS in Deny", () => {
        expect(policy().sku).toEqual({ tier: "Premium" });
        expect(policy().threatIntelMode).toBe("Deny");
        expect(policy().intrusionDetection.mode).toBe("Deny");
    });
    test("DNS proxy on (spokes use the firewall as DNS server)", () => expect(policy().dnsSettings).toEqual({ enableProxy: true }));
    test("policy analytics go to the hub workspace", () => {
        expect(policy().insights.logAnalyticsResources.defaultWorkspaceId.id).toBe(stackOutputs(HUB).workspaceId);
    });
});

describe("firewall", () => {
    const fw = () => one(HUB, T.firewall);
    test("Premium VNet firewall, zone-redundant, referencing its policy", () => {
        const i = fw().inputs as any;
        expect(i.sku).toEqual({ name: "AZFW_VNet", tier: "Premium" });
        expect(i.zones).toEqual(["1", "2", "3"]);
        expect(i.firewallPolicy.id).toBe(one(HUB, T.policy).id);
    });
    test("sits in AzureFirewallSubnet with a static Standard public IP; management NIC in its own subnet", () => {
        const i = fw().inputs as any;
        expect(i.ipConfigurations[0].subnet.id).toMatch(/\/subnets\/AzureFirewallSubnet$/);
        expect(i.ipConfigurations[0].publicIPAddress.id).toBe(one(HUB, T.pip, "hub-pip-afw").id);
        expect(i.managementIpConfiguration.subnet.id).toMatch(/\/subnets\/AzureFirewallManagementSubnet$/);
        const pip = inputs(T.pip, "hub-pip-afw");
        expect([pip.sku.name, pip.publicIPAllocationMethod]).toEqual(["Standard", "Static"]);
    });
    test("is created after its rules (no window where the policy is empty)", () => {
        // the last group of the chain (cross-region, once another region's hub exists)
        expect(fw().dependencies).toContain(ofType(HUB, T.rcg).find((r) => nameOf(r.urn) === "hub-rcg-cross-region")!.urn);
    });
    test("logs and metrics go to the hub Log Analytics workspace (resource-specific tables)", () => {
        const diag = ofType(HUB, T.diag).find((d) => (d.inputs as any).resourceUri === fw().id);
        expect(diag).toBeDefined();
        expect(diag!.inputs).toMatchObject({
            workspaceId: stackOutputs(HUB).workspaceId,
            logAnalyticsDestinationType: "Dedicated",
            logs: [{ categoryGroup: "allLogs", enabled: true }],
            metrics: [{ category: "AllMetrics", enabled: true }],
        });
    });
});

describe("egress rule collection groups", () => {
    // The egress groups; cross-region rules (between private blocks of two regions) are tests/network/multi-region's.
    const groups = () => ofType(HUB, T.rcg).filter((g) => (g.inputs as any).ruleCollectionGroupName !== "cross-region");
    const rules = () => groups().flatMap((g) => (g.inputs as any).ruleCollections.flatMap((c: any) => c.rules.map((r: any) => ({ group: nameOf(g.urn), ...r }))));

    test("one group per concern, with distinct priorities", () => {
        expect(groups().map((g) => (g.inputs as any).ruleCollectionGroupName)).toEqual([
            "aks-required",
            "azure-monitor",
            "container-registries",
            "gpu-drivers",
            "gitops-sources",
            "workload-egress",
            "os-updates",
        ]);
        const priorities = groups().map((g) => (g.inputs as any).priority);
        expect(new Set(priorities).size).toBe(priorities.length);
    });

    test("chained: each group depends on the one before it (parallel writes to one policy fail with 409)", () => {
        const g = groups();
        for (let i = 1; i < g.length; i++) expect(g[i].dependencies).toContain(g[i - 1].urn);
        expect(g[0].dependencies).toContain(one(HUB, T.policy).urn);
    });

    test("the concerns carry their destinations", () => {
        const fqdns = (group: string) => rules().filter((r) => r.group === `hub-rcg-${group}`).flatMap((r) => [...(r.targetFqdns ?? []), ...(r.destinationFqdns ?? []), ...(r.fqdnTags ?? [])]);
        expect(fqdns("aks-required")).toEqual(expect.arrayContaining(["AzureKubernetesService", "mcr.microsoft.com", "management.azure.com", "login.microsoftonline.com", "ntp.ubuntu.com", "uaenorth.dp.kubernetesconfiguration.azure.com"]));
        expect(fqdns("azure-monitor")).toEqual(expect.arrayContaining(["*.ods.opinsights.azure.com", "uaenorth.handler.control.monitor.azure.com", "data.policy.core.windows.net"]));
        expect(fqdns("container-registries")).toEqual(expect.arrayContaining(["ghcr.io", "pkg-containers.githubusercontent.com", "quay.io", "cdn.quay.io"]));
        // Docker Hub, registry.k8s.io and nvcr.io come through ACR's artifact cache: no direct rule.
        expect(rules().flatMap((r) => r.targetFqdns ?? [])).not.toEqual(expect.arrayContaining(["registry-1.docker.io"]));
        expect(rules().flatMap((r) => r.targetFqdns ?? []).filter((f: string) => ["registry.k8s.io", "nvcr.io", "registry-1.docker.io"].includes(f))).toEqual([]);
        expect(fqdns("workload-egress")).toEqual(expect.arrayContaining(["huggingface.co", "transfer.xethub.hf.co", "*.logic.azure.com"]));
        expect(fqdns("gpu-drivers")).toEqual(expect.arrayContaining(["helm.ngc.nvidia.com", "nvidia.github.io", "download.nvidia.com", "repo.radeon.com"]));
        expect(fqdns("gitops-sources")).toEqual(expect.arrayContaining(["github.com"]));
        expect(fqdns("os-updates")).toEqual(expect.arrayContaining(["security.ubuntu.com", "azure.archive.ubuntu.com"]));
    });

    test("the Defender sensor reaches every host Learn lists for it, from every spoke, over HTTPS", () => {
        // Learn's table, vendored verbatim; the first FQDN of each row is the Azure public cloud one.
        const table = fs.readFileSync(path.join(__dirname, "../../config/upstream/aks-egress-defender.md"), "utf8");
        const hosts = table.split("\n").filter((l) => /^\|\s*\*\*`/.test(l)).map((l) => /`([^`]+)`/.exec(l)![1]);
        expect(hosts).toEqual(["login.microsoftonline.com", "*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com", "*.cloud.defender.microsoft.com"]);
        const spokeGroups = SPOKES.map((s) => one(HUB, T.ipGroup, `hub-ipg-${s}`).id);
        for (const host of hosts) {
            const allowing = rules().filter(
                (r) => r.ruleType === "ApplicationRule" && (r.targetFqdns ?? []).includes(host) && r.protocols.some((p: any) => p.protocolType === "Https" && p.port === 443),
            );
            expect({ host, allowedFrom: spokeGroups.filter((g) => allowing.some((r) => r.sourceIpGroups.includes(g))) }).toEqual({ host, allowedFrom: spokeGroups });
        }
    });

    test("the vendored Defender table is within its refresh horizon (measured at this commit's date)", () => {
        const header = fs.readFileSync(path.join(__dirname, "../../config/upstream/aks-egress-defender.md"), "utf8");
        const retrieved = Date.parse(/retrieved (\d{4}-\d{2}-\d{2})/.exec(header)![1]);
        const horizonDays = Number(/Horizon: (\d+) days/.exec(header)![1]);
        expect(Math.floor((freshnessNow().getTime() - retrieved) / 86_400_000)).toBeLessThanOrEqual(horizonDays);
    });

    test("no rule allows a bare `*` (or any-address) destination", () => {
        const anyDest = ["*", "0.0.0.0/0", "Internet"];
        for (const r of rules()) {
            for (const d of [...(r.targetFqdns ?? []), ...(r.destinationFqdns ?? []), ...(r.destinationAddresses ?? []), ...(r.targetUrls ?? [])]) {
                expect(anyDest).not.toContain(d);
            }
            if (r.ruleType === "NetworkRule") expect(r.destinationPorts.some((p: string) => ["80", "443", "*"].includes(p) && (r.destinationAddresses ?? []).length > 0)).toBe(false);
        }
    });

    test("sources are the IP groups only (never addresses, never `*`)", () => {
        const ipGroupIds = new Set(ofType(HUB, T.ipGroup).map((g) => g.id));
        for (const r of rules()) {
            expect(r.sourceAddresses).toBeUndefined();
            expect(r.sourceIpGroups.length).toBeGreaterThan(0);
            for (const s of r.sourceIpGroups) expect(ipGroupIds).toContain(s);
        }
    });

    test("only allow collections (denial is the firewall's default)", () => {
        for (const g of groups()) for (const c of (g.inputs as any).ruleCollections) expect(c.action).toEqual({ type: "Allow" });
    });
});

describe("IP groups", () => {
    test("one per spoke stack, holding the block the hub allocates to it (which the spoke's file must use)", () => {
        const spaces = rawHub().spokes as Record<string, string>;
        expect(Object.keys(spaces).sort()).toEqual([...SPOKES].sort());
        for (const [stack, space] of Object.entries(spaces)) expect(inputs(T.ipGroup, `hub-ipg-${stack}`).ipAddresses).toEqual([space]);
        expect(Object.keys(stackOutputs(HUB).ipGroupIds).sort()).toEqual([...SPOKES].sort());
        for (const s of SPOKES) expect(stackOutputs(HUB).ipGroupIds[s]).toBe(one(HUB, T.ipGroup, `hub-ipg-${s}`).id);
    });
    test("chained like the rule groups", () => {
        const g = ofType(HUB, T.ipGroup);
        for (let i = 1; i < g.length; i++) expect(g[i].dependencies).toContain(g[i - 1].urn);
    });
});

describe("private DNS zones", () => {
    const expected: Record<string, string> = {
        registry: "privatelink.azurecr.io",
        vault: "privatelink.vaultcore.azure.net",
        blob: "privatelink.blob.core.windows.net",
        dfs: "privatelink.dfs.core.windows.net",
        file: "privatelink.file.core.windows.net",
        "aks-dev": "dev.privatelink.uaenorth.azmk8s.io",
        "aks-stg": "stg.privatelink.uaenorth.azmk8s.io",
        "aks-prd": "prd.privatelink.uaenorth.azmk8s.io",
        internal: rawHub().network.internalDnsZone,
    };
    const keys = [...HUB_ZONE_KEYS, "aks-dev", "aks-stg", "aks-prd"];
    test("one zone per shared key and one AKS API-server zone per environment (issue 22 §10), global, named as private link requires", () => {
        for (const key of keys) expect(inputs(T.zone, `hub-zone-${key}`)).toMatchObject({ privateZoneName: expected[key], location: "global" });
        expect(ofType(HUB, T.zone)).toHaveLength(keys.length);
    });
    test("each linked to the hub VNet, without auto-registration; privatelink zones fall back to public DNS", () => {
        const hubVnetId = one(HUB, T.vnet).id;
        for (const key of keys) {
            const link = inputs(T.link, `hub-zone-${key}-link`);
            expect(link).toMatchObject({ privateZoneName: expected[key], virtualNetwork: { id: hubVnetId }, registrationEnabled: false });
            expect(link.resolutionPolicy).toBe(key === "internal" ? "Default" : "NxDomainRedirect");
        }
    });
});

describe("hub subnets, bastion and lock", () => {
    test("Azure-reserved subnet names and the shared-services subnet with NSG and firewall route", () => {
        const names = ofType(HUB, T.subnet).map((s) => (s.inputs as any).subnetName);
        expect(names).toEqual(expect.arrayContaining(["AzureFirewallSubnet", "AzureFirewallManagementSubnet", "GatewaySubnet", "AzureBastionSubnet"]));
        const shared = inputs(T.subnet, "hub-snet-sharedServices");
        expect(shared.networkSecurityGroup.id).toBe(one(HUB, "azure-native:network:NetworkSecurityGroup", "hub-nsg-shared").id);
        const rt = inputs("azure-native:network:RouteTable", "hub-rt-shared");
        expect(shared.routeTable.id).toBe(one(HUB, "azure-native:network:RouteTable", "hub-rt-shared").id);
        expect(rt.routes).toEqual([{ name: "default-to-firewall", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: stackOutputs(HUB).firewallPrivateIp }]);
    });
    test("subnets are written one at a time", () => {
        const s = ofType(HUB, T.subnet);
        for (let i = 1; i < s.length; i++) expect(s[i].dependencies).toContain(s[i - 1].urn);
    });
    test("Bastion (feature on) in AzureBastionSubnet, with Microsoft's NSG rule set and logs", () => {
        const b = one(HUB, T.bastion);
        expect((b.inputs as any).ipConfigurations[0].subnet.id).toMatch(/\/subnets\/AzureBastionSubnet$/);
        expect((b.inputs as any).enableShareableLink).toBe(false);
        const nsg = inputs("azure-native:network:NetworkSecurityGroup", "hub-nsg-bastion");
        expect(nsg.securityRules.map((r: any) => r.name)).toEqual(expect.arrayContaining(["allow-gateway-manager", "allow-ssh-rdp-outbound", "deny-all-inbound"]));
        expect(ofType(HUB, T.diag).some((d) => (d.inputs as any).resourceUri === b.id)).toBe(true);
    });
    test("CanNotDelete lock on the hub resource group, depending on everything it protects", () => {
        const lock = one(HUB, T.lock);
        expect(lock.inputs).toMatchObject({ level: "CanNotDelete", scope: one(HUB, "azure-native:resources:ResourceGroup").id });
        for (const type of [T.firewall, T.policy, T.vnet, T.zone, T.subnet, T.rcg]) {
            for (const r of ofType(HUB, type)) expect(lock.dependencies).toContain(r.urn);
        }
    });
});

describe("outputs the spokes consume", () => {
    test("every HubOutputs key is a stack output", () => {
        expect(Object.keys(stackOutputs(HUB)).sort()).toEqual([...HUB_OUTPUT_KEYS].sort());
    });
    test("values are the planned resources' (firewall IP from its subnet, zone ids, VNet)", () => {
        const out = stackOutputs(HUB);
        expect(out.firewallPrivateIp).toBe("10.0.0.4"); // 4th address of AzureFirewallSubnet 10.0.0.0/26
        expect(out.vnetId).toBe(one(HUB, T.vnet).id);
        expect(out.vnetName).toBe(inputs(T.vnet).virtualNetworkName);
        for (const key of HUB_ZONE_KEYS) {
            expect(out.privateDnsZoneIds[key]).toBe(one(HUB, T.zone, `hub-zone-${key}`).id);
            expect(out.privateDnsZoneNames[key]).toBe(inputs(T.zone, `hub-zone-${key}`).privateZoneName);
        }
        for (const env of ["dev", "stg", "prd"]) {
            expect(out.aksPrivateDnsZoneIds[env]).toBe(one(HUB, T.zone, `hub-zone-aks-${env}`).id);
            expect(out.aksPrivateDnsZoneNames[env]).toBe(`${env}.privatelink.uaenorth.azmk8s.io`);
        }
        expect(out.firewallPublicIp).toMatch(/^203\.0\.113\.\d+$/);
    });
});
