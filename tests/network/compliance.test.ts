/**
 * Network rules the policy pack enforces (issue 7: N1, N2), checked here on every planned stack so a network change
 * that would break them fails in this suite too: NSG on every subnet but Azure's reserved ones, and no inbound
 * allow from any/Internet to management ports or all ports. Also: NSG rules and routes are inline everywhere
 * (one style per parent), subnets and peerings standalone everywhere.
 */
import { ALL_STACKS, ofType } from "../support/plan";

const EXEMPT = new Set(["GatewaySubnet", "AzureFirewallSubnet", "AzureFirewallManagementSubnet", "RouteServerSubnet"]);
const ANY_SOURCE = new Set(["*", "Internet", "0.0.0.0/0", "::/0", "any"]);
const MANAGEMENT = [22, 3389, 5985, 5986];

function portsHit(rule: Record<string, any>): boolean {
    const ranges: string[] = [...(rule.destinationPortRange ? [rule.destinationPortRange] : []), ...(rule.destinationPortRanges ?? [])];
    return ranges.some((r) => {
        if (r === "*") return true;
        const [lo, hi] = r.split("-").map(Number);
        return MANAGEMENT.some((p) => p >= lo && p <= (hi ?? lo));
    });
}

describe.each(ALL_STACKS)("%s", (stack) => {
    test("every subnet except Azure's reserved ones has an NSG (N2)", () => {
        const subnets = ofType(stack, "azure-native:network:Subnet");
        expect(subnets.length).toBeGreaterThan(0);
        for (const s of subnets) {
            const i = s.inputs as any;
            if (!EXEMPT.has(i.subnetName)) expect({ subnet: i.subnetName, nsg: i.networkSecurityGroup?.id }).toEqual({ subnet: i.subnetName, nsg: expect.any(String) });
        }
    });

    test("no inbound allow from any/Internet reaches 22, 3389, 5985, 5986 or all ports (N1)", () => {
        const rules = ofType(stack, "azure-native:network:NetworkSecurityGroup").flatMap((n) => ((n.inputs as any).securityRules ?? []) as any[]);
        expect(rules.length).toBeGreaterThan(0);
        for (const r of rules) {
            if (r.direction !== "Inbound" || r.access !== "Allow") continue;
            const sources = [r.sourceAddressPrefix, ...(r.sourceAddressPrefixes ?? [])].filter(Boolean);
            const anySource = sources.some((s: string) => ANY_SOURCE.has(s));
            expect({ rule: r.name, exposed: anySource && portsHit(r) }).toEqual({ rule: r.name, exposed: false });
        }
    });

    test("one style per parent: rules and routes inline, no standalone SecurityRule/Route; no inline subnets or peerings", () => {
        expect(ofType(stack, "azure-native:network:SecurityRule")).toEqual([]);
        expect(ofType(stack, "azure-native:network:Route")).toEqual([]);
        for (const v of ofType(stack, "azure-native:network:VirtualNetwork")) {
            expect((v.inputs as any).subnets).toBeUndefined();
            expect((v.inputs as any).virtualNetworkPeerings).toBeUndefined();
        }
    });
});
