import { validateResourceOfType } from "@pulumi/policy";
import type { ReportViolation } from "@pulumi/policy";
import { NetworkSecurityGroup, SecurityRule } from "@pulumi/azure-native/network";
import { isInternetSource, portsReached, type RuleLike } from "../../lib/network";
import type { ResourceRule } from "../../lib/rule";
import { eachNamed, elements, known, UNKNOWN } from "../../lib/values";

/** SSH, RDP and WinRM (HTTP, HTTPS). */
export const MANAGEMENT_PORTS = [22, 3389, 5985, 5986] as const;

const lower = (v: unknown): string | undefined => (typeof v === "string" ? v.toLowerCase() : undefined);

/**
 * Flags an inbound Allow rule from the internet that reaches a management port or every port. Each field is read on
 * its own: a computed direction/access/source/port keeps the rule silent only where it matters.
 */
function checkRule(rule: RuleLike, report: ReportViolation): void {
    const direction = known(() => rule.direction);
    const access = known(() => rule.access);
    if (direction === UNKNOWN || access === UNKNOWN) return;
    if (lower(direction) !== "inbound" || lower(access) !== "allow") return;

    const sources = [known(() => rule.sourceAddressPrefix), ...elements(() => rule.sourceAddressPrefixes)];
    const open = sources.filter((s): s is string => typeof s === "string" && isInternetSource(s));
    if (open.length === 0) return;

    const specs = [known(() => rule.destinationPortRange), ...elements(() => rule.destinationPortRanges)]
        .filter((s): s is string => typeof s === "string");
    const everyPort = specs.some((s) => s.trim() === "*");
    const reached = [...new Set(specs.flatMap((s) => portsReached(s, MANAGEMENT_PORTS)))].sort((a, b) => a - b);
    if (!everyPort && reached.length === 0) return;

    const what = everyPort ? "every port" : `port${reached.length > 1 ? "s" : ""} ${reached.join(", ")}`;
    report(`inbound Allow from "${open[0]}" reaches ${what}: restrict sourceAddressPrefix to known ranges (or use Bastion) and remove ${everyPort ? "the * port range" : "the management ports"}`);
}

export const n1NsgNoInternetManagementPorts: ResourceRule = {
    name: "n1-nsg-no-internet-management-ports",
    description:
        "No NSG rule (inline securityRules[] or standalone SecurityRule) allows inbound traffic from the internet (*, " +
        "Internet, 0.0.0.0/0, ::/0, any; also in sourceAddressPrefixes) to SSH 22, RDP 3389, WinRM 5985/5986 or every port " +
        "(single ports, a-b ranges, destinationPortRanges[]; any protocol). Matches and extends Checkov CKV_AZURE_10 " +
        "(SSH) and CKV_AZURE_9 (RDP), Azure Policy 22730e10-96f6-4aac-ad84-9383d35b5917 (Management ports should be closed).",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(NetworkSecurityGroup, (nsg, _args, report) => eachNamed(() => nsg.securityRules, "securityRules", report, checkRule)),
        validateResourceOfType(SecurityRule, (rule, _args, report) => checkRule(rule, report)),
    ],
};
