/**
 * prd protection: `protect` on the stateful resources and a CanNotDelete lock on the spoke resource group; neither
 * outside prd.
 */
import { LOCK_NOTES } from "../../components/protection";
import { PlanGraph } from "../../tools/plan/deploy-order";
import { ofType, one, resources, SPOKES, T } from "./support";

const STATEFUL = [T.cluster, T.registry, T.vault, T.account, "azure-native:operationalinsights:Workspace"];

describe.each(SPOKES)("protection in %s", (stack) => {
    const prd = stack.startsWith("prd-");

    it(`${prd ? "protects" : "does not protect"} the cluster, registry, vault, storage and workspace`, () => {
        for (const type of STATEFUL) expect(ofType(stack, type).map((r) => [type, r.protect === true])).toEqual([[type, prd]]);
    });

    it(`${prd ? "locks" : "does not lock"} the spoke resource group against deletion`, () => {
        const rg = one(stack, T.group, "spoke-rg");
        const locks = ofType(stack, T.lock).filter((l) => l.inputs.scope === rg.id);
        if (!prd) {
            expect(locks).toHaveLength(0);
            return;
        }
        expect(locks.map((l) => l.inputs)).toEqual([{ lockName: "lock-aip-prd-uaen-rg", scope: rg.id, level: "CanNotDelete", notes: LOCK_NOTES }]);
    });

    if (prd) {
        it("creates the lock last: it waits for every resource in the group (so a destroy deletes it first)", () => {
            const [lock] = ofType(stack, T.lock);
            const rgId = one(stack, T.group, "spoke-rg").id!.toLowerCase();
            const inGroup = resources(stack).filter((r) => r !== lock && r.custom && !r.external && r.id && (r.id.toLowerCase() + "/").startsWith(`${rgId}/`));
            const plan = new PlanGraph(resources(stack));
            expect(inGroup.length).toBeGreaterThan(100);
            expect(inGroup.filter((r) => !plan.after(lock, r)).map((r) => r.urn.split("::").pop())).toEqual([]);
        });
    }

    it("never locks the AKS node resource group or uses ReadOnly locks", () => {
        for (const l of ofType(stack, T.lock)) {
            expect(l.inputs.level).toBe("CanNotDelete");
            expect(String(l.inputs.scope)).not.toMatch(/aks-nodes/);
        }
    });

    it("protects nothing that is not stateful (customer-managed keys and their disk encryption set are)", () => {
        const stateful = [...STATEFUL, "azure-native:keyvault:Key", "azure-native:compute:DiskEncryptionSet"];
        const unexpected = resources(stack).filter((r) => r.protect && !stateful.includes(r.type));
        expect(unexpected.map((r) => r.type)).toEqual([]);
    });
});
