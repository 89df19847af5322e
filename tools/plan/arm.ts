/**
 * What Azure would answer, offline: ARM ids and the computed properties a real deployment returns, per resource
 * type, so the program's data flow (ids, client ids, login servers, private IPs) looks as it does for real.
 * Values are deterministic (derived from names), so plans are reproducible and diffable.
 */
import { createHash } from "crypto";
import * as ipaddr from "ipaddr.js";

export const SUBSCRIPTION_ID = "7d2f4e1a-5b3c-4d6e-8f90-a1b2c3d4e5f6";
export const TENANT_ID = "1c9e8d7f-6a5b-4c3d-9e2f-0a1b2c3d4e5f";
/** The identity running the deployment (the pipeline's service principal in CI). */
export const DEPLOYER_OBJECT_ID = "9c8d7e6f-5a4b-4c3d-9e2f-1a0b9c8d7e03";
export const DEPLOYER_CLIENT_ID = "4b3a2c1d-0e9f-4a8b-8c7d-6e5f4a3b2c1d";

/** A stable GUID from a seed (sha1, RFC 4122 variant bits), like the ids Azure hands out. */
export function guid(seed: string): string {
    const h = createHash("sha1").update(seed).digest("hex");
    const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const NAMESPACES: Record<string, string> = {
    resources: "Microsoft.Resources",
    network: "Microsoft.Network",
    privatedns: "Microsoft.Network",
    containerservice: "Microsoft.ContainerService",
    containerregistry: "Microsoft.ContainerRegistry",
    keyvault: "Microsoft.KeyVault",
    storage: "Microsoft.Storage",
    operationalinsights: "Microsoft.OperationalInsights",
    managedidentity: "Microsoft.ManagedIdentity",
    authorization: "Microsoft.Authorization",
    monitor: "Microsoft.Insights",
    insights: "Microsoft.Insights",
    alertsmanagement: "Microsoft.AlertsManagement",
    kubernetesconfiguration: "Microsoft.KubernetesConfiguration",
    consumption: "Microsoft.Consumption",
    costmanagement: "Microsoft.CostManagement",
    dbforpostgresql: "Microsoft.DBforPostgreSQL",
    automation: "Microsoft.Automation",
    logic: "Microsoft.Logic",
    dashboard: "Microsoft.Dashboard",
    monitorworkspace: "Microsoft.Monitor",
    security: "Microsoft.Security",
};

/** ARM segment names that the plural rule below gets wrong. */
const SEGMENTS: Record<string, string> = {
    "privatedns:PrivateZone": "privateDnsZones",
    "network:PublicIPAddress": "publicIPAddresses",
    "network:AzureFirewall": "azureFirewalls",
    "monitor:AzureMonitorWorkspace": "accounts",
    "authorization:ManagementLockByScope": "locks",
    "authorization:ManagementLockAtResourceGroupLevel": "locks",
};

function pluralSegment(cls: string): string {
    const lower = cls[0].toLowerCase() + cls.slice(1);
    if (/[^aeiou]y$/.test(lower)) return lower.slice(0, -1) + "ies";
    if (/(s|x|ch|sh)$/.test(lower)) return lower + "es";
    return lower + "s";
}

/**
 * Child resources: the parent's segment and name input, then the child's segment and name input.
 * `{...}` in a segment is replaced from inputs (e.g. record type of a DNS record set).
 */
const CHILDREN: Record<string, [string, string, string, string]> = {
    "network:Subnet": ["virtualNetworks", "virtualNetworkName", "subnets", "subnetName"],
    "network:SecurityRule": ["networkSecurityGroups", "networkSecurityGroupName", "securityRules", "securityRuleName"],
    "network:Route": ["routeTables", "routeTableName", "routes", "routeName"],
    "network:VirtualNetworkPeering": ["virtualNetworks", "virtualNetworkName", "virtualNetworkPeerings", "virtualNetworkPeeringName"],
    "network:FirewallPolicyRuleCollectionGroup": ["firewallPolicies", "firewallPolicyName", "ruleCollectionGroups", "ruleCollectionGroupName"],
    "network:PrivateDnsZoneGroup": ["privateEndpoints", "privateEndpointName", "privateDnsZoneGroups", "privateDnsZoneGroupName"],
    "privatedns:VirtualNetworkLink": ["privateDnsZones", "privateZoneName", "virtualNetworkLinks", "virtualNetworkLinkName"],
    "privatedns:PrivateRecordSet": ["privateDnsZones", "privateZoneName", "{recordType}", "relativeRecordSetName"],
    "containerservice:AgentPool": ["managedClusters", "resourceName", "agentPools", "agentPoolName"],
    "containerservice:MaintenanceConfiguration": ["managedClusters", "resourceName", "maintenanceConfigurations", "configName"],
    "storage:BlobContainer": ["storageAccounts", "accountName", "blobServices/default/containers", "containerName"],
    "storage:BlobServiceProperties": ["storageAccounts", "accountName", "blobServices", "blobServicesName"],
    "storage:ManagementPolicy": ["storageAccounts", "accountName", "managementPolicies", "managementPolicyName"],
    "keyvault:Secret": ["vaults", "vaultName", "secrets", "secretName"],
    "keyvault:Key": ["vaults", "vaultName", "keys", "keyName"],
    "managedidentity:FederatedIdentityCredential": ["userAssignedIdentities", "resourceName", "federatedIdentityCredentials", "federatedIdentityCredentialResourceName"],
    "containerregistry:Replication": ["registries", "registryName", "replications", "replicationName"],
    "automation:Runbook": ["automationAccounts", "automationAccountName", "runbooks", "runbookName"],
    "automation:Schedule": ["automationAccounts", "automationAccountName", "schedules", "scheduleName"],
    "automation:JobSchedule": ["automationAccounts", "automationAccountName", "jobSchedules", "jobScheduleId"],
    "dbforpostgresql:Database": ["flexibleServers", "serverName", "databases", "databaseName"],
    "dbforpostgresql:Configuration": ["flexibleServers", "serverName", "configurations", "configurationName"],
    "dbforpostgresql:Administrator": ["flexibleServers", "serverName", "administrators", "objectId"],
};

/** Resources addressed under another resource's id (`scope` / `resourceUri` / a cluster) rather than a group. */
const SCOPED: Record<string, [scopeInput: string, nameInput: string]> = {
    "authorization:RoleAssignment": ["scope", "roleAssignmentName"],
    "authorization:ManagementLockByScope": ["scope", "lockName"],
    "authorization:RoleDefinition": ["scope", "roleDefinitionId"],
    "monitor:DiagnosticSetting": ["resourceUri", "name"],
    "consumption:Budget": ["scope", "budgetName"],
    "security:Pricing": ["scopeId", "pricingName"],
    "monitor:DataCollectionRuleAssociation": ["resourceUri", "associationName"],
};

/** Name inputs that don't follow `<class>Name` (azure-native keeps the REST API's spelling). */
const NAME_INPUTS: Record<string, string> = {
    "network:IpGroup": "ipGroupsName",
    "network:PublicIPAddress": "publicIpAddressName",
    "storage:StorageAccount": "accountName",
};

const TOP_LEVEL_SEGMENT_OVERRIDE: Record<string, string> = {
    "dbforpostgresql:Server": "flexibleServers",
};

function str(v: unknown): string | undefined {
    return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** The name Azure gives a resource: its explicit name input if any, else the Pulumi logical name. */
export function azureName(moduleAndClass: string, inputs: Record<string, any>, logicalName: string): string {
    const cls = moduleAndClass.split(":")[1];
    const child = CHILDREN[moduleAndClass];
    const scoped = SCOPED[moduleAndClass];
    const key = child?.[3] ?? scoped?.[1] ?? NAME_INPUTS[moduleAndClass] ?? `${cls[0].toLowerCase()}${cls.slice(1)}Name`;
    return str(inputs[key]) ?? str(inputs.resourceName) ?? str(inputs.name) ?? logicalName;
}

export function armId(type: string, inputs: Record<string, any>, logicalName: string): string {
    const [, mod, cls] = type.split(":");
    const key = `${mod}:${cls}`;
    const name = azureName(key, inputs, logicalName);
    const ns = NAMESPACES[mod] ?? `Microsoft.${mod[0].toUpperCase()}${mod.slice(1)}`;
    const sub = `/subscriptions/${SUBSCRIPTION_ID}`;
    if (key === "resources:ResourceGroup") return `${sub}/resourceGroups/${name}`;
    // Custom role definitions are addressed at the subscription whatever scope they were created at.
    if (key === "authorization:RoleDefinition") return `${sub}/providers/Microsoft.Authorization/roleDefinitions/${inputs.roleDefinitionId ?? name}`;
    const scoped = SCOPED[key];
    if (scoped) {
        const scope = str(inputs[scoped[0]]) ?? sub;
        return `${scope}/providers/${ns}/${SEGMENTS[key] ?? pluralSegment(cls)}/${name}`;
    }
    if (key === "kubernetesconfiguration:Extension" || key === "kubernetesconfiguration:FluxConfiguration") {
        const cluster = `${sub}/resourceGroups/${inputs.resourceGroupName}/providers/${inputs.clusterRp ?? "Microsoft.ContainerService"}/${inputs.clusterResourceName ?? "managedClusters"}/${inputs.clusterName}`;
        return `${cluster}/providers/${ns}/${key.endsWith("Extension") ? "extensions" : "fluxConfigurations"}/${name}`;
    }
    const rg = `${sub}/resourceGroups/${inputs.resourceGroupName ?? "unknown"}/providers/${ns}`;
    const child = CHILDREN[key];
    if (child) {
        const childSegment = child[2].replace(/\{(\w+)\}/g, (_, k) => String(inputs[k] ?? k));
        return `${rg}/${child[0]}/${inputs[child[1]]}/${childSegment}/${name}`;
    }
    return `${rg}/${TOP_LEVEL_SEGMENT_OVERRIDE[key] ?? SEGMENTS[key] ?? pluralSegment(cls)}/${name}`;
}

/** Subnet prefixes seen so far in this plan, by subnet id, so a firewall can be given its real private IP. */
export class AddressBook {
    private readonly subnets = new Map<string, string>();
    private readonly publicIps = new Set<string>();

    rememberSubnet(id: string, prefix: unknown) {
        if (typeof prefix === "string") this.subnets.set(id, prefix);
    }
    /** Azure hands out the 4th address of a subnet first (the first 3 after the network address are reserved). */
    firstHostIn(subnetId: unknown, offset = 4): string | undefined {
        const prefix = typeof subnetId === "string" ? this.subnets.get(subnetId) : undefined;
        if (!prefix) return undefined;
        const bytes = ipaddr.IPv4.networkAddressFromCIDR(prefix).toByteArray();
        bytes[3] += offset;
        return ipaddr.fromByteArray(bytes).toString();
    }
    /** Public IPs from the RFC 5737 documentation range: obviously not real, stable per name. */
    publicIp(seed: string): string {
        const h = createHash("sha1").update(seed).digest();
        let last = (h[0] % 250) + 2;
        while (this.publicIps.has(`203.0.113.${last}`)) last = (last % 250) + 2;
        this.publicIps.add(`203.0.113.${last}`);
        return `203.0.113.${last}`;
    }
}

function deepMerge(base: any, extra: any): any {
    if (typeof base !== "object" || base === null || Array.isArray(base)) return extra;
    const out = { ...base };
    for (const [k, v] of Object.entries(extra)) out[k] = k in base ? deepMerge(base[k], v) : v;
    return out;
}

/** Computed properties by type: what Azure fills in that the program reads back. */
export function computedOutputs(type: string, inputs: Record<string, any>, id: string, name: string, book: AddressBook, location: string): Record<string, unknown> {
    const [, mod, cls] = type.split(":");
    const key = `${mod}:${cls}`;
    const base: Record<string, unknown> = { name, type: `${NAMESPACES[mod] ?? mod}/${pluralSegment(cls)}`, provisioningState: "Succeeded" };
    const extra: Record<string, unknown> = (() => {
        switch (key) {
            case "managedidentity:UserAssignedIdentity":
                return { clientId: guid(`client:${id}`), principalId: guid(`principal:${id}`), tenantId: TENANT_ID };
            case "operationalinsights:Workspace":
                return { customerId: guid(`workspace:${id}`) };
            case "keyvault:Vault":
                return { properties: { vaultUri: `https://${name}.vault.azure.net/` } };
            case "keyvault:Key":
                return { keyUri: `https://${inputs.vaultName}.vault.azure.net/keys/${name}`, keyUriWithVersion: `https://${inputs.vaultName}.vault.azure.net/keys/${name}/${guid(id).replace(/-/g, "")}` };
            case "keyvault:Secret":
                return { properties: { secretUri: `https://${inputs.vaultName}.vault.azure.net/secrets/${name}`, secretUriWithVersion: `https://${inputs.vaultName}.vault.azure.net/secrets/${name}/${guid(id).replace(/-/g, "")}` } };
            case "containerregistry:Registry":
                return { loginServer: `${name}.azurecr.io` };
            case "storage:StorageAccount":
                return {
                    primaryEndpoints: {
                        blob: `https://${name}.blob.core.windows.net/`,
                        dfs: `https://${name}.dfs.core.windows.net/`,
                        file: `https://${name}.file.core.windows.net/`,
                    },
                };
            case "network:Subnet":
                book.rememberSubnet(id, inputs.addressPrefix);
                return {};
            case "network:AzureFirewall":
                return {
                    ipConfigurations: (inputs.ipConfigurations ?? []).map((c: any, i: number) => ({
                        ...c,
                        privateIPAddress: i === 0 ? book.firstHostIn(c.subnet?.id) : undefined,
                    })),
                };
            case "network:PublicIPAddress":
                return { ipAddress: book.publicIp(id) };
            case "network:PrivateEndpoint":
                return { customDnsConfigs: [{ ipAddresses: [book.firstHostIn(inputs.subnet?.id) ?? "10.0.0.4"] }] };
            case "containerservice:ManagedCluster": {
                const clusterGuid = guid(`cluster:${id}`);
                return {
                    privateFQDN: `${inputs.dnsPrefix}-${clusterGuid.slice(0, 8)}.${clusterGuid}.privatelink.${location}.azmk8s.io`,
                    currentKubernetesVersion: inputs.kubernetesVersion,
                    nodeResourceGroup: inputs.nodeResourceGroup ?? `MC_${inputs.resourceGroupName}_${name}_${location}`,
                    oidcIssuerProfile: { issuerURL: `https://${location}.oic.prod-aks.azure.com/${TENANT_ID}/${clusterGuid}/` },
                    identityProfile: {
                        kubeletidentity: {
                            clientId: guid(`kubelet-client:${id}`),
                            objectId: guid(`kubelet-object:${id}`),
                            resourceId: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/MC_${inputs.resourceGroupName}_${name}_${location}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}-agentpool`,
                        },
                    },
                };
            }
            case "kubernetesconfiguration:Extension":
                return { aksAssignedIdentity: { principalId: guid(`ext:${id}`), tenantId: TENANT_ID }, currentVersion: inputs.version };
            default:
                return {};
        }
    })();
    return deepMerge(deepMerge(inputs, base), extra);
}

/** Provider functions the program calls, answered as Azure would for the deploying identity. */
export function callResult(token: string, inputs: Record<string, any>): Record<string, unknown> {
    switch (token) {
        case "azure-native:authorization:getClientConfig":
            return { clientId: DEPLOYER_CLIENT_ID, objectId: DEPLOYER_OBJECT_ID, subscriptionId: SUBSCRIPTION_ID, tenantId: TENANT_ID };
        case "azure-native:resources:getResourceGroup":
            return { id: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${inputs.resourceGroupName}`, name: inputs.resourceGroupName, location: "uaenorth" };
        default:
            throw new Error(`the offline plan has no answer for function ${token}; add one to tools/plan/arm.ts callResult`);
    }
}
