/**
 * Plan reporter: the vCPUs each VM quota family needs if every pool of the planned cluster reached maxCount (system
 * pool included), with and without upgrade surge, so users can compare with `az vm list-usage` before deploying.
 * Spot pools draw on the regional spot quota (lowPriorityCores), not on their family. Read from the planned
 * ManagedCluster and AgentPool inputs, so it reports what will deploy, not what config meant.
 *
 * It also names the pool properties whose change replaces a pool (VM size, OS disk, zones, ...).
 */
import { VM_SKUS } from "../../../config/skus";
import { MIG_PROFILE_LABEL } from "../../../components/gpu-pools/facts";
import type { ExportResource } from "../export";
import type { PlanReport, Reporter } from "../reports";

export interface PlannedPool {
    name: string;
    vmSize: string;
    maxCount: number;
    spot: boolean;
    /** Extra nodes during an upgrade (from `upgradeSettings.maxSurge`). */
    surge: number;
    migProfile?: string;
    replaceOnChanges: string[];
}

export interface QuotaRow {
    /** Quota family as `az vm list-usage` names it, or SPOT_QUOTA. */
    family: string;
    spot: boolean;
    pools: string[];
    nodes: number;
    vcpus: number;
    vcpusWithSurge: number;
}

export interface QuotaData {
    location: string;
    rows: QuotaRow[];
    /** Sum of the non-spot rows: the regional vCPU quota ("Total Regional vCPUs", `cores`). */
    regionalVcpus: number;
    regionalVcpusWithSurge: number;
    /** Sum of the spot rows ("Total Regional Spot vCPUs", `lowPriorityCores`). */
    spotVcpus: number;
    /** Sizes not in config/skus.ts (their vCPUs are unknown). */
    unknownSizes: string[];
    pools: PlannedPool[];
}

export const SPOT_QUOTA = "Spot (lowPriorityCores)";

/** Surge nodes AKS adds for `maxSurge` ("33%" of maxCount rounded up, or a node count); AKS's default is 10%. */
export function surgeOf(maxSurge: unknown, maxCount: number, spot: boolean): number {
    if (spot) return 0;
    const text = typeof maxSurge === "string" && maxSurge ? maxSurge : "10%";
    const pct = /^(\d+)%$/.exec(text);
    return pct ? Math.ceil((maxCount * Number(pct[1])) / 100) : Number(text) || 0;
}

function poolOf(p: Record<string, any>, replaceOnChanges: string[]): PlannedPool {
    const spot = p.scaleSetPriority === "Spot";
    const maxCount = Number(p.maxCount ?? p.count ?? 0);
    return {
        name: String(p.name ?? p.agentPoolName),
        vmSize: String(p.vmSize),
        maxCount,
        spot,
        surge: surgeOf(p.upgradeSettings?.maxSurge, maxCount, spot),
        ...(p.nodeLabels?.[MIG_PROFILE_LABEL] ? { migProfile: String(p.nodeLabels[MIG_PROFILE_LABEL]) } : {}),
        replaceOnChanges,
    };
}

/** The pools of the planned cluster: the inline ones of the ManagedCluster, then the standalone AgentPools. */
export function plannedPools(resources: ExportResource[]): PlannedPool[] {
    const pools: PlannedPool[] = [];
    for (const r of resources) {
        if (r.type === "azure-native:containerservice:ManagedCluster") {
            for (const p of (r.inputs.agentPoolProfiles as Record<string, any>[] | undefined) ?? []) pools.push(poolOf(p, []));
        }
    }
    for (const r of resources) {
        if (r.type === "azure-native:containerservice:AgentPool") pools.push(poolOf(r.inputs as Record<string, any>, r.replaceOnChanges ?? []));
    }
    return pools;
}

export function quotaTable(pools: PlannedPool[], location: string): QuotaData {
    const rows = new Map<string, QuotaRow>();
    const unknownSizes: string[] = [];
    for (const p of pools) {
        const sku = VM_SKUS[p.vmSize];
        if (!sku) {
            unknownSizes.push(p.vmSize);
            continue;
        }
        const family = p.spot ? SPOT_QUOTA : sku.family;
        const row = rows.get(family) ?? { family, spot: p.spot, pools: [], nodes: 0, vcpus: 0, vcpusWithSurge: 0 };
        row.pools.push(p.name);
        row.nodes += p.maxCount;
        row.vcpus += p.maxCount * sku.vcpus;
        row.vcpusWithSurge += (p.maxCount + p.surge) * sku.vcpus;
        rows.set(family, row);
    }
    const sorted = [...rows.values()].sort((a, b) => Number(a.spot) - Number(b.spot) || a.family.localeCompare(b.family));
    const sum = (spot: boolean, k: "vcpus" | "vcpusWithSurge") => sorted.filter((r) => r.spot === spot).reduce((n, r) => n + r[k], 0);
    return {
        location,
        rows: sorted,
        regionalVcpus: sum(false, "vcpus"),
        regionalVcpusWithSurge: sum(false, "vcpusWithSurge"),
        spotVcpus: sum(true, "vcpus"),
        unknownSizes,
        pools,
    };
}

export function renderQuota(q: QuotaData): string[] {
    const header = ["quota family", "pools", "max nodes", "vCPUs at maxCount", "+ upgrade surge"];
    const body = q.rows.map((r) => [r.family, r.pools.join(", "), String(r.nodes), String(r.vcpus), String(r.vcpusWithSurge)]);
    body.push(["Total Regional vCPUs (cores)", "", "", String(q.regionalVcpus), String(q.regionalVcpusWithSurge)]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
    const lines = [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)];
    lines.push(`compare with: az vm list-usage --location ${q.location} -o table (spot pools count against lowPriorityCores only)`);
    for (const s of q.unknownSizes) lines.push(`unknown VM size ${s}: add it to config/skus.ts to count its vCPUs`);
    const immutable = q.pools.filter((p) => p.replaceOnChanges.length);
    if (immutable.length) {
        const props = [...new Set(immutable.flatMap((p) => p.replaceOnChanges))];
        lines.push(
            `immutable: a change to ${props.slice(0, 2).join(" or ")} (or ${props.slice(2).join(", ")}) replaces the pool — delete, then create under the same name — so change VM size by adding a new pool:`,
        );
        for (const p of immutable) lines.push(`  ${p.name}: ${p.vmSize}${p.migProfile ? `, MIG profile ${p.migProfile}` : ""}`);
    }
    return lines;
}

const quota: Reporter = ({ exported }): PlanReport | undefined => {
    const resources = exported.deployment.resources;
    const cluster = resources.find((r) => r.type === "azure-native:containerservice:ManagedCluster");
    if (!cluster) return undefined;
    const location = String(cluster.inputs.location ?? "");
    const data = quotaTable(plannedPools(resources), location);
    return { title: `quota: vCPUs per VM family if every pool reaches maxCount (${location})`, lines: renderQuota(data), failures: 0, data };
};

export default quota;
