/**
 * What a stack assumes of the subscription before its first `pulumi up`, derived from its validated config and the
 * vendored Azure facts: feature registrations, access to restricted regions, vCPU quota per family (the plan's quota
 * report, computed from the same pools), and the sizes/zones/capabilities it uses. README's "Before the first
 * deploy" is rendered from this, and `npm run preflight` checks each assumption against the live subscription.
 */
import { type FeatureRegistration, featureRegistration, regionFact } from "../../config/azure-facts";
import { maxSurgeSetting } from "../../config/address-plan";
import type { SpokeConfig } from "../../config/schema";
import { VM_SKUS } from "../../config/skus";
import { type PlannedPool, quotaTable, SPOT_QUOTA, surgeOf } from "../plan/reports/quota";

export interface FeatureAssumption {
    kind: "feature";
    feature: FeatureRegistration;
    /** The config that needs it, e.g. "aks.encryptionAtHost" or "nodePools[2] Standard_ND96isr_MI300X_v5". */
    neededBy: string[];
}

export interface RegionAssumption {
    kind: "region";
    region: string;
    /** The config key that deploys there. */
    neededBy: string;
    howToGetAccess: string;
}

export interface QuotaAssumption {
    kind: "quota";
    location: string;
    /** `az vm list-usage` name.value: a family, `cores` (regional total) or `lowPriorityCores` (spot). */
    quotaName: string;
    vcpus: number;
    pools: string[];
}

export interface SkuAssumption {
    kind: "sku";
    location: string;
    vmSize: string;
    zones: string[];
    encryptionAtHost: boolean;
    pools: string[];
}

export type Assumption = FeatureAssumption | RegionAssumption | QuotaAssumption | SkuAssumption;

/** The pools as the plan declares them (system pool first), with the surge the plan's upgradeSettings give. */
export function configPools(cfg: SpokeConfig): PlannedPool[] {
    const sys = cfg.aks.systemPool;
    return [
        { name: "system", vmSize: sys.vmSize, maxCount: sys.maxCount, spot: false, surge: surgeOf(maxSurgeSetting({}), sys.maxCount, false), replaceOnChanges: [] },
        ...cfg.nodePools.map((p) => ({ name: p.name, vmSize: p.vmSize, maxCount: p.maxCount, spot: p.spot, surge: surgeOf(maxSurgeSetting(p), p.maxCount, p.spot), replaceOnChanges: [] })),
    ];
}

export function assumptions(cfg: SpokeConfig): Assumption[] {
    const out: Assumption[] = [];
    const pools = [{ key: "aks.systemPool", name: "system", vmSize: cfg.aks.systemPool.vmSize, zones: cfg.aks.systemPool.zones }, ...cfg.nodePools.map((p, i) => ({ key: `nodePools[${i}]`, ...p }))];

    if (cfg.aks.encryptionAtHost) out.push({ kind: "feature", feature: featureRegistration("encryptionAtHost"), neededBy: ["aks.encryptionAtHost"] });
    const rdma = pools.filter((p) => VM_SKUS[p.vmSize].rdma).map((p) => `${p.key} ${p.vmSize}`);
    if (rdma.length) out.push({ kind: "feature", feature: featureRegistration("rdmaPool"), neededBy: rdma });

    const regions: [string, string | undefined][] = [
        ["location", cfg.location],
        ["registry.geoReplicaLocation", cfg.features.registryGeoReplication ? cfg.registry.geoReplicaLocation : undefined],
    ];
    for (const [key, region] of regions) {
        const fact = region ? regionFact(region) : undefined;
        if (fact?.restricted) out.push({ kind: "region", region: fact.name, neededBy: key, howToGetAccess: fact.howToGetAccess ?? "" });
    }

    const q = quotaTable(configPools(cfg), cfg.location);
    for (const row of q.rows) {
        out.push({ kind: "quota", location: cfg.location, quotaName: row.spot ? "lowPriorityCores" : row.family, vcpus: row.vcpusWithSurge, pools: row.pools });
    }
    out.push({ kind: "quota", location: cfg.location, quotaName: "cores", vcpus: q.regionalVcpusWithSurge, pools: q.rows.filter((r) => r.family !== SPOT_QUOTA).flatMap((r) => r.pools) });

    const bySize = new Map<string, SkuAssumption>();
    for (const p of pools) {
        const a = bySize.get(p.vmSize) ?? { kind: "sku" as const, location: cfg.location, vmSize: p.vmSize, zones: [], encryptionAtHost: cfg.aks.encryptionAtHost, pools: [] };
        a.zones = [...new Set([...a.zones, ...p.zones])].sort();
        a.pools.push(p.name);
        bySize.set(p.vmSize, a);
    }
    out.push(...bySize.values());
    return out;
}

export function registerCommand(f: FeatureRegistration): string {
    return `az feature register --namespace ${f.namespace} --name ${f.name} && az provider register --namespace ${f.namespace}`;
}

/** The README block: per stack, what to register, what to request, which quota (generated; a test keeps it in sync). */
export function renderBeforeFirstDeploy(stacks: { stack: string; cfg: SpokeConfig }[]): string[] {
    const lines = [
        "Generated from `config/azure-facts/` and the stack files by `npm run refresh:azure-facts -- --readme`; do not edit by hand.",
        "",
    ];
    for (const { stack, cfg } of stacks) {
        const all = assumptions(cfg);
        lines.push(`**${stack}** (${cfg.location})`, "");
        for (const a of all) {
            if (a.kind === "feature") lines.push(`- register \`${a.feature.namespace}/${a.feature.name}\` (${a.neededBy.join(", ")}; [source](${a.feature.source})): \`${registerCommand(a.feature)}\``);
        }
        for (const a of all) {
            if (a.kind === "region") lines.push(`- request access to the restricted region \`${a.region}\` (${a.neededBy}): [region access request](${a.howToGetAccess.replace(/^.*?(https:\/\/\S+).*$/, "$1")}), then record it in \`restrictedRegionAccess\``);
        }
        const quota = all.filter((a): a is QuotaAssumption => a.kind === "quota");
        lines.push(`- vCPU quota in ${cfg.location} (\`az vm list-usage\` name, vCPUs at maxCount plus upgrade surge): ${quota.map((a) => `\`${a.quotaName}\` ${a.vcpus}`).join(", ")}`);
        lines.push("");
    }
    return lines;
}
