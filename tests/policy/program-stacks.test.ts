/**
 * The program itself: every planned stack passes the pack with zero mandatory violations, and single-field
 * mutants of the real planned prd and hub stacks are each caught by the right rule (so the zero above is earned,
 * not an evaluator that sees nothing).
 */
import { evaluateStackExport } from "../../tools/policy/evaluate";
import { ALL_STACKS, loadPlan } from "../support/plan";

type Doc = ReturnType<typeof loadPlan>;
type Res = Doc["deployment"]["resources"][number];

function mandatoryLines(doc: unknown): string[] {
    return evaluateStackExport(doc).violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policyName} ${v.name}: ${v.message}`);
}

describe.each(ALL_STACKS)("%s", (stack) => {
    test("zero mandatory violations", () => {
        const doc = loadPlan(stack);
        const report = evaluateStackExport(doc);
        expect(report.resources).toBeGreaterThan(20);
        expect(mandatoryLines(doc)).toEqual([]);
    });
});

/** [title, stack, resource type, which one (by URN name suffix, default the first), mutation, expected mandatory rule(s)] */
type Mutant = [string, string, string, string | undefined, (r: Res, doc: Doc) => void, string | string[]];

const OPEN_SSH = { name: "open-ssh", priority: 200, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "Internet", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "20-25" };

const MUTANTS: Mutant[] = [
    ["T1 resource group without owner tag", "prd-uaenorth", "azure-native:resources:ResourceGroup", undefined, (r) => delete (r.inputs.tags as any).owner, "t1-required-tags"],
    ["K1 public API server", "prd-uaenorth", "azure-native:containerservice:ManagedCluster", undefined, (r) => ((r.inputs.apiServerAccessProfile as any).enablePrivateCluster = false), "k1-aks-private-cluster"],
    ["K3 local accounts", "prd-uaenorth", "azure-native:containerservice:ManagedCluster", undefined, (r) => (r.inputs.disableLocalAccounts = false), "k3-aks-local-accounts-disabled"],
    ["K5 Azure Policy add-on off", "prd-uaenorth", "azure-native:containerservice:ManagedCluster", undefined, (r) => ((r.inputs.addonProfiles as any).azurepolicy.enabled = false), "k5-aks-azure-policy-addon"],
    ["K13 system pool untainted", "prd-uaenorth", "azure-native:containerservice:ManagedCluster", undefined, (r) => ((r.inputs.agentPoolProfiles as any[])[0].nodeTaints = []), "k13-aks-system-pool"],
    ["K14 H100 pool untainted", "prd-uaenorth", "azure-native:containerservice:AgentPool", "h100", (r) => (r.inputs.nodeTaints = []), "k14-aks-gpu-pool-taint"],
    ["K16 spot pool in prd", "prd-uaenorth", "azure-native:containerservice:AgentPool", "cpu", (r) => Object.assign(r.inputs, { scaleSetPriority: "Spot", nodeTaints: ["kubernetes.azure.com/scalesetpriority=spot:NoSchedule"] }), "k16-aks-no-spot-prd"],
    ["R1 registry admin user", "prd-uaenorth", "azure-native:containerregistry:Registry", undefined, (r) => (r.inputs.adminUserEnabled = true), "r1-acr-admin-disabled"],
    ["V2 vault without purge protection", "prd-uaenorth", "azure-native:keyvault:Vault", undefined, (r) => ((r.inputs.properties as any).enablePurgeProtection = false), "v2-kv-purge-protection"],
    ["S2 storage shared keys", "prd-uaenorth", "azure-native:storage:StorageAccount", undefined, (r) => (r.inputs.allowSharedKeyAccess = true), "s2-storage-no-public-blob-no-shared-key"],
    ["N1 SSH open to the internet", "prd-uaenorth", "azure-native:network:NetworkSecurityGroup", undefined, (r) => (r.inputs.securityRules as any[]).push(OPEN_SSH), ["n1-nsg-no-internet-management-ports", "n5-nsg-internet-inbound-allowlist"]],
    ["N5 HTTP open to the internet", "prd-uaenorth", "azure-native:network:NetworkSecurityGroup", undefined, (r) => (r.inputs.securityRules as any[]).push({ ...OPEN_SSH, name: "open-http", destinationPortRange: "80" }), "n5-nsg-internet-inbound-allowlist"],
    ["K17 cluster without Container Insights", "stg-uaenorth", "azure-native:containerservice:ManagedCluster", undefined, (r) => delete (r.inputs.addonProfiles as any).omsagent, "k17-aks-container-insights"],
    ["K18 prd cluster without its disk encryption set", "prd-uaenorth", "azure-native:containerservice:ManagedCluster", undefined, (r) => delete r.inputs.diskEncryptionSetID, "k18-aks-cmk-disks"],
    ["S8 stg lake on Microsoft-managed keys", "stg-uaenorth", "azure-native:storage:StorageAccount", undefined, (r) => ((r.inputs.encryption as any).keySource = "Microsoft.Storage"), "s8-storage-cmk"],
    ["V4 prd key without rotation", "prd-uaenorth", "azure-native:keyvault:Key", undefined, (r) => delete (r.inputs.properties as any).rotationPolicy, "v4-kv-key-rotation"],
    ["R5 registry without data endpoints", "dev-uaenorth", "azure-native:containerregistry:Registry", undefined, (r) => (r.inputs.dataEndpointEnabled = false), "r5-acr-dedicated-data-endpoints"],
    ["S5 data lake without read logging", "prd-uaenorth", "azure-native:monitor:DiagnosticSetting", "st-blob-diag", (r) => (r.inputs.logs = (r.inputs.logs as any[]).filter((l) => l.category !== "StorageRead")), "s5-storage-request-logging"],
    ["S6 data lake with local users", "dev-uaenorth", "azure-native:storage:StorageAccount", undefined, (r) => (r.inputs.isLocalUserEnabled = true), "s6-storage-local-users-disabled"],
    ["S7 prd data lake locally redundant", "prd-uaenorth", "azure-native:storage:StorageAccount", undefined, (r) => ((r.inputs.sku as any).name = "Standard_LRS"), "s7-storage-geo-redundant-prd"],
    ["W4 custom role with * actions", "prd-uaenorth", "azure-native:authorization:RoleDefinition", undefined, (r) => (r.inputs.permissions as any[])[0].actions.push("*"), "w4-no-wildcard-custom-role"],
    ["D1 hub without Defender for Resource Manager", "hub-uaenorth", "azure-native:security:Pricing", "arm", (r, doc) => doc.deployment.resources.splice(doc.deployment.resources.indexOf(r), 1), "d1-defender-plans"],
    ["N2 subnet without NSG", "prd-uaenorth", "azure-native:network:Subnet", "system", (r) => delete r.inputs.networkSecurityGroup, "n2-subnet-has-nsg"],
    ["W1 vault without private endpoint", "prd-uaenorth", "azure-native:network:PrivateEndpoint", "kv-pe", (r, doc) => doc.deployment.resources.splice(doc.deployment.resources.indexOf(r), 1), "w1-private-endpoint-required"],
    ["W2 unprotected vault", "prd-uaenorth", "azure-native:keyvault:Vault", undefined, (r) => delete r.protect, "w2-prd-stateful-protected"],
    ["W3 subscription Owner", "prd-uaenorth", "azure-native:authorization:RoleAssignment", undefined, (r) => Object.assign(r.inputs, { scope: "/subscriptions/7d2f4e1a-5b3c-4d6e-8f90-a1b2c3d4e5f6", roleDefinitionId: "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635" }), "w3-no-subscription-owner-assignment"],
    ["N3 hub firewall policy threat intel alert only", "hub-uaenorth", "azure-native:network:FirewallPolicy", undefined, (r) => (r.inputs.threatIntelMode = "Alert"), "n3-firewall-policy-threat-intel-idps"],
    ["N3 hub firewall policy IDPS off", "hub-uaenorth", "azure-native:network:FirewallPolicy", undefined, (r) => delete r.inputs.intrusionDetection, "n3-firewall-policy-threat-intel-idps"],
    ["N4 hub firewall without policy", "hub-uaenorth", "azure-native:network:AzureFirewall", undefined, (r) => delete r.inputs.firewallPolicy, "n4-firewall-uses-policy"],
];

describe("single-field mutants of the planned stacks", () => {
    test.each(MUTANTS)("%s", (_t, stack, type, which, mutate, expected) => {
        const doc = structuredClone(loadPlan(stack));
        const candidates = doc.deployment.resources.filter((r) => r.type === type && (which === undefined || r.urn.endsWith(which)));
        expect(candidates.map((r) => r.type).slice(0, 1)).toEqual([type]); // the program declares it
        mutate(candidates[0], doc);
        expect([...new Set(mandatoryLines(doc).map((l) => l.split(" ")[0]))].sort()).toEqual([expected].flat());
    });
});
