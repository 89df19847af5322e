/**
 * Facts about Azure that decide whether a planned stack can deploy, kept as the raw output of `az` (and of the Learn
 * tables az has no command for) in this folder, per region under regions/<region>/. sources.json says where each file
 * came from, which were assembled by hand from docs, and when they were last compared with upstream (`retrieved`);
 * `npm run refresh:azure-facts` regenerates them with a logged-in `az`, and a test fails once they are older than
 * `horizonDays`. Config validation (config/rules.ts), the quota report and `npm run preflight` read them from here.
 */
import * as fs from "fs";
import * as path from "path";

const FACTS_DIR = __dirname;
const DAY_MS = 86_400_000;

/** One entry of `az vm list-skus` (fields this platform reads; the files keep everything az printed). */
export interface AzVmSku {
    name: string;
    family: string;
    resourceType: string;
    locations: string[];
    locationInfo: { location: string; zones: string[] }[];
    capabilities: { name: string; value: string }[];
    restrictions: { type: "Location" | "Zone"; reasonCode: string; values: string[]; restrictionInfo?: { locations?: string[]; zones?: string[] } }[];
}

/** `az aks get-versions` output. */
export interface AzAksVersions {
    values: { version: string; isPreview?: boolean | null; capabilities: { supportPlan: string[] }; patchVersions: Record<string, { upgrades: string[] }> }[];
}

/** `az aks mesh get-revisions` output (MeshRevisionProfile). */
export interface AzMeshRevisions {
    properties: { meshRevisions: { revision: string; upgrades: string[]; compatibleWith: { name: string; versions: string[] }[] }[] };
}

/** One row of the Istio add-on release calendar (istio-support-policy.md), cells verbatim. */
export interface IstioCalendarRow {
    revision: string;
    upstreamRelease: string;
    aksRelease: string;
    endOfLife: string;
    compatibleAksVersions: string;
    compatibleAksLtsVersions: string;
}

interface CalendarRow {
    kubernetesVersion: string;
    aksGA: string;
    endOfLife: string;
    ltsEndOfLife?: string;
}

interface Sources {
    retrieved: string;
    horizonDays: number;
    files: Record<string, Record<string, string>>;
}

export interface FeatureRegistration {
    namespace: string;
    name: string;
    neededWhen: "encryptionAtHost" | "rdmaPool";
    why: string;
    source: string;
}

export interface RegionFact {
    name: string;
    displayName: string;
    restricted: boolean;
    pairedRegion: string;
    howToGetAccess?: string;
}

function readJson<T>(rel: string): T {
    return JSON.parse(fs.readFileSync(path.join(FACTS_DIR, rel), "utf8")) as T;
}

/** Everything in this folder, read once per process. */
export const AZURE_FACTS = (() => {
    const regions = fs.readdirSync(path.join(FACTS_DIR, "regions")).sort();
    return {
        sources: readJson<Sources>("sources.json"),
        skus: Object.fromEntries(regions.map((r) => [r, readJson<AzVmSku[]>(`regions/${r}/vm-list-skus.json`)])) as Record<string, AzVmSku[]>,
        aksVersions: Object.fromEntries(regions.map((r) => [r, readJson<AzAksVersions>(`regions/${r}/aks-get-versions.json`)])) as Record<string, AzAksVersions>,
        meshRevisions: Object.fromEntries(regions.map((r) => [r, readJson<AzMeshRevisions>(`regions/${r}/aks-mesh-get-revisions.json`)])) as Record<string, AzMeshRevisions>,
        istioCalendar: readJson<{ revisions: IstioCalendarRow[] }>("istio-calendar.json").revisions,
        calendar: readJson<{ community: CalendarRow[]; lts: CalendarRow[] }>("aks-calendar.json"),
        regions: readJson<{ regions: RegionFact[] }>("regions.json").regions,
        features: readJson<{ registrations: FeatureRegistration[] }>("feature-registrations.json").registrations,
    };
})();

export const CALENDAR_SOURCE = `${AZURE_FACTS.sources.files["aks-calendar.json"].url} (azure-aks-docs@${AZURE_FACTS.sources.files["aks-calendar.json"].commit.slice(0, 7)})`;
export const VERSIONS_SOURCE = "az aks get-versions (config/azure-facts/regions/<region>/aks-get-versions.json)";
export const MESH_REVISIONS_SOURCE = "az aks mesh get-revisions (config/azure-facts/regions/<region>/aks-mesh-get-revisions.json)";
export const ISTIO_CALENDAR_SOURCE = `${AZURE_FACTS.sources.files["istio-calendar.json"].url} (azure-aks-docs@${AZURE_FACTS.sources.files["istio-calendar.json"].commit.slice(0, 7)})`;
export const SKUS_SOURCE = "az vm list-skus (config/azure-facts/regions/<region>/vm-list-skus.json)";

/** The snapshot's own date (UTC midnight of `retrieved`): tests judge time-bound facts on this day, never today. */
export function factsDate(): Date {
    return new Date(`${AZURE_FACTS.sources.retrieved}T00:00:00Z`);
}

/** Whole days from the snapshot's `retrieved` date to `now`. */
export function factsAgeDays(now: Date, retrieved = AZURE_FACTS.sources.retrieved): number {
    return Math.floor((now.getTime() - Date.parse(`${retrieved}T00:00:00Z`)) / DAY_MS);
}

export function capability(sku: AzVmSku, name: string): string | undefined {
    return sku.capabilities.find((c) => c.name === name)?.value;
}

/** Regions with SKU facts (the regions a stack may run in). */
export function factRegions(): string[] {
    return Object.keys(AZURE_FACTS.skus);
}

/** The size's list-skus entry in `region`, or undefined when the region does not list it. */
export function skuIn(region: string, size: string): AzVmSku | undefined {
    return AZURE_FACTS.skus[region]?.find((s) => s.name === size);
}

/** Zones the subscription may use for the size in the region: offered zones minus zone restrictions. */
export function usableZones(sku: AzVmSku, region: string): string[] {
    const offered = sku.locationInfo.find((l) => l.location === region)?.zones ?? [];
    const restricted = new Set(sku.restrictions.filter((r) => r.type === "Zone").flatMap((r) => r.restrictionInfo?.zones ?? []));
    return offered.filter((z) => !restricted.has(z)).sort();
}

/** Why the size cannot be deployed in the region at all (a Location restriction), if it cannot. */
export function locationRestriction(sku: AzVmSku, region: string): string | undefined {
    const r = sku.restrictions.find((x) => x.type === "Location" && (x.restrictionInfo?.locations ?? x.values).includes(region));
    return r?.reasonCode;
}

/**
 * "Mar 2027" -> 2027-03-31 (the page: a month alone means its last day); "Aug 22, 2025" -> that day; the Istio
 * calendar's estimates "~Dec 2026 (expected)" are read as the month they name. UTC.
 */
export function parseCalendarDate(text: string): Date | undefined {
    const m = /^([A-Z][a-z]{2})[a-z]*\.?\s+(?:(\d{1,2}),\s+)?(\d{4})$/.exec(text.trim().replace(/^~\s*/, "").replace(/\s*\(expected\)$/i, ""));
    if (!m) return undefined;
    const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].indexOf(m[1]);
    if (month < 0) return undefined;
    const year = Number(m[3]);
    return m[2] ? new Date(Date.UTC(year, month, Number(m[2]))) : new Date(Date.UTC(year, month + 1, 0));
}

export type SupportPlan = "KubernetesOfficial" | "AKSLongTermSupport";

export interface VersionVerdict {
    /** Why the version cannot be used (or will stop being usable within `warnDays`), or undefined when fine. */
    problem?: string;
    /** End of support under the plan, when the calendar knows it. */
    endOfSupport?: Date;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Whether a cluster on `version` (minor or patch) with `plan` can be created in `region` at `now` and stays
 * supported for at least `warnDays` more: the region must offer it under that plan (`az aks get-versions`) and the
 * calendar's end of life (community, or LTS for AKSLongTermSupport) must be more than `warnDays` after `now`.
 */
export function kubernetesVersionVerdict(region: string, version: string, plan: SupportPlan, now: Date, warnDays: number): VersionVerdict {
    const minor = version.split(".").slice(0, 2).join(".");
    const offered = AZURE_FACTS.aksVersions[region];
    if (!offered) return { problem: `no AKS version facts for region ${region} (config/azure-facts/regions/): add it with npm run refresh:azure-facts` };
    const entry = offered.values.find((v) => v.version === minor);
    const available = offered.values.filter((v) => v.capabilities.supportPlan.includes(plan) && !v.isPreview).map((v) => v.version);
    if (!entry || !entry.capabilities.supportPlan.includes(plan) || entry.isPreview) {
        return { problem: `AKS in ${region} does not offer ${minor} under ${plan} (offered: ${available.join(", ") || "none"}; source: ${VERSIONS_SOURCE})` };
    }
    if (minor !== version && !entry.patchVersions[version]) {
        return { problem: `AKS in ${region} does not offer patch ${version} (offered: ${Object.keys(entry.patchVersions).join(", ")}; source: ${VERSIONS_SOURCE})` };
    }
    const lts = plan === "AKSLongTermSupport";
    const row = (lts ? AZURE_FACTS.calendar.lts : AZURE_FACTS.calendar.community).find((r) => r.kubernetesVersion === minor);
    const end = row && parseCalendarDate(lts ? row.ltsEndOfLife! : row.endOfLife);
    if (!end) return { problem: `the AKS calendar has no ${lts ? "LTS " : ""}end of life for ${minor} (source: ${CALENDAR_SOURCE})` };
    const daysLeft = Math.floor((end.getTime() - now.getTime()) / DAY_MS);
    const what = lts ? "LTS support" : "AKS community support";
    if (daysLeft < 0) return { endOfSupport: end, problem: `${minor} is past its ${what} (ended ${iso(end)}; source: ${CALENDAR_SOURCE})` };
    if (daysLeft <= warnDays) {
        return { endOfSupport: end, problem: `${minor} leaves ${what} on ${iso(end)}, ${daysLeft} days after ${iso(now)} (at most ${warnDays} allowed; source: ${CALENDAR_SOURCE})` };
    }
    return { endOfSupport: end };
}

/**
 * Why an Istio add-on revision cannot be installed on a cluster of `version` under `plan` in `region` at `now`
 * (undefined when it can): the region must list it (`az aks mesh get-revisions`) as compatible with the minor under
 * the plan (KubernetesOfficial or AKSLongTermSupport), and the add-on calendar's end of life must not have passed.
 */
export function meshRevisionProblem(region: string, revision: string, version: string, plan: SupportPlan, now: Date): string | undefined {
    const minor = version.split(".").slice(0, 2).join(".");
    const listed = AZURE_FACTS.meshRevisions[region]?.properties.meshRevisions ?? [];
    const source = MESH_REVISIONS_SOURCE.replace("<region>", region);
    const fits = (r: (typeof listed)[number]) => r.compatibleWith.find((c) => c.name === plan)?.versions.includes(minor);
    const entry = listed.find((r) => r.revision === revision);
    if (!entry || !fits(entry)) {
        const ok = listed.filter(fits).map((r) => r.revision);
        return `AKS in ${region} offers no Istio add-on revision ${revision} for Kubernetes ${minor} under ${plan} (compatible: ${ok.join(", ") || "none"}; source: ${source})`;
    }
    const row = AZURE_FACTS.istioCalendar.find((r) => r.revision === revision);
    const end = row && parseCalendarDate(row.endOfLife);
    if (end && end.getTime() < now.getTime()) return `${revision} is past its end of life (${row!.endOfLife}; source: ${ISTIO_CALENDAR_SOURCE})`;
    return undefined;
}

export function regionFact(region: string): RegionFact | undefined {
    return AZURE_FACTS.regions.find((r) => r.name === region);
}

export function featureRegistration(neededWhen: FeatureRegistration["neededWhen"]): FeatureRegistration {
    return AZURE_FACTS.features.find((f) => f.neededWhen === neededWhen)!;
}
