/**
 * policies/README.md's "Checkov check → our rule or why not" table covers every Checkov Azure check whose Terraform
 * resource type matches a type the stacks deploy (from the vendored Checkov index), and each row either names pack
 * rules that cite the check in their description or says why the check is not adopted.
 */
import * as fs from "fs";
import * as path from "path";
import index from "../../policies/upstream/checkov-azure.json";
import { rules } from "../../policies/pack";
import { parseCheckovIndex } from "../../tools/policy/refresh-checkov-index";
import { freshnessNow } from "../support/clock";
import { ALL_STACKS, resources } from "../support/plan";

/** azure-native type → the Terraform azurerm types Checkov checks for the same Azure resource (none: []). */
const TERRAFORM_TYPES: Record<string, string[]> = {
    "azure-native:authorization:ManagementLockByScope": ["azurerm_management_lock"],
    "azure-native:authorization:RoleAssignment": ["azurerm_role_assignment"],
    "azure-native:authorization:RoleDefinition": ["azurerm_role_definition"],
    "azure-native:compute:DiskEncryptionSet": ["azurerm_disk_encryption_set"],
    "azure-native:consumption:Budget": ["azurerm_consumption_budget_resource_group", "azurerm_consumption_budget_subscription"],
    "azure-native:containerregistry:Registry": ["azurerm_container_registry"],
    "azure-native:containerregistry:Replication": ["azurerm_container_registry"],
    "azure-native:containerregistry:CacheRule": ["azurerm_container_registry_cache_rule"],
    "azure-native:containerservice:AgentPool": ["azurerm_kubernetes_cluster_node_pool"],
    "azure-native:containerservice:MaintenanceConfiguration": ["azurerm_kubernetes_cluster"],
    "azure-native:containerservice:ManagedCluster": ["azurerm_kubernetes_cluster"],
    "azure-native:keyvault:Key": ["azurerm_key_vault_key"],
    "azure-native:keyvault:Secret": ["azurerm_key_vault_secret"],
    "azure-native:keyvault:Vault": ["azurerm_key_vault"],
    "azure-native:kubernetesconfiguration:Extension": ["azurerm_kubernetes_cluster_extension"],
    "azure-native:kubernetesconfiguration:FluxConfiguration": ["azurerm_kubernetes_flux_configuration"],
    "azure-native:logic:Workflow": ["azurerm_logic_app_workflow"],
    "azure-native:managedidentity:FederatedIdentityCredential": ["azurerm_federated_identity_credential"],
    "azure-native:managedidentity:UserAssignedIdentity": ["azurerm_user_assigned_identity"],
    "azure-native:monitor:DataCollectionRule": ["azurerm_monitor_data_collection_rule"],
    "azure-native:monitor:DataCollectionRuleAssociation": ["azurerm_monitor_data_collection_rule_association"],
    "azure-native:monitor:DiagnosticSetting": ["azurerm_monitor_diagnostic_setting"],
    "azure-native:network:AzureFirewall": ["azurerm_firewall"],
    "azure-native:network:BastionHost": ["azurerm_bastion_host"],
    "azure-native:network:FirewallPolicy": ["azurerm_firewall_policy"],
    "azure-native:network:FirewallPolicyRuleCollectionGroup": ["azurerm_firewall_policy_rule_collection_group"],
    "azure-native:network:IpGroup": ["azurerm_ip_group"],
    "azure-native:network:NetworkSecurityGroup": ["azurerm_network_security_group", "azurerm_network_security_rule"],
    "azure-native:network:PrivateDnsZoneGroup": ["azurerm_private_endpoint"],
    "azure-native:network:PrivateEndpoint": ["azurerm_private_endpoint"],
    "azure-native:network:PublicIPAddress": ["azurerm_public_ip"],
    "azure-native:network:RouteTable": ["azurerm_route_table"],
    "azure-native:network:Subnet": ["azurerm_subnet"],
    "azure-native:network:VirtualNetwork": ["azurerm_virtual_network"],
    "azure-native:network:VirtualNetworkPeering": ["azurerm_virtual_network_peering"],
    "azure-native:operationalinsights:Workspace": ["azurerm_log_analytics_workspace"],
    "azure-native:privatedns:PrivateRecordSet": ["azurerm_private_dns_a_record"],
    "azure-native:privatedns:PrivateZone": ["azurerm_private_dns_zone"],
    "azure-native:privatedns:VirtualNetworkLink": ["azurerm_private_dns_zone_virtual_network_link"],
    "azure-native:resources:ResourceGroup": ["azurerm_resource_group"],
    "azure-native:security:Pricing": ["azurerm_security_center_subscription_pricing"],
    "azure-native:storage:BlobContainer": ["azurerm_storage_container"],
    "azure-native:storage:BlobServiceProperties": ["azurerm_storage_account"],
    "azure-native:storage:StorageAccount": ["azurerm_storage_account"],
};

interface Row {
    id: string;
    cell: string;
}

function table(): Row[] {
    const text = fs.readFileSync(path.resolve(__dirname, "../../policies/README.md"), "utf8");
    return [...text.matchAll(/^\| (CKV2?_AZURE_\d+) \|[^|]*\|[^|]*\| (.*) \|$/gm)].map((m) => ({ id: m[1], cell: m[2] }));
}

const deployedTypes = () => [...new Set(ALL_STACKS.flatMap((s) => resources(s).map((r) => r.type)).filter((t) => t.startsWith("azure-native:")))].sort();

test("the vendored index is Checkov's, parsed as the refresh tool parses it", () => {
    expect(index.source).toMatch(/bridgecrewio\/checkov/);
    expect(index.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(index.checks.length).toBeGreaterThan(300);
    const md = ["| 1 | CKV_AZURE_4 | resource | azurerm_kubernetes_cluster | Ensure AKS logging | Terraform | x |", "| 2 | CKV_K8S_1 | resource | Pod | y | Kubernetes | z |"].join("\n");
    expect(parseCheckovIndex(md)).toEqual([{ id: "CKV_AZURE_4", resource: "azurerm_kubernetes_cluster", title: "Ensure AKS logging" }]);
});

test("the vendored index is within its refresh horizon (re-run tools/policy/refresh-checkov-index.ts, then fix the table)", () => {
    const age = (freshnessNow().getTime() - Date.parse(`${index.retrieved}T00:00:00Z`)) / 86_400_000;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThanOrEqual(index.horizonDays);
});

test("every deployed azure-native type is mapped to its Terraform counterparts (add new types to TERRAFORM_TYPES)", () => {
    const unmapped = deployedTypes().filter((t) => !(t in TERRAFORM_TYPES));
    if (unmapped.length > 0) {
        throw new Error(
            `the stacks now deploy ${unmapped.join(", ")}: add each to TERRAFORM_TYPES in this file with its azurerm resource ` +
                "type(s) ([] if none), then add a row to policies/README.md for every Checkov check policies/upstream/checkov-azure.json lists for them",
        );
    }
});

test("the table covers every Checkov check applicable to the deployed types, and only those", () => {
    const tf = new Set(deployedTypes().flatMap((t) => TERRAFORM_TYPES[t] ?? []));
    const applicable = [...new Set(index.checks.filter((c) => tf.has(c.resource)).map((c) => c.id))].sort();
    expect(table().map((r) => r.id).sort()).toEqual(applicable);
});

test("each row names pack rules that cite the check, or says why it is not adopted", () => {
    const byName = new Map(rules.map((r) => [r.name, r]));
    const problems: string[] = [];
    for (const { id, cell } of table()) {
        if (cell.startsWith("not adopted")) {
            if (!/^not adopted( as a rule)?: \S.{20,}/.test(cell)) problems.push(`${id}: "not adopted" needs a reason`);
            continue;
        }
        const named = [...cell.replace(/\([^)]*\)/g, "").matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]);
        if (named.length === 0) problems.push(`${id}: names no rule`);
        for (const name of named) {
            const rule = byName.get(name);
            if (!rule) problems.push(`${id}: ${name} is not a rule of the pack`);
            else if (!new RegExp(`\\b${id}\\b`).test(rule.description ?? "")) problems.push(`${id}: ${name}'s description does not cite ${id}`);
        }
    }
    expect(problems).toEqual([]);
});
