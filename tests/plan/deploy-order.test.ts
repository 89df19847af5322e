/**
 * The deploy-order model (tools/plan/deploy-order.ts) on the real plans: every stack satisfies every constraint, each
 * constraint has something to check, and taking one required order out of a real plan fails it naming the
 * constraint, the resource that would start too early and what it must wait for (compliance-policies' method: a
 * compliant fixture, one mutation per test).
 */
import type { ExportResource } from "../../tools/plan/export";
import { checkDeployOrder, CONSTRAINTS, type OrderViolation } from "../../tools/plan/deploy-order";
import { loadSummary, nameOf, resources } from "../support/plan";

const clone = (stack: string): ExportResource[] => JSON.parse(JSON.stringify(resources(stack)));
const byName = (rs: ExportResource[], name: string) => rs.find((r) => nameOf(r) === name)!;

/** Nothing in the plan waits for `name` any more (it is still declared): what deleting its dependsOn/inputs does. */
function detach(rs: ExportResource[], name: string): ExportResource[] {
    const urn = byName(rs, name).urn;
    for (const r of rs) {
        r.dependencies = r.dependencies?.filter((d) => d !== urn);
        for (const [k, deps] of Object.entries(r.propertyDependencies ?? {})) r.propertyDependencies![k] = deps.filter((d) => d !== urn);
    }
    return rs;
}

/** `later` no longer waits directly for `earlier`. */
function dropEdge(rs: ExportResource[], later: string, earlier: string): ExportResource[] {
    const r = byName(rs, later);
    const urn = byName(rs, earlier).urn;
    r.dependencies = r.dependencies?.filter((d) => d !== urn);
    for (const [k, deps] of Object.entries(r.propertyDependencies ?? {})) r.propertyDependencies![k] = deps.filter((d) => d !== urn);
    return rs;
}

const violations = (rs: ExportResource[]): OrderViolation[] => checkDeployOrder(rs).flatMap((c) => c.violations);
const pairs = (v: OrderViolation[]) => v.map((x) => `${x.constraint}: ${x.resource} → ${x.mustWaitFor}`);
/** The violations of one constraint (each test takes out one order and looks at the constraint it belongs to). */
const of = (constraint: string, rs: ExportResource[]) => pairs(violations(rs).filter((v) => v.constraint === constraint));

/** Role assignments held by the cluster's control-plane identity. */
function identityGrants(stack: string): number {
    const identity = byName(resources(stack), "spoke-aks-identity");
    return resources(stack).filter((r) => r.type === "azure-native:authorization:RoleAssignment" && r.inputs.principalId === identity.outputs.principalId).length;
}

describe("the real plans", () => {
    const report = (stack: string) => loadSummary().stacks.find((s) => s.stack === stack)!.reports.find((r) => r.title.startsWith("deploy order"))!;

    it.each(["hub-uaenorth", "dev-uaenorth", "stg-uaenorth", "prd-uaenorth"])("%s satisfies every ordering constraint", (stack) => {
        expect(report(stack).failures).toBe(0);
        expect(violations(resources(stack))).toEqual([]);
    });

    it("every constraint has orders to check somewhere (none is vacuous), and each names its source", () => {
        const checked = (stack: string) => Object.fromEntries(report(stack).data.map((c: any) => [c.id, c.checked]));
        const hub = checked("hub-uaenorth");
        const prd = checked("prd-uaenorth");
        // prd: 2 peerings + the AKS zone link + every role assignment of the identity; 4 pools pairwise; 1 replica.
        expect(prd["cluster-after-network-and-identity"]).toBe(3 + identityGrants("prd-uaenorth"));
        expect(identityGrants("prd-uaenorth")).toBeGreaterThanOrEqual(11);
        expect(prd["agent-pools-serialised"]).toBe(6);
        expect(prd["registry-endpoint-after-replicas"]).toBe(1);
        expect(prd["lock-after-scope"]).toBeGreaterThan(100);
        expect(prd["subnets-serialised"]).toBeGreaterThan(21);
        expect(hub["rule-collection-groups-serialised"]).toBe(28); // 8 groups (7 egress + cross-region): every pair ordered
        expect(hub["lock-after-scope"]).toBeGreaterThan(40);
        for (const c of CONSTRAINTS) expect(c.source).toMatch(/learn\.microsoft\.com|#\d+|aka\.ms/);
    });

    it("the printed plan lists the constraints it checked", () => {
        expect(report("prd-uaenorth").lines).toEqual(
            expect.arrayContaining([expect.stringMatching(new RegExp(`^ok {3}cluster-after-network-and-identity: ${3 + identityGrants("prd-uaenorth")} orders`))]),
        );
    });
});

describe("one order taken out fails the plan, naming constraint and resources", () => {
    const CLUSTER = "cluster-after-network-and-identity";

    it("the cluster no longer waits for the hub-side peering", () => {
        expect(of(CLUSTER, detach(clone("prd-uaenorth"), "spoke-peer-from-hub"))).toEqual([`${CLUSTER}: spoke-aks-cluster → spoke-peer-from-hub`]);
    });

    it("the cluster no longer waits for its VNet's link to the AKS zone — or the link is not declared at all", () => {
        expect(of(CLUSTER, detach(clone("prd-uaenorth"), "spoke-zone-aks-link"))).toEqual([`${CLUSTER}: spoke-aks-cluster → spoke-zone-aks-link`]);
        const without = clone("prd-uaenorth").filter((r) => nameOf(r) !== "spoke-zone-aks-link");
        expect(of(CLUSTER, without)).toEqual([`${CLUSTER}: spoke-aks-cluster → (not declared: a link of prd.privatelink.uaenorth.azmk8s.io to vnet-aip-prd-uaen)`]);
    });

    it("the cluster no longer waits for one role assignment of its identity", () => {
        expect(of(CLUSTER, dropEdge(clone("prd-uaenorth"), "spoke-aks-cluster", "spoke-aks-vnet-dns-link"))).toEqual([`${CLUSTER}: spoke-aks-cluster → spoke-aks-vnet-dns-link`]);
    });

    it("two agent pools of one cluster can be written at once", () => {
        // prd's pools in config order: cpu, h100, mi300x, ingress; mi300x no longer waits for h100.
        const v = violations(dropEdge(clone("prd-uaenorth"), "spoke-aks-pools-mi300x", "spoke-aks-pools-h100")).filter((x) => x.constraint === "agent-pools-serialised");
        expect(v.map((x) => [x.resource, x.mustWaitFor].sort().join(" + "))).toContain("spoke-aks-pools-h100 + spoke-aks-pools-mi300x");
        expect(v.every((x) => /409 OperationNotAllowed/.test(x.why))).toBe(true);
    });

    it("the registry's private endpoint does not wait for the replica", () => {
        expect(of("registry-endpoint-after-replicas", detach(clone("prd-uaenorth"), "spoke-replica"))).toEqual([
            "registry-endpoint-after-replicas: spoke-acr-pe → spoke-replica",
        ]);
    });

    it("prd's lock waits for the resource group only (as before the fix)", () => {
        const rs = clone("prd-uaenorth");
        const lock = byName(rs, "spoke-rg-lock");
        const rg = byName(rs, "spoke-rg");
        lock.dependencies = [rg.urn];
        lock.propertyDependencies = { scope: [rg.urn] };
        const missed = violations(rs).filter((x) => x.constraint === "lock-after-scope");
        expect(new Set(missed.map((x) => x.resource))).toEqual(new Set(["spoke-rg-lock"]));
        expect(missed.map((x) => x.mustWaitFor)).toEqual(expect.arrayContaining(["spoke-aks-cluster", "spoke-acr", "spoke-kv", "spoke-flux-extension", "spoke-aks-pools-h100"]));
        // Resources outside the group (hub-side peering, subscription-scope budget) are not the lock's business.
        expect(missed.map((x) => x.mustWaitFor)).not.toContain("spoke-peer-from-hub");
        expect(missed.map((x) => x.mustWaitFor)).not.toContain("spoke-budget");
    });

    it("two rule collection groups of the firewall policy can be written at once", () => {
        expect(of("rule-collection-groups-serialised", dropEdge(clone("hub-uaenorth"), "hub-rcg-workload-egress", "hub-rcg-gitops-sources"))).toEqual(
            expect.arrayContaining(["rule-collection-groups-serialised: hub-rcg-workload-egress → hub-rcg-gitops-sources"]),
        );
    });

    it("two subnets of one VNet can be written at once", () => {
        expect(of("subnets-serialised", dropEdge(clone("dev-uaenorth"), "spoke-snet-user", "spoke-snet-system"))).toEqual(
            expect.arrayContaining(["subnets-serialised: spoke-snet-user → spoke-snet-system"]),
        );
    });
});
