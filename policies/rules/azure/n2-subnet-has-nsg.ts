import { validateResourceOfType } from "@pulumi/policy";
import { Subnet, VirtualNetwork } from "@pulumi/azure-native/network";
import type { ReportViolation } from "@pulumi/policy";
import type { ResourceRule } from "../../lib/rule";
import { eachNamed, expect, known, UNKNOWN } from "../../lib/values";

/** Subnets Azure forbids (or reserves) an NSG on. */
export const NSG_EXEMPT_SUBNETS = ["GatewaySubnet", "AzureFirewallSubnet", "AzureFirewallManagementSubnet", "RouteServerSubnet"];

function checkSubnet(name: unknown, subnet: { networkSecurityGroup?: unknown }, report: ReportViolation): void {
    if (name === UNKNOWN) return;
    if (typeof name === "string" && NSG_EXEMPT_SUBNETS.some((n) => n.toLowerCase() === name.toLowerCase())) return;
    expect(report, () => {
        const nsg = subnet.networkSecurityGroup as { id?: unknown } | undefined;
        return nsg !== undefined && nsg !== null && nsg.id !== undefined;
    }, "set networkSecurityGroup: { id: <NSG id> } on this subnet");
}

export const n2SubnetHasNsg: ResourceRule = {
    name: "n2-subnet-has-nsg",
    description:
        "Every subnet (inline in VirtualNetwork or standalone Subnet) has a networkSecurityGroup, except GatewaySubnet, " +
        "AzureFirewallSubnet, AzureFirewallManagementSubnet and RouteServerSubnet. Matches Checkov CKV2_AZURE_31, Azure " +
        "Policy e71308d3-144b-4262-b144-efdc3cc90517 (Subnets should be associated with a Network Security Group).",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(VirtualNetwork, (vnet, _args, report) =>
            eachNamed(() => vnet.subnets, "subnets", report, (subnet, r) => checkSubnet(known(() => subnet.name), subnet, r))),
        validateResourceOfType(Subnet, (subnet, args, report) => {
            // The ARM name is subnetName; without one Pulumi auto-names the subnet, which can't be a reserved name.
            const name = known(() => subnet.subnetName ?? subnet.name);
            checkSubnet(name === undefined ? args.name : name, subnet, report);
        }),
    ],
};
