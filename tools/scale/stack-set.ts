/**
 * A generated multi-region set of stack files, cloned from one template region's hub and spokes: what the plan's
 * discovery and ordering test and the bench's scale row run against (adding a region must be stack files only).
 *
 * Per region i (the template region is i = 0 and is returned unchanged): the location, `hubStack`, the hub's
 * `spokes`/`spokePipelines` maps, every address block moved to its own /10-sized slice of 10.0.0.0/8 (the second
 * octet + 64·i, so no block of one region overlaps another's), each pipeline principal made unique (the last 12 hex
 * digits carry the region's index), pool zones narrowed to what the region offers (vendored Azure facts; a size
 * offered without zones gets none), the zone-wide edge roles (`zoneOwner`, `waf`) left with the template region
 * (one writer per Cloudflare zone), and, with more than one region, `edge.traffic` on every spoke: the regions of an
 * environment steer between each other, the template region's spoke owning the steering (DNS-only failover).
 */
import * as YAML from "yaml";
import { VM_SKUS } from "../../config/skus";

export interface TemplateStack {
    stack: string;
    /** Path relative to the repository root (`hub/Pulumi.hub-uaenorth.yaml`, `Pulumi.dev-uaenorth.yaml`). */
    file: string;
    config: Record<string, unknown>;
}

/** The largest region index whose blocks still fit: 10.(x + 64·i) must stay below 256 for the template's blocks. */
const OCTET_STEP = 64;

type Json = Record<string, unknown>;

/** `10.30.4.0/22` → `10.94.4.0/22` for shift 64; anything else (172.16/16 service CIDRs, overlay pod CIDRs) unchanged. */
function shiftBlock(value: string, shift: number): string {
    return value.replace(/^10\.(\d+)\.(\d+\.\d+(?:\/\d+)?)$/, (_, octet: string, rest: string) => {
        const moved = Number(octet) + shift;
        if (moved > 255) throw new Error(`10.${octet}.${rest} cannot move by ${shift}: too many regions for the template's address plan`);
        return `10.${moved}.${rest}`;
    });
}

/** Object ids stay valid GUIDs: the last group becomes the region index, so each stack's pipeline principal differs. */
function regionGuid(guid: string, index: number): string {
    return index === 0 ? guid : `${guid.slice(0, 24)}${index.toString(16).padStart(12, "0")}`;
}

const renameStack = (name: string, from: string, to: string) => name.replace(new RegExp(`-${from}$`), `-${to}`);

function moveAddresses(network: Json, shift: number, podCidrKeys: ReadonlySet<string>): Json {
    const out: Json = {};
    for (const [k, v] of Object.entries(network)) {
        if (typeof v === "string" && !podCidrKeys.has(k)) out[k] = shiftBlock(v, shift);
        else if (v && typeof v === "object" && !Array.isArray(v)) out[k] = moveAddresses(v as Json, shift, podCidrKeys);
        else out[k] = v;
    }
    return out;
}

/** Zones a size is offered in, in this region (the vendored `az vm list-skus`): the template's zones narrowed to them. */
function regionZones(vmSize: unknown, zones: unknown, location: string): unknown {
    if (typeof vmSize !== "string" || !Array.isArray(zones)) return zones;
    const offered = VM_SKUS[vmSize]?.zones[location];
    return offered ? zones.filter((z) => offered.includes(String(z))) : zones;
}

function regionSpoke(config: Json, template: string, location: string, index: number, regions: string[]): Json {
    const c = structuredClone(config);
    const ns = (k: string) => `aiplatform:${k}`;
    const shift = index * OCTET_STEP;
    c["azure-native:location"] = location;
    c[ns("location")] = location;
    c[ns("hubStack")] = renameStack(String(c[ns("hubStack")]), template, location);
    c[ns("network")] = moveAddresses(c[ns("network")] as Json, shift, new Set(["podCidr", "serviceCidr", "dnsServiceIp"]));
    const rbac = c[ns("rbac")] as Json | undefined;
    if (rbac && typeof rbac.automation === "string") rbac.automation = regionGuid(rbac.automation, index);
    const aks = c[ns("aks")] as Json | undefined;
    const system = aks?.systemPool as Json | undefined;
    if (system) system.zones = regionZones(system.vmSize, system.zones, location);
    for (const pool of (c[ns("nodePools")] as Json[] | undefined) ?? []) pool.zones = regionZones(pool.vmSize, pool.zones, location);
    const registry = c[ns("registry")] as Json | undefined;
    if (registry?.geoReplicaLocation === location) registry.geoReplicaLocation = template;
    const edge = c[ns("edge")] as Json | undefined;
    if (edge && index > 0) {
        delete edge.zoneOwner;
        delete edge.waf;
    }
    if (edge && regions.length > 1) edge.traffic = { regions, owner: index === 0 };
    return c;
}

function regionHub(config: Json, template: string, location: string, index: number): Json {
    const c = structuredClone(config);
    const ns = (k: string) => `aiplatform:${k}`;
    const shift = index * OCTET_STEP;
    c["azure-native:location"] = location;
    c[ns("location")] = location;
    c[ns("network")] = moveAddresses(c[ns("network")] as Json, shift, new Set());
    const spokes = (c[ns("spokes")] as Record<string, string> | undefined) ?? {};
    c[ns("spokes")] = Object.fromEntries(Object.entries(spokes).map(([s, block]) => [renameStack(s, template, location), shiftBlock(block, shift)]));
    const pipelines = (c[ns("spokePipelines")] as Record<string, string> | undefined) ?? {};
    c[ns("spokePipelines")] = Object.fromEntries(Object.entries(pipelines).map(([s, id]) => [renameStack(s, template, location), regionGuid(id, index)]));
    return c;
}

export interface GeneratedStackFile {
    stack: string;
    /** Where it goes, relative to the repository root. */
    file: string;
    text: string;
}

/**
 * The template region's stacks cloned into each of `regions` (the first is the template's own region and keeps its
 * files as they are). `template` holds one hub and its spokes, all in `templateRegion`.
 */
export function regionStackFiles(template: TemplateStack[], templateRegion: string, regions: string[]): GeneratedStackFile[] {
    if (regions[0] !== templateRegion) throw new Error(`the first region must be the template's (${templateRegion}), not ${regions[0]}`);
    return regions.flatMap((location, index) =>
        template.map((t) => {
            const hub = t.stack.startsWith("hub-");
            const config = hub ? regionHub(t.config, templateRegion, location, index) : regionSpoke(t.config, templateRegion, location, index, regions);
            const stack = renameStack(t.stack, templateRegion, location);
            const file = t.file.replace(`Pulumi.${t.stack}.yaml`, `Pulumi.${stack}.yaml`);
            const header = `# Generated from ${t.file} for ${location} (tools/scale/stack-set.ts).\n`;
            return { stack, file, text: header + YAML.stringify({ config }) };
        }),
    );
}
