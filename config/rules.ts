/**
 * Rules that relate config fields to each other, to the stack name and to the SKU table.
 * Each returns problems rather than throwing so validation reports everything at once.
 */
import { checkName, type NameKind, regionCode, resourceName } from "./naming";
import { cronToRecurrence } from "./recurrence";
import { checkHubAddressPlan, checkSpokeAddressPlan } from "./address-plan";
import type { Problem } from "./problems";
import { factRegions, featureRegistration, kubernetesVersionVerdict, locationRestriction, meshRevisionProblem, regionFact, SKUS_SOURCE, skuIn } from "./azure-facts";
import { planNow } from "./clock";
import type { HubConfig, SpokeConfig } from "./schema";
import { VM_SKUS } from "./skus";

/** A cluster must stay supported this many days past the plan's now: an upgrade needs time to be planned. */
export const VERSION_WARN_DAYS = 30;

/** Stack names are <environment>-<region> for spokes and hub-<region> for the hub. */
export function parseStackName(stack: string): { environment: string; location: string } | undefined {
    const m = /^(dev|stg|prd|hub)-([a-z0-9]+)$/.exec(stack);
    return m ? { environment: m[1], location: m[2] } : undefined;
}

function checkStackName(stack: string, cfg: { environment: string; location: string }, hub: boolean): Problem[] {
    const parsed = parseStackName(stack);
    const problems: Problem[] = [];
    if (!parsed) return [{ path: ["environment"], message: `stack name '${stack}' is not <dev|stg|prd|hub>-<region>` }];
    if (!hub && parsed.environment !== cfg.environment) {
        problems.push({ path: ["environment"], message: `must match the stack name '${stack}' (expected ${parsed.environment})` });
    }
    if (parsed.location !== cfg.location) {
        problems.push({ path: ["location"], message: `must match the stack name '${stack}' (expected ${parsed.location})` });
    }
    return problems;
}

/** Names derived from the prefix must satisfy Azure's limits; reported against aiplatform:namePrefix. */
function checkDerivedNames(ctx: { prefix: string; environment: string; location: string }, kinds: NameKind[]): Problem[] {
    const problems: Problem[] = [];
    // A part the schema rejected was reported there; a name derived from it would only repeat that as nonsense.
    if (!ctx.prefix || !ctx.environment || !ctx.location) return problems;
    try {
        regionCode(ctx.location);
    } catch {
        return problems; // the schema already reported the location
    }
    for (const kind of kinds) {
        try {
            const name = resourceName(ctx, kind);
            const problem = checkName(kind, name);
            if (problem) problems.push({ path: ["namePrefix"], message: problem });
        } catch (e) {
            problems.push({ path: ["namePrefix"], message: (e as Error).message });
        }
    }
    return problems;
}

export function spokeRules(stack: string, cfg: SpokeConfig, now: Date = planNow()): Problem[] {
    const problems: Problem[] = [...checkStackName(stack, cfg, false), ...checkAzureFacts(cfg, now)];
    const prd = cfg.environment === "prd";
    problems.push(
        ...checkDerivedNames({ prefix: cfg.namePrefix, environment: cfg.environment, location: cfg.location }, [
            "storageAccount",
            "keyVault",
            "containerRegistry",
            "dnsPrefix",
            "aksCluster",
        ]),
    );

    const sys = cfg.aks.systemPool;
    if (sys.minCount > sys.maxCount) {
        problems.push({ path: ["aks", "systemPool", "minCount"], message: `must be ≤ aiplatform:aks.systemPool.maxCount (${sys.maxCount})` });
    }
    if (prd && sys.zones.length < 2) {
        problems.push({ path: ["aks", "systemPool", "zones"], message: "prd needs the system pool in at least 2 availability zones (e.g. [\"1\",\"2\",\"3\"])" });
    }
    if (VM_SKUS[sys.vmSize].gpu) problems.push({ path: ["aks", "systemPool", "vmSize"], message: "must be a CPU size; the system pool runs cluster add-ons" });
    if (sys.osDiskSizeGB > VM_SKUS[sys.vmSize].tempDiskGiB) {
        problems.push({
            path: ["aks", "systemPool", "osDiskSizeGB"],
            message: `must fit ${sys.vmSize}'s ${VM_SKUS[sys.vmSize].tempDiskGiB} GiB local disk: the system pool uses an ephemeral OS disk`,
        });
    }
    if (cfg.rbac.platform.length === 0) {
        problems.push({ path: ["rbac", "platform"], message: "needs at least one Entra group: it is the cluster admin group, and local accounts are disabled" });
    }
    if (cfg.notebooks && cfg.rbac.developerNamespaces.length === 0) {
        problems.push({ path: ["notebooks"], message: "needs aiplatform:rbac.developerNamespaces: JupyterHub starts notebook servers in the team namespaces (their quotas apply)" });
    }
    if (cfg.notebooks && cfg.rbac.developerNamespaces.length > 20) {
        // One federated credential per team namespace on the notebook identity; Azure allows 20 per identity.
        problems.push({ path: ["rbac", "developerNamespaces"], message: `lists ${cfg.rbac.developerNamespaces.length} namespaces; with notebooks on, at most 20 (federated credentials per identity)` });
    }
    if (cfg.environment && cfg.environment !== "dev" && !cfg.aks.serviceMesh) {
        problems.push({ path: ["aks", "serviceMesh"], message: `must be set in ${cfg.environment} (every workload namespace runs STRICT mTLS through the Istio add-on; e.g. { revision: asm-1-30 })` });
    }
    if (cfg.environment && cfg.environment !== "dev" && cfg.aks.tier === "Free") {
        problems.push({ path: ["aks", "tier"], message: `must be Standard or Premium in ${cfg.environment} (the Free tier has no uptime SLA)` });
    }

    const seen = new Set<string>();
    cfg.nodePools.forEach((pool, i) => {
        const at = (...k: string[]) => ["nodePools", i, ...k];
        const sku = VM_SKUS[pool.vmSize];
        if (pool.name === "system" || seen.has(pool.name)) problems.push({ path: at("name"), message: "must be unique and not 'system'" });
        seen.add(pool.name);
        if (pool.minCount > pool.maxCount) problems.push({ path: at("minCount"), message: `must be ≤ maxCount (${pool.maxCount})` });
        if (pool.spot && prd) problems.push({ path: at("spot"), message: "spot pools are not allowed in prd (evictions break production SLOs)" });
        if (sku.gpu && !pool.gpu) {
            problems.push({ path: at("gpu"), message: `${pool.vmSize} has ${sku.gpu.vendor} GPUs: set gpu.vendor: ${sku.gpu.vendor}` });
        }
        if (pool.gpu) {
            if (!sku.gpu) {
                problems.push({ path: at("gpu"), message: `${pool.vmSize} has no GPU; remove the gpu block` });
            } else if (sku.gpu.vendor !== pool.gpu.vendor) {
                problems.push({ path: at("gpu", "vendor"), message: `${pool.vmSize} has ${sku.gpu.vendor} GPUs, not ${pool.gpu.vendor}` });
            }
            if (pool.gpu.migProfile && !(sku.gpu?.vendor === "nvidia" && sku.gpu.migCapable)) {
                const capable = Object.entries(VM_SKUS).filter(([, s]) => s.gpu?.migCapable).map(([n]) => n);
                problems.push({ path: at("gpu", "migProfile"), message: `MIG needs a MIG-capable NVIDIA size (${capable.join(", ")}); ${pool.vmSize} is not` });
            }
            if (pool.gpu.amdPartition && sku.gpu?.vendor !== "amd") {
                problems.push({ path: at("gpu", "amdPartition"), message: `AMD partitioning applies to AMD Instinct sizes only; ${pool.vmSize} is not one` });
            }
            if (sku.gpu?.vendor === "amd" && !cfg.features.amdGpu) {
                const ib = featureRegistration("rdmaPool");
                problems.push({
                    path: at("vmSize"),
                    message: `AMD GPU sizes need subscription enablement (quota, and the ${ib.namespace}/${ib.name} feature for RDMA sizes; source: ${ib.source}): set aiplatform:features.amdGpu: true once granted`,
                });
            }
            if (pool.subnet !== "gpu") problems.push({ path: at("subnet"), message: "GPU pools go in the gpu subnet" });
        }
        if (pool.subnet === "ingressPublic" && !pool.taints.some((t) => t.endsWith(":NoSchedule"))) {
            problems.push({
                path: at("taints"),
                message: "a pool in the ingressPublic subnet needs a NoSchedule taint (e.g. aiplatform.io/ingress=public:NoSchedule) so only the public ingress runs there",
            });
        }
    });

    if (cfg.scaling.enabled) {
        if (prd) problems.push({ path: ["scaling", "enabled"], message: "scheduled scale-to-zero is for dev/stg; prd capacity follows the autoscaler only" });
        if (cfg.scaling.pools.length === 0) problems.push({ path: ["scaling", "pools"], message: "names no pool; list the pools to stop out of hours or set enabled: false" });
        for (const key of ["scaleDown", "scaleUp"] as const) {
            const r = cronToRecurrence(cfg.scaling[key], cfg.scaling.timeZone);
            if (typeof r === "string") problems.push({ path: ["scaling", key], message: r });
        }
    }
    for (const [j, name] of cfg.scaling.pools.entries()) {
        if (!cfg.nodePools.some((p) => p.name === name)) {
            problems.push({ path: ["scaling", "pools", j], message: `names no pool in aiplatform:nodePools (${cfg.nodePools.map((p) => p.name).join(", ") || "none"})` });
        }
    }
    if (cfg.features.registryGeoReplication) {
        const loc = cfg.registry.geoReplicaLocation;
        if (!loc) problems.push({ path: ["registry", "geoReplicaLocation"], message: "is required when aiplatform:features.registryGeoReplication is true" });
        else if (loc === cfg.location) problems.push({ path: ["registry", "geoReplicaLocation"], message: `must differ from the primary location ${cfg.location}` });
    }
    if (cfg.flux) {
        const refs = (["branch", "tag", "semver"] as const).filter((k) => cfg.flux![k] !== undefined);
        if (refs.length !== 1) problems.push({ path: ["flux"], message: "set exactly one of branch, tag or semver (commit goes with branch)" });
        else if (cfg.flux.commit !== undefined && !cfg.flux.branch) problems.push({ path: ["flux", "commit"], message: "needs branch: the managed Flux extension checks a commit out of a branch" });
        // A branch, tag or semver range moves whenever someone pushes: prd would change without the prd gate (issue 22 §5).
        else if (prd && cfg.flux.commit === undefined) {
            problems.push({ path: ["flux", refs[0]], message: "prd follows an exact revision: set aiplatform:flux.branch and aiplatform:flux.commit (40-hex SHA), which only the reviewed prd deploy changes" });
        }
    }
    if (cfg.features.edge && !cfg.edge) problems.push({ path: ["edge"], message: "is required when aiplatform:features.edge is true" });
    if (cfg.budget && cfg.budget.thresholds.length > 4) {
        // One Actual notification per threshold plus the Forecasted one at 100 %: Azure allows 5 per budget.
        problems.push({ path: ["budget", "thresholds"], message: `has ${cfg.budget.thresholds.length} thresholds; at most 4 (Azure allows 5 notifications per budget, one is the 100 % forecast)` });
    }
    if (prd && ["LRS", "GRS"].includes(cfg.dataLake.replication)) {
        problems.push({ path: ["dataLake", "replication"], message: "prd needs zone redundancy: ZRS, GZRS or RAGZRS" });
    }
    problems.push(...checkGatewayTeams(cfg));
    problems.push(...checkSpokeAddressPlan(cfg));
    return problems;
}

/** Gateway teams: unique names; a namespace holds one team's key (Secret `llm-gateway-key`) and is never a tenant namespace. */
function checkGatewayTeams(cfg: SpokeConfig): Problem[] {
    const problems: Problem[] = [];
    const names = new Set<string>();
    const owner = new Map<string, string>();
    cfg.gateway.teams.forEach((team, i) => {
        if (names.has(team.name)) problems.push({ path: ["gateway", "teams", i, "name"], message: "must be unique among aiplatform:gateway.teams" });
        names.add(team.name);
        team.namespaces.forEach((ns, j) => {
            const at = ["gateway", "teams", i, "namespaces", j];
            // Tenant namespaces are outside the ClusterSecretStore's conditions on purpose (README: tenant isolation).
            if (cfg.rbac.developerNamespaces.includes(ns)) {
                problems.push({ path: at, message: `is a tenant namespace (aiplatform:rbac.developerNamespaces), which ESO does not serve; run the app in a platform or ai namespace` });
            }
            const other = owner.get(ns);
            if (other !== undefined && other !== team.name) problems.push({ path: at, message: `already receives team ${other}'s key; one team per namespace` });
            owner.set(ns, team.name);
        });
    });
    return problems;
}

/** Where a size/zone choice meets the region's `az vm list-skus` facts. */
function checkSize(path: (string | number)[], vmSize: string, zones: string[], location: string): Problem[] {
    const sku = skuIn(location, vmSize);
    if (!sku) return [{ path: [...path, "vmSize"], message: `is not offered in ${location} (source: ${SKUS_SOURCE.replace("<region>", location)})` }];
    const restriction = locationRestriction(sku, location);
    if (restriction) return [{ path: [...path, "vmSize"], message: `is restricted in ${location} for this subscription (${restriction}; source: ${SKUS_SOURCE.replace("<region>", location)})` }];
    const offered = VM_SKUS[vmSize].zones[location];
    const bad = zones.filter((z) => !offered.includes(z));
    if (!bad.length) return [];
    const where = offered.length ? `zones [${offered.join(", ")}]` : "no availability zone (regional placement only: leave zones empty)";
    return [{ path: [...path, "zones"], message: `${vmSize} is offered in ${where} of ${location}, not [${bad.join(", ")}] (source: ${SKUS_SOURCE.replace("<region>", location)})` }];
}

/** Version, sizes, zones, capabilities and regions against config/azure-facts (what the region and calendar allow). */
function checkAzureFacts(cfg: SpokeConfig, now: Date): Problem[] {
    const problems: Problem[] = [];
    if (!factRegions().includes(cfg.location)) {
        // Without the region's facts nothing below can be judged: one problem, with the command that adds them.
        return [{ path: ["location"], message: `has no Azure facts (config/azure-facts/regions/${cfg.location}/): run npm run refresh:azure-facts -- --region ${cfg.location} with az logged in` }];
    }
    const verdict = kubernetesVersionVerdict(cfg.location, cfg.aks.kubernetesVersion, cfg.aks.supportPlan, now, VERSION_WARN_DAYS);
    if (verdict.problem) {
        const hint = cfg.aks.supportPlan === "KubernetesOfficial" ? "; pin a supported minor, or choose aks.supportPlan: AKSLongTermSupport (tier Premium)" : "";
        problems.push({ path: ["aks", "kubernetesVersion"], message: verdict.problem + hint });
    }
    if (cfg.aks.serviceMesh) {
        const problem = meshRevisionProblem(cfg.location, cfg.aks.serviceMesh.revision, cfg.aks.kubernetesVersion, cfg.aks.supportPlan, now);
        if (problem) problems.push({ path: ["aks", "serviceMesh", "revision"], message: problem });
    }
    if (cfg.aks.supportPlan === "AKSLongTermSupport" && cfg.aks.tier !== "Premium") {
        problems.push({ path: ["aks", "tier"], message: "must be Premium with aks.supportPlan AKSLongTermSupport (source: https://learn.microsoft.com/azure/aks/long-term-support)" });
    }
    const pools = [{ path: ["aks", "systemPool"], vmSize: cfg.aks.systemPool.vmSize, zones: cfg.aks.systemPool.zones }, ...cfg.nodePools.map((p, i) => ({ path: ["nodePools", i], ...p }))];
    for (const pool of pools) {
        const sizeProblems = checkSize(pool.path, pool.vmSize, pool.zones, cfg.location);
        problems.push(...sizeProblems);
        if (!sizeProblems.length && cfg.aks.encryptionAtHost && !VM_SKUS[pool.vmSize].encryptionAtHost) {
            problems.push({
                path: ["aks", "encryptionAtHost"],
                message: `${pool.vmSize} (${[...pool.path].join(".")}) does not support encryption at host (EncryptionAtHostSupported; source: ${SKUS_SOURCE.replace("<region>", cfg.location)}): pick another size or set false`,
            });
        }
    }
    const used: [(string | number)[], string | undefined][] = [
        [["location"], cfg.location],
        [["registry", "geoReplicaLocation"], cfg.features.registryGeoReplication ? cfg.registry.geoReplicaLocation : undefined],
    ];
    for (const [path, region] of used) {
        const fact = region ? regionFact(region) : undefined;
        if (!fact?.restricted || cfg.restrictedRegionAccess.some((a) => a.region === region)) continue;
        problems.push({
            path,
            message:
                `${region} is a restricted-access region (source: https://learn.microsoft.com/azure/reliability/regions-list): file a region access request ` +
                `(${fact.howToGetAccess?.replace(/^.*?(https:\/\/\S+).*$/, "$1")}), then add aiplatform:restrictedRegionAccess: [{ region: ${region}, request: <its number> }]`,
        });
    }
    cfg.restrictedRegionAccess.forEach((a, i) => {
        if (!regionFact(a.region)?.restricted) problems.push({ path: ["restrictedRegionAccess", i, "region"], message: `${a.region} is not a restricted-access region: remove the entry` });
    });
    return problems;
}

export function hubRules(stack: string, cfg: HubConfig): Problem[] {
    return [
        ...checkStackName(stack, cfg, true),
        ...checkDerivedNames({ prefix: cfg.namePrefix, environment: "hub", location: cfg.location }, ["logAnalytics", "firewall"]),
        ...checkHubAddressPlan(cfg),
    ];
}
