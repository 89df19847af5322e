/**
 * The deploy-order model: what must exist before what on Azure, checked on a plan's dependency graph.
 *
 * Pulumi creates a resource only after everything it depends on, and deletes it before them; the graph is the
 * export's `dependencies` + `propertyDependencies` (the SDK already expands a component in `dependsOn` into its
 * custom resources) plus the parent when the parent is a custom resource (its children wait for its URN, which
 * resolves when it has been created). A component parent orders nothing. "A after B" holds when B is reachable
 * from A through these edges, transitively.
 *
 * Each constraint names the Azure behaviour that makes the order necessary and where that behaviour is written
 * down; a violation names the constraint, the resource that would start too early and what it must wait for.
 */
import type { ExportResource } from "./export";

export interface OrderViolation {
    constraint: string;
    /** Logical names (last URN segment) of the resource that starts too early and of what it must wait for. */
    resource: string;
    mustWaitFor: string;
    why: string;
}

export interface OrderConstraint {
    id: string;
    /** The order in one line, as the report prints it. */
    rule: string;
    /** Learn page, upstream issue or documented error that makes it necessary. */
    source: string;
    /** The pairs (earlier, later) the plan must order, with a reason each; `later` after `earlier`. */
    pairs(plan: PlanGraph): OrderPair[];
}

export interface OrderPair {
    later: ExportResource;
    /** Undefined when the resource the later one needs is not declared at all. */
    earlier: ExportResource | undefined;
    /** What `earlier` is, when it is missing (e.g. "a link of the API server's private DNS zone to the cluster's VNet"). */
    what: string;
    why: string;
    /** One write at a time is all that is needed: either may come first. */
    eitherWay?: boolean;
}

const T = {
    cluster: "azure-native:containerservice:ManagedCluster",
    agentPool: "azure-native:containerservice:AgentPool",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    roleAssignment: "azure-native:authorization:RoleAssignment",
    peering: "azure-native:network:VirtualNetworkPeering",
    vnetLink: "azure-native:privatedns:VirtualNetworkLink",
    subnet: "azure-native:network:Subnet",
    registry: "azure-native:containerregistry:Registry",
    replication: "azure-native:containerregistry:Replication",
    privateEndpoint: "azure-native:network:PrivateEndpoint",
    ruleCollectionGroup: "azure-native:network:FirewallPolicyRuleCollectionGroup",
    locks: ["azure-native:authorization:ManagementLockByScope", "azure-native:authorization:ManagementLockAtResourceGroupLevel"],
} as const;

export function logicalName(r: ExportResource): string {
    return r.urn.split("::").pop()!;
}

/** ARM ids compare case-insensitively. */
const norm = (id: unknown): string => (typeof id === "string" ? id.toLowerCase() : "");
/** `child` is `scope` itself or lies under it (a resource in a group, a subnet in a VNet, an assignment on a resource). */
const within = (child: string, scope: string) => child === scope || child.startsWith(`${scope}/`);

/** The plan's resources and the "created after" relation between them. */
export class PlanGraph {
    readonly resources: ExportResource[];
    private readonly byUrn = new Map<string, ExportResource>();
    private readonly ancestors = new Map<string, Set<string>>();

    constructor(resources: ExportResource[]) {
        this.resources = resources;
        for (const r of resources) this.byUrn.set(r.urn, r);
    }

    ofType(...types: readonly string[]): ExportResource[] {
        return this.resources.filter((r) => types.includes(r.type) && !r.external);
    }

    /** Declared (not read) Azure resources by lower-cased ARM id. */
    byId(id: unknown): ExportResource | undefined {
        const want = norm(id);
        return want ? this.resources.find((r) => !r.external && norm(r.id) === want) : undefined;
    }

    /** The URNs `r` waits for directly. */
    private direct(r: ExportResource): string[] {
        const deps = [...(r.dependencies ?? []), ...Object.values(r.propertyDependencies ?? {}).flat()];
        const parent = r.parent ? this.byUrn.get(r.parent) : undefined;
        if (parent?.custom) deps.push(parent.urn);
        return deps;
    }

    /** Every URN `urn` waits for, transitively (memoised; the graph is acyclic, as the engine requires). */
    private waitsFor(urn: string): Set<string> {
        const hit = this.ancestors.get(urn);
        if (hit) return hit;
        const out = new Set<string>();
        this.ancestors.set(urn, out);
        const r = this.byUrn.get(urn);
        for (const d of r ? this.direct(r) : []) {
            if (out.has(d)) continue;
            out.add(d);
            for (const a of this.waitsFor(d)) out.add(a);
        }
        return out;
    }

    /** `later` is created only after `earlier` exists (and deleted before it). */
    after(later: ExportResource, earlier: ExportResource): boolean {
        return this.waitsFor(later.urn).has(earlier.urn);
    }
}

/** Every pair of `group` ordered one way or the other: one write at a time on the parent they share. */
function serialised(group: ExportResource[], why: string): OrderPair[] {
    const pairs: OrderPair[] = [];
    for (let i = 0; i < group.length; i++) {
        for (let j = i + 1; j < group.length; j++) pairs.push({ later: group[j], earlier: group[i], what: "", why, eitherWay: true });
    }
    return pairs;
}

/** Resources grouped by the ARM id of the parent a child's id names (a subnet's VNet, a pool's cluster). */
function byParentId(resources: ExportResource[], segment: string): ExportResource[][] {
    const groups = new Map<string, ExportResource[]>();
    for (const r of resources) {
        const id = norm(r.id);
        const at = id.lastIndexOf(`/${segment.toLowerCase()}/`);
        const key = at > 0 ? id.slice(0, at) : id;
        groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    return [...groups.values()];
}

/** Children of `type` under one parent (named by the id segment before theirs) are written one at a time. */
function oneAtATime(c: Omit<OrderConstraint, "pairs">, type: string, segment: string, why: string): OrderConstraint {
    return { ...c, pairs: (plan) => byParentId(plan.ofType(type), segment).flatMap((group) => serialised(group, why)) };
}

function satisfied(plan: PlanGraph, p: OrderPair): boolean {
    if (!p.earlier) return false;
    return plan.after(p.later, p.earlier) || (p.eitherWay === true && plan.after(p.earlier, p.later));
}

export const CONSTRAINTS: OrderConstraint[] = [
    {
        id: "cluster-after-network-and-identity",
        rule: "a ManagedCluster after both peerings of its VNet, the link of its private DNS zone to that VNet, and every role assignment of its control-plane identity",
        source:
            "learn.microsoft.com/azure/aks/private-clusters (hub and spoke with custom DNS: AKS links a BYO zone to the spoke VNet itself and needs its identity's rights there); " +
            "learn.microsoft.com/azure/aks/egress-outboundtype (userDefinedRouting: the route to the firewall must work at create); mspnp/aks-baseline cluster-stamp (role assignments before the cluster)",
        pairs(plan) {
            const pairs: OrderPair[] = [];
            for (const cluster of plan.ofType(T.cluster)) {
                const inputs = cluster.inputs as any;
                const subnetId = norm(inputs.apiServerAccessProfile?.subnetId ?? inputs.agentPoolProfiles?.[0]?.vnetSubnetID);
                const vnetId = subnetId.replace(/\/subnets\/[^/]+$/, "");
                if (vnetId) {
                    const peerings = plan.ofType(T.peering).filter((p) => within(norm(p.id), vnetId) || norm((p.inputs as any).remoteVirtualNetwork?.id) === vnetId);
                    for (const p of peerings) pairs.push({ later: cluster, earlier: p, what: "", why: "DNS (the firewall's DNS proxy) and the default route go through the hub: the peering must carry traffic before AKS provisions nodes" });
                    if (!peerings.length) pairs.push({ later: cluster, earlier: undefined, what: `a peering of its VNet ${vnetId.split("/").pop()}`, why: "nodes reach DNS and egress through the hub" });
                }
                const zone = norm(inputs.apiServerAccessProfile?.privateDNSZone);
                if (zone.startsWith("/subscriptions/") && vnetId) {
                    const link = plan.ofType(T.vnetLink).find((l) => within(norm(l.id), zone) && norm((l.inputs as any).virtualNetwork?.id) === vnetId);
                    pairs.push({
                        later: cluster,
                        earlier: link,
                        what: `a link of ${zone.split("/").pop()} to ${vnetId.split("/").pop()}`,
                        why: "with a bring-your-own private DNS zone AKS links the zone to the cluster's VNet unless the link exists",
                    });
                }
                const identityIds = [inputs.identity?.userAssignedIdentities ?? []].flat().flatMap((v: unknown) => (typeof v === "string" ? [v] : Object.keys(v as object)));
                const principals = new Set(identityIds.map((id) => plan.byId(id)?.outputs.principalId).filter((p): p is string => typeof p === "string"));
                for (const a of plan.ofType(T.roleAssignment).filter((a) => principals.has((a.inputs as any).principalId))) {
                    pairs.push({ later: cluster, earlier: a, what: "", why: "AKS uses its control-plane identity's rights during create (subnet join, route table, DNS zone, VNet link)" });
                }
            }
            return pairs;
        },
    },
    oneAtATime(
        {
            id: "agent-pools-serialised",
            rule: "the AgentPools of one cluster one after another",
            source: "AKS allows one agent-pool operation per cluster at a time: 409 OperationNotAllowed 'Another agentpool operation ... is in progress' (aka.ms/aks-pending-operation; Azure/AKS#1913)",
        },
        T.agentPool,
        "agentPools",
        "parallel pool writes on one cluster fail with 409 OperationNotAllowed",
    ),
    {
        id: "registry-endpoint-after-replicas",
        rule: "a registry's private endpoint after every replica of the registry",
        source:
            "learn.microsoft.com/azure/container-registry/container-registry-private-link ('If you later add a new replica, you need to manually add a new DNS record for the data endpoint in that region')",
        pairs(plan) {
            const pairs: OrderPair[] = [];
            for (const registry of plan.ofType(T.registry)) {
                const id = norm(registry.id);
                const endpoints = plan
                    .ofType(T.privateEndpoint)
                    .filter((pe) => [(pe.inputs as any).privateLinkServiceConnections ?? []].flat().some((c: any) => norm(c?.privateLinkServiceId) === id));
                const replicas = plan.ofType(T.replication).filter((r) => within(norm(r.id), id));
                for (const pe of endpoints) {
                    for (const replica of replicas) {
                        pairs.push({ later: pe, earlier: replica, what: "", why: "the endpoint's DNS zone group registers data-endpoint records only for the replicas that exist when it is created" });
                    }
                }
            }
            return pairs;
        },
    },
    {
        id: "lock-after-scope",
        rule: "a management lock after every resource of its scope",
        source:
            "learn.microsoft.com/azure/azure-resource-manager/management/lock-resources (CanNotDelete: nothing in the scope can be deleted while the lock exists); " +
            "Pulumi deletes a resource before what it depends on, so only a lock that depends on everything is deleted first",
        pairs(plan) {
            const pairs: OrderPair[] = [];
            for (const lock of plan.ofType(...T.locks)) {
                const scope = norm((lock.inputs as any).scope ?? norm(lock.id).replace(/\/providers\/microsoft\.authorization\/locks\/[^/]+$/, ""));
                for (const r of plan.resources) {
                    if (r === lock || r.external || !r.custom || !within(norm(r.id), scope)) continue;
                    pairs.push({ later: lock, earlier: r, what: "", why: "a replacement or destroy of anything in the scope is refused while the lock stands" });
                }
            }
            return pairs;
        },
    },
    oneAtATime(
        {
            id: "rule-collection-groups-serialised",
            rule: "the rule collection groups of one firewall policy one after another",
            source: "'Only one Rule Collection Group can be updated at a time with Azure Firewall Policy' (Azure/bicep#1013, hashicorp/terraform-provider-azurerm#15440)",
        },
        T.ruleCollectionGroup,
        "ruleCollectionGroups",
        "parallel writes on one firewall policy fail (409, policy in Updating state)",
    ),
    {
        id: "subnets-serialised",
        rule: "the subnets of one VNet one after another, and its peerings after them",
        source: "parallel subnet writes on one VNet fail with 409 AnotherOperationInProgress (pulumi/pulumi-azure-native#699)",
        pairs(plan) {
            const pairs: OrderPair[] = [];
            for (const subnets of byParentId(plan.ofType(T.subnet), "subnets")) {
                pairs.push(...serialised(subnets, "parallel subnet writes on one VNet fail with 409 AnotherOperationInProgress"));
                const vnet = norm(subnets[0].id).replace(/\/subnets\/[^/]+$/, "");
                for (const peering of plan.ofType(T.peering).filter((p) => within(norm(p.id), vnet))) {
                    for (const s of subnets) pairs.push({ later: peering, earlier: s, what: "", why: "a peering write on a VNet busy with a subnet write fails with 409" });
                }
            }
            return pairs;
        },
    },
];

export interface ConstraintResult {
    id: string;
    rule: string;
    source: string;
    /** Ordered pairs the plan has to satisfy for this constraint. */
    checked: number;
    violations: OrderViolation[];
}

export function checkDeployOrder(resources: ExportResource[], constraints: OrderConstraint[] = CONSTRAINTS): ConstraintResult[] {
    const plan = new PlanGraph(resources);
    return constraints.map((c) => {
        const pairs = c.pairs(plan);
        const violations = pairs
            .filter((p) => !satisfied(plan, p))
            .map((p) => ({
                constraint: c.id,
                resource: logicalName(p.later),
                mustWaitFor: p.earlier ? logicalName(p.earlier) : `(not declared: ${p.what})`,
                why: p.why,
            }));
        return { id: c.id, rule: c.rule, source: c.source, checked: pairs.length, violations };
    });
}
