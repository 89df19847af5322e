/**
 * What each principal of a planned stack must be able to do, derived from the plan itself (the resources the stack
 * declares and the cluster's own settings), each requirement naming the upstream fact it rests on. The permissions
 * report checks these against the access model; the same list bounds "unneeded" grants.
 */
import type { ExportResource } from "../plan/export";
import { esoSecretNames } from "../../components/secrets/eso-reads";
import { actionMatches, writesOf } from "./roles";
import { type AccessModel, canWriteAssignment, covers, type Grant, grantsFor, type Principal, principalsOf, resourceName } from "./model";

export interface Requirement {
    /** Stable rule name printed with a failure. */
    rule: string;
    principal: Principal;
    action: string;
    data?: boolean;
    /** ARM id the action is performed on. */
    target: string;
    /** What breaks without it, and the upstream source. */
    why: string;
}

export const SOURCES = {
    refresh: "every preview/up/drift refreshes each resource (GET): Pulumi refresh, pipeline issue 14 §3",
    assign: "Learn role-based-access-control/delegate-role-assignments-overview.md (roleAssignments/write under the ABAC condition)",
    zoneGroup: "Learn private-link/rbac-permissions.md (privateDnsZones/join/action for a private endpoint's DNS zone group)",
    peering: "Learn virtual-network/virtual-network-manage-peering.md#permissions (virtualNetworks/peer/action on the remote VNet)",
    vnetLink: "Learn dns/private-dns-virtual-network-links.md (virtualNetworks/join/action on the linked VNet)",
    subnet: "Learn aks/configure-azure-cni.md, aks/use-managed-identity.md (subnets/join/action and subnets/read on every cluster subnet)",
    routeTable: "Learn aks/egress-outboundtype.md (userDefinedRouting: the control plane reads and writes the subnets' route table)",
    privateDns: "Learn aks/private-clusters.md (BYO private DNS zone: records and the VNet link are written by the control-plane identity)",
    publicIp: "Learn aks/static-ip.md, Azure/AKS#921 (cloud-provider-azure lists public IPs in the IP's resource group, then joins the IP)",
    acrPull: "Learn aks/cluster-container-registry-integration.md (kubelet identity AcrPull)",
    diskEncryption: "Learn aks/azure-disk-customer-managed-keys.md (the cluster identity reads the disk encryption set its node disks use)",
} as const;

const lower = (s: string) => s.toLowerCase();

/** ARM resource type of an id, e.g. Microsoft.Network/virtualNetworks/subnets (extension resources: the last provider). */
export function armTypeOf(id: string): string {
    const i = id.toLowerCase().lastIndexOf("/providers/");
    if (i < 0) return /\/resourcegroups\/[^/]+$/i.test(id) ? "Microsoft.Resources/subscriptions/resourceGroups" : "Microsoft.Resources/subscriptions";
    const parts = id.slice(i + "/providers/".length).split("/");
    return [parts[0], ...parts.slice(1).filter((_, k) => k % 2 === 0)].join("/");
}

/** Role assignments the break-glass Owner creates (the pipeline's own rights) and custom role definitions: read-only to the pipeline. */
function bootstrapOnly(r: ExportResource, pipelineId: string): boolean {
    if (r.type === "azure-native:authorization:RoleDefinition") return true;
    return r.type === "azure-native:authorization:RoleAssignment" && lower(String((r.inputs as any).principalId)) === lower(pipelineId);
}

/** The ARM id a resource's permission checks apply at (role assignments and definitions: their scope). */
function targetOf(r: ExportResource): string | undefined {
    const i = r.inputs as any;
    if (r.type === "azure-native:authorization:RoleAssignment" || r.type === "azure-native:authorization:RoleDefinition") return String(i.scope);
    const id = String(r.id ?? "");
    return id.startsWith("/subscriptions/") ? id : undefined;
}

function substitute(model: AccessModel): Record<string, string> {
    const flux = model.resources.find((r) => r.type === "azure-native:kubernetesconfiguration:FluxConfiguration");
    const ks = Object.values(((flux?.inputs as any)?.kustomizations ?? {}) as Record<string, any>);
    return (ks.find((k) => k.postBuild?.substitute)?.postBuild.substitute ?? {}) as Record<string, string>;
}

function pipelineRequirements(model: AccessModel, pipeline: Principal): Requirement[] {
    const out: Requirement[] = [];
    for (const r of model.resources) {
        if (!r.custom || r.external || !r.type.startsWith("azure-native:")) continue;
        const target = targetOf(r);
        if (!target) continue;
        const type = armTypeOf(String(r.id ?? target));
        const name = resourceName(r.urn);
        out.push({ rule: "pipeline-refresh", principal: pipeline, action: `${type}/read`, target, why: `read ${name} (${SOURCES.refresh})` });
        if (r.type === "azure-native:authorization:RoleAssignment" || bootstrapOnly(r, pipeline.id)) continue;
        out.push({ rule: "pipeline-update", principal: pipeline, action: `${type}/write`, target, why: `update ${name}` });
        const i = r.inputs as any;
        if (r.type === "azure-native:network:PrivateDnsZoneGroup") {
            for (const c of i.privateDnsZoneConfigs ?? []) out.push({ rule: "pipeline-zone-group", principal: pipeline, action: "Microsoft.Network/privateDnsZones/join/action", target: String(c.privateDnsZoneId), why: `${name} registers its endpoint in the zone (${SOURCES.zoneGroup})` });
        }
        if (r.type === "azure-native:network:VirtualNetworkPeering" && i.remoteVirtualNetwork?.id) {
            out.push({ rule: "pipeline-peering", principal: pipeline, action: "Microsoft.Network/virtualNetworks/peer/action", target: String(i.remoteVirtualNetwork.id), why: `${name} peers with the remote VNet (${SOURCES.peering})` });
        }
        if (r.type === "azure-native:privatedns:VirtualNetworkLink" && i.virtualNetwork?.id) {
            out.push({ rule: "pipeline-zone-link", principal: pipeline, action: "Microsoft.Network/virtualNetworks/join/action", target: String(i.virtualNetwork.id), why: `${name} links the VNet (${SOURCES.vnetLink})` });
        }
    }
    return out;
}

/** Role assignments the pipeline writes (all but its own): allowed by its RBAC Administrator's condition? */
export function unassignable(model: AccessModel, pipeline: Principal): Grant[] {
    return model.grants.filter((g) => !g.shared && lower(g.principalId) !== lower(pipeline.id) && !canWriteAssignment(model, pipeline.id, g));
}

function subnetIdByName(model: AccessModel, name: string): string | undefined {
    return model.resources.find((r) => r.type === "azure-native:network:Subnet" && (r.inputs as any).subnetName === name)?.id;
}

function clusterRequirements(model: AccessModel): Requirement[] {
    const out: Requirement[] = [];
    const vars = substitute(model);
    for (const c of model.resources.filter((r) => r.type === "azure-native:containerservice:ManagedCluster")) {
        const i = c.inputs as any;
        const idId = lower(String(i.identity?.userAssignedIdentities?.[0] ?? ""));
        const principal = principalsOf(model, "aks-control-plane").find((p) => model.resources.some((r) => lower(String(r.id ?? "")) === idId && (r.outputs as any).principalId === p.id));
        if (!principal) continue;
        const poolSubnets = [...(i.agentPoolProfiles ?? []).map((p: any) => p.vnetSubnetID), ...model.resources.filter((r) => r.type === "azure-native:containerservice:AgentPool").map((p) => (p.inputs as any).vnetSubnetID)];
        const internal = vars.ingress_internal_subnet ? subnetIdByName(model, vars.ingress_internal_subnet) : undefined;
        const subnets = [...new Set([...poolSubnets, i.apiServerAccessProfile?.subnetId, internal].filter(Boolean).map(String))];
        const req = (rule: string, action: string, target: string, why: string) => out.push({ rule, principal, action, target, why });
        for (const s of subnets) {
            req("aks-subnet", "Microsoft.Network/virtualNetworks/subnets/join/action", s, SOURCES.subnet);
            req("aks-subnet", "Microsoft.Network/virtualNetworks/subnets/read", s, SOURCES.subnet);
            const rt = model.resources.find((r) => r.type === "azure-native:network:Subnet" && lower(String(r.id)) === lower(s));
            const rtId = (rt?.inputs as any)?.routeTable?.id;
            if (rtId && i.networkProfile?.outboundType === "userDefinedRouting") {
                req("aks-route-table", "Microsoft.Network/routeTables/read", String(rtId), SOURCES.routeTable);
                req("aks-route-table", "Microsoft.Network/routeTables/write", String(rtId), SOURCES.routeTable);
            }
        }
        const zone = i.apiServerAccessProfile?.privateDNSZone;
        if (zone && !["system", "none"].includes(String(zone).toLowerCase())) {
            req("aks-private-dns", "Microsoft.Network/privateDnsZones/A/write", String(zone), SOURCES.privateDns);
            req("aks-private-dns", "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write", String(zone), SOURCES.privateDns);
            const vnet = subnets.find((s) => /\/subnets\//i.test(s))?.replace(/\/subnets\/[^/]+$/i, "");
            if (vnet) req("aks-private-dns", "Microsoft.Network/virtualNetworks/join/action", vnet, SOURCES.privateDns);
        }
        if (i.diskEncryptionSetID) req("aks-disk-encryption-set", "Microsoft.Compute/diskEncryptionSets/read", String(i.diskEncryptionSetID), SOURCES.diskEncryption);
        if (vars.ingress_public_ip_name && vars.ingress_public_ip_resource_group) {
            const sub = String(c.id).split("/resourceGroups/")[0];
            const group = `${sub}/resourceGroups/${vars.ingress_public_ip_resource_group}`;
            req("aks-public-ip", "Microsoft.Network/publicIPAddresses/read", group, SOURCES.publicIp);
            req("aks-public-ip", "Microsoft.Network/publicIPAddresses/join/action", `${group}/providers/Microsoft.Network/publicIPAddresses/${vars.ingress_public_ip_name}`, SOURCES.publicIp);
        }
    }
    for (const kubelet of principalsOf(model, "kubelet")) {
        for (const reg of model.resources.filter((r) => r.type === "azure-native:containerregistry:Registry")) {
            out.push({ rule: "kubelet-acr-pull", principal: kubelet, action: "Microsoft.ContainerRegistry/registries/pull/read", target: String(reg.id), why: SOURCES.acrPull });
        }
    }
    return out;
}

/**
 * What each workload needs, by service account (what its software does — not the grant table it is checked
 * against). Any data write beyond it, and any control-plane write, is an unneeded write.
 */
export const WORKLOAD_NEEDS: Record<string, { container?: string; secrets?: true; dataActions: string[] }[]> = {
    // The store's own service account (not the ESO controller's): only the ClusterSecretStore authenticates as it.
    // `secrets`: each secret the cluster's ExternalSecrets read (esoSecretNames, from the GitOps tree), one by one.
    "external-secrets/key-vault-reader": [{ secrets: true, dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"] }],
    "mlflow/mlflow": [{ container: "mlflow", dataActions: BLOB_RW() }],
    "ai-serving/model-loader": [{ container: "models", dataActions: [BLOB("read")] }],
    "monitoring/loki": [{ container: "logs", dataActions: BLOB_RW() }],
    "monitoring/tempo": [{ container: "traces", dataActions: BLOB_RW() }],
    "argo/argo-workflow": [
        { container: "argo-artifacts", dataActions: BLOB_RW() },
        { container: "datasets", dataActions: [BLOB("read")] },
        { container: "models", dataActions: [BLOB("read")] },
        { container: "inference-logs", dataActions: [BLOB("read")] },
    ],
    // Creates blobs only (upload without overwrite): the blob data appender role.
    "ai-serving/inference-log-collector": [{ container: "inference-logs", dataActions: [BLOB("write")] }],
    // In every team namespace (the notebook identity's tenantServiceAccount): data scientists read datasets and models.
    "<team>/notebook": [{ container: "datasets", dataActions: [BLOB("read")] }, { container: "models", dataActions: [BLOB("read")] }],
};

/** Needs of `<namespace>/<serviceAccount>`: its own entry, else the entry every team namespace shares (`<team>/<sa>`). */
export function workloadNeeds(sa: string): (typeof WORKLOAD_NEEDS)[string] {
    return WORKLOAD_NEEDS[sa] ?? WORKLOAD_NEEDS[`<team>/${sa.split("/")[1]}`] ?? [];
}
function BLOB(verb: string): string {
    return `Microsoft.Storage/storageAccounts/blobServices/containers/blobs/${verb}`;
}
function BLOB_RW(): string[] {
    return [BLOB("read"), BLOB("write"), BLOB("delete")];
}

function workloadRequirements(model: AccessModel): Requirement[] {
    const out: Requirement[] = [];
    const vault = model.resources.find((r) => r.type === "azure-native:keyvault:Vault")?.id;
    const container = (name: string) => model.resources.find((r) => r.type === "azure-native:storage:BlobContainer" && (r.inputs as any).containerName === name)?.id;
    let secrets: string[] | undefined;
    const read = () => (secrets ??= vault ? esoSecretNames(model.stack, substitute(model)).map((n) => `${vault}/secrets/${n}`) : []);
    for (const w of principalsOf(model, "workload")) {
        for (const subject of w.subjects ?? []) {
            const sa = subject.replace("system:serviceaccount:", "").replace(":", "/");
            for (const need of workloadNeeds(sa)) {
                const targets = need.secrets ? read() : [container(need.container!)].filter((t): t is string => !!t);
                for (const target of targets) {
                    for (const a of need.dataActions) {
                        out.push({ rule: "workload-data", principal: w, action: a, data: true, target, why: `${sa} ${/read|getSecret/.test(a) ? "reads" : "writes"} ${need.secrets ? `secret ${target.split("/").pop()} (an ExternalSecret of the tree reads it)` : `container ${need.container}`}` });
                    }
                }
            }
        }
    }
    return out;
}

export function requirementsOf(model: AccessModel): Requirement[] {
    const pipeline = principalsOf(model, "pipeline")[0];
    const all = [...(pipeline ? pipelineRequirements(model, pipeline) : []), ...clusterRequirements(model), ...workloadRequirements(model)];
    // One requirement per principal, action and target (subnets sharing a route table need it once).
    const seen = new Set<string>();
    return all.filter((r) => {
        const key = `${r.principal.id}|${r.action}|${r.data ? "data" : ""}|${lower(r.target)}`;
        return !seen.has(key) && !!seen.add(key);
    });
}

export interface Finding {
    rule: string;
    message: string;
}

/** Missing required actions, role assignments the pipeline cannot write, and writes nobody needs. */
export function permissionFindings(model: AccessModel, reqs: Requirement[] = requirementsOf(model)): Finding[] {
    const findings: Finding[] = [];
    for (const r of reqs) {
        if (!grantsFor(model, r.principal.id, r.action, r.target, r.data).length) {
            findings.push({ rule: r.rule, message: `${r.principal.label} cannot ${r.action} on ${r.target}: ${r.why}` });
        }
    }
    const pipeline = principalsOf(model, "pipeline")[0];
    if (pipeline) {
        for (const g of unassignable(model, pipeline)) {
            findings.push({ rule: "pipeline-assign", message: `${pipeline.label} cannot write role assignment ${g.name} (${g.role?.roleName ?? g.roleGuid} → ${model.principals.get(lower(g.principalId))?.label ?? g.principalId}): its RBAC Administrator condition does not allow that role and principal (${SOURCES.assign})` });
        }
    }
    // Unneeded writes: identities the stack creates hold only what some requirement of theirs uses.
    for (const g of model.grants) {
        const p = model.principals.get(lower(g.principalId));
        if (!p || !["aks-control-plane", "kubelet", "workload"].includes(p.kind) || !g.role) continue;
        const mine = reqs.filter((r) => r.principal === p && covers(g.scope, r.target));
        if (!mine.length) {
            findings.push({ rule: "unneeded-grant", message: `${p.label} holds ${g.role.roleName} on ${g.scope} (${g.name}) but needs nothing there` });
            continue;
        }
        if (p.kind !== "workload") continue;
        // A workload needs data actions only: every control-plane write, and every data write it does not use, is unneeded.
        const role = g.role;
        for (const p2 of role.permissions) {
            for (const a of writesOf({ ...role, permissions: [{ ...p2, dataActions: [] }] })) {
                findings.push({ rule: "unneeded-write", message: `${p.label} may ${a} on ${g.scope} through ${role.roleName} (${g.name}) but needs no control-plane write` });
            }
            for (const a of p2.dataActions.filter((x) => !/\/read$/i.test(x))) {
                const used = mine.some((r) => r.data && actionMatches(a, r.action));
                if (!used) findings.push({ rule: "unneeded-write", message: `${p.label} may ${a} on ${g.scope} through ${role.roleName} (${g.name}) but does not need it` });
            }
        }
    }
    return findings;
}
