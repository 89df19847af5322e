import { validateResourceOfType } from "@pulumi/policy";
import type { ReportViolation } from "@pulumi/policy";
import { NetworkSecurityGroup, SecurityRule } from "@pulumi/azure-native/network";
import { CLOUDFLARE_IPS } from "../../../config/upstream/cloudflare-ips";
import { isPublicSource, type RuleLike } from "../../lib/network";
import type { ResourceRule } from "../../lib/rule";
import { eachNamed, elements, known, UNKNOWN } from "../../lib/values";

export interface InternetInboundEntry {
    /** NSG name; `*` matches any run of characters (`*-bastion`). */
    nsg: string;
    /** Destination port specs the entry admits, exactly as the rule writes them ("443", "8000-8100"). */
    ports: string[];
    /** Internet sources admitted: `Internet`, `*`, or public prefixes. */
    sources: string[];
}

/**
 * What the platform opens to the internet on purpose: Bastion's 443 from Internet (Azure requires it on the
 * AzureBastionSubnet NSG) and Cloudflare's published ranges to the public ingress's 443 (config/upstream/cloudflare-ips.ts).
 */
export const INTERNET_INBOUND_ALLOWLIST: InternetInboundEntry[] = [
    { nsg: "*-bastion", ports: ["443"], sources: ["Internet"] },
    { nsg: "*-ingress-public", ports: ["443"], sources: [...CLOUDFLARE_IPS.ipv4, ...CLOUDFLARE_IPS.ipv6] },
];

const glob = (pattern: string) => new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i");

function checkRule(nsgName: unknown, rule: RuleLike, allowlist: InternetInboundEntry[], report: ReportViolation): void {
    const direction = known(() => rule.direction);
    const access = known(() => rule.access);
    if (direction === UNKNOWN || access === UNKNOWN || nsgName === UNKNOWN) return;
    if (String(direction).toLowerCase() !== "inbound" || String(access).toLowerCase() !== "allow") return;
    const sources = [known(() => rule.sourceAddressPrefix), ...elements(() => rule.sourceAddressPrefixes)].filter((s): s is string => typeof s === "string" && isPublicSource(s));
    if (sources.length === 0) return;
    const ports = [known(() => rule.destinationPortRange), ...elements(() => rule.destinationPortRanges)];
    if (ports.includes(UNKNOWN)) return;
    const specs = ports.filter((p): p is string => typeof p === "string").map((p) => p.trim());
    const entries = allowlist.filter((e) => typeof nsgName === "string" && glob(e.nsg).test(nsgName) && specs.every((p) => e.ports.includes(p)));
    const refused = sources.filter((s) => !entries.some((e) => e.sources.some((a) => a.toLowerCase() === s.toLowerCase())));
    if (refused.length === 0) return;
    report(
        `inbound Allow from ${refused.map((s) => `"${s}"`).join(", ")} to port${specs.length > 1 ? "s" : ""} ${specs.join(", ")} is not on the internet-inbound ` +
        "allowlist: restrict the source to private ranges or a service tag, or declare it in n5's allowlist (nsg, ports, sources)",
    );
}

export const n5NsgInternetInboundAllowlist: ResourceRule = {
    name: "n5-nsg-internet-inbound-allowlist",
    description:
        "No NSG rule (inline or standalone) allows inbound traffic from the internet (*, Internet, any, a /0, or any public " +
        "address or prefix) on any port, except the declared allowlist (config allowlist: NSG name pattern, exact port " +
        "specs, sources; default Bastion's 443 from Internet and Cloudflare's ranges to the public ingress's 443). Matches " +
        "and extends Checkov CKV_AZURE_160 (HTTP 80 from the internet) and CKV_AZURE_77 (UDP from the internet), beyond N1's " +
        "management ports.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            allowlist: {
                type: "array",
                default: INTERNET_INBOUND_ALLOWLIST,
                description: "Internet-facing rules allowed on purpose: { nsg: name pattern, ports: [port specs], sources: [prefixes] }.",
                items: {
                    type: "object",
                    required: ["nsg", "ports", "sources"],
                    additionalProperties: false,
                    properties: { nsg: { type: "string" }, ports: { type: "array", items: { type: "string" } }, sources: { type: "array", items: { type: "string" } } },
                },
            },
        },
    },
    validateResource: [
        validateResourceOfType(NetworkSecurityGroup, (nsg, args, report) => {
            const allowlist = args.getConfig<{ allowlist: InternetInboundEntry[] }>().allowlist;
            const name = known(() => nsg.networkSecurityGroupName);
            eachNamed(() => nsg.securityRules, "securityRules", report, (rule, r) => checkRule(name, rule, allowlist, r));
        }),
        validateResourceOfType(SecurityRule, (rule, args, report) => {
            checkRule(known(() => rule.networkSecurityGroupName), rule, args.getConfig<{ allowlist: InternetInboundEntry[] }>().allowlist, report);
        }),
    ],
};
