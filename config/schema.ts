/**
 * The shape of stack config (`aiplatform:*` keys in Pulumi.<stack>.yaml), with defaults in one place.
 * Structural rules live here; rules that relate fields to each other live in rules.ts.
 */
import { z } from "zod";
import { KNOWN_VM_SIZES, MIG_PROFILES, REGION_CODES } from "./skus";

export const ENVIRONMENTS = ["dev", "stg", "prd"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

const cidr = z
    .string()
    .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, "must be an IPv4 CIDR such as 10.20.0.0/16");
const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, "must be an IPv4 address such as 10.0.0.4");
const guid = z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be an Entra object id (GUID)");
const email = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "must be an e-mail address");
const duration = z.string().regex(/^\d+(s|m|h)$/, "must be a duration such as 10s, 10m or 1h");
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a 24h time HH:MM");
export const cron = z.string().regex(/^(\S+\s+){4}\S+$/, "must be a 5-field cron expression such as '0 20 * * 1-5'");
const zone = z.enum(["1", "2", "3"]);
const isoDate = z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "must be a date YYYY-MM-DD")
    // The pattern admits 2026-02-30; the calendar does not.
    .refine((s) => {
        const d = new Date(`${s}T00:00:00Z`);
        return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) === s; // unparseable: the pattern reports it
    }, "is not a date in the calendar");
const labelKey = z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, "must be a Kubernetes label key");
const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

export const location = z.enum(Object.keys(REGION_CODES) as [string, ...string[]]);

export const ownershipTags = z.strictObject({
    /** Owning team, e.g. ml-platform. */
    team: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "must be lowercase letters, digits and hyphens (2-63)"),
    /** Accountable person or distribution list. */
    owner: email,
    /** Optional finance cost centre. */
    costCenter: z.string().regex(/^[A-Za-z0-9-]{2,32}$/, "must be 2-32 letters, digits or hyphens").optional(),
});

export const namePrefix = z
    .string()
    .regex(/^[a-z][a-z0-9]{1,5}$/, "must be 2-6 lowercase letters/digits starting with a letter");

const logAnalytics = z
    .strictObject({
        retentionDays: z.number().int().min(30).max(730).default(30),
        dailyQuotaGb: z.number().min(-1).default(-1),
    })
    .prefault({});

/** One node pool (the system pool has its own block under aks.systemPool). */
export const nodePool = z.strictObject({
    /** AKS pool name: Linux pools allow 1-12 lowercase alphanumerics starting with a letter. */
    name: z.string().regex(/^[a-z][a-z0-9]{0,11}$/, "must be 1-12 lowercase letters/digits starting with a letter"),
    vmSize: z.enum(KNOWN_VM_SIZES as [string, ...string[]]),
    mode: z.enum(["User"]).default("User"),
    minCount: z.number().int().min(0).max(1000),
    maxCount: z.number().int().min(1).max(1000),
    zones: z.array(zone).default([]),
    /** Spot pools are cheap and evictable: dev/stg only. */
    spot: z.boolean().default(false),
    /** Extra taints (`key=value:Effect`); vendor GPU and spot taints are added by the platform. */
    taints: z.array(z.string().regex(/^[^=:\s]+(=[^:\s]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$/, "must be key=value:Effect")).default([]),
    labels: z.record(labelKey, z.string().max(63)).default({}),
    /**
     * Which spoke subnet the pool's nodes live in. `ingressPublic` is for the public ingress pool only: its subnet's
     * route table returns replies to Cloudflare directly (see components/network), other node subnets cannot.
     */
    subnet: z.enum(["user", "gpu", "ingressPublic"]).default("user"),
    maxPods: z.number().int().min(30).max(250).default(50),
    osDiskSizeGB: z.number().int().min(30).max(2048).default(128),
    gpu: z
        .strictObject({
            vendor: z.enum(["nvidia", "amd"]),
            /** NVIDIA Multi-Instance GPU profile; MIG-capable NVIDIA sizes only. Immutable after create. */
            migProfile: z.enum(MIG_PROFILES).optional(),
            /** AMD Instinct partitioning applied by the AMD GPU operator; AMD sizes only. */
            amdPartition: z
                .strictObject({
                    compute: z.enum(["SPX", "DPX", "QPX", "CPX"]).default("SPX"),
                    memory: z.enum(["NPS1", "NPS4"]).default("NPS1"),
                })
                .optional(),
        })
        .optional(),
});
export type NodePoolConfig = z.infer<typeof nodePool>;

const maintenanceWindow = z.strictObject({
    dayOfWeek: z.enum(DAYS),
    startTime: hhmm,
    durationHours: z.number().int().min(4).max(24).default(4),
    intervalWeeks: z.number().int().min(1).max(4).default(1),
});

export const spokeSchema = z.strictObject({
    environment: z.enum(ENVIRONMENTS),
    location,
    namePrefix,
    /** Fully qualified name of the hub stack, e.g. myorg/aiplatform-hub/hub-uaenorth. */
    hubStack: z.string().regex(/^[\w.-]+\/[\w.-]+\/[\w.-]+$/, "must be <organization>/<project>/<stack>"),
    tags: ownershipTags,
    logAnalytics,
    network: z.strictObject({
        addressSpace: cidr,
        subnets: z.strictObject({
            system: cidr,
            user: cidr,
            gpu: cidr,
            /** AKS API server VNet integration; at least /28, delegated to Microsoft.ContainerService/managedClusters. */
            apiServer: cidr,
            ingressPublic: cidr,
            ingressInternal: cidr,
            privateEndpoints: cidr,
        }),
        /** CNI overlay pod range: must not overlap any VNet. */
        podCidr: cidr,
        serviceCidr: cidr,
        dnsServiceIp: ipv4,
    }),
    aks: z.strictObject({
        /** A minor (patch follows upgradeChannel) or exact patch that AKS offers in the region (config/azure-facts). */
        kubernetesVersion: z.string().regex(/^1\.\d{2}(\.\d+)?$/, "must be a Kubernetes version such as 1.36"),
        tier: z.enum(["Free", "Standard", "Premium"]),
        /**
         * AKSLongTermSupport keeps a minor supported one more year (AKS long-term-support.md); it needs tier Premium.
         * For a team that cannot upgrade yearly; the version must then be inside its LTS window instead.
         */
        supportPlan: z.enum(["KubernetesOfficial", "AKSLongTermSupport"]).default("KubernetesOfficial"),
        /**
         * The AKS-managed Istio add-on (README "Service identity and mTLS"): `revision` is an `asm-1-NN` AKS offers for
         * the pinned minor (config/azure-facts). Required in stg/prd, where every workload namespace runs STRICT mTLS;
         * absent = no mesh (dev).
         */
        serviceMesh: z.strictObject({ revision: z.string().regex(/^asm-\d+-\d+$/, "must be an Istio add-on revision such as asm-1-30") }).optional(),
        /** patch in dev/stg keeps up with fixes; prd pins minor versions and takes patches on its schedule. */
        upgradeChannel: z.enum(["patch", "stable", "rapid", "node-image"]),
        encryptionAtHost: z.boolean().default(true),
        systemPool: z.strictObject({
            vmSize: z.enum(KNOWN_VM_SIZES as [string, ...string[]]),
            minCount: z.number().int().min(1).max(100),
            maxCount: z.number().int().min(1).max(100),
            zones: z.array(zone).default([]),
            osDiskSizeGB: z.number().int().min(30).max(2048).default(128),
            maxPods: z.number().int().min(30).max(250).default(50),
        }),
        autoscaler: z
            .strictObject({
                scanInterval: duration.default("10s"),
                scaleDownDelayAfterAdd: duration.default("10m"),
                scaleDownUnneededTime: duration.default("10m"),
                expander: z.enum(["least-waste", "priority", "most-pods", "random"]).default("least-waste"),
            })
            .prefault({}),
        maintenance: z.strictObject({
            /** Kubernetes version upgrades. */
            autoUpgrade: maintenanceWindow,
            /** Node image upgrades. */
            nodeOs: maintenanceWindow,
            /** UTC offset the window times are in (AKS `utcOffset`); UAE time has no daylight saving. */
            utcOffset: z.string().regex(/^[+-](0\d|1[0-4]):(00|30|45)$/, "must be a UTC offset such as +04:00").default("+04:00"),
        }),
        monitoring: z
            .strictObject({
                /**
                 * Container Insights (logs, inventory) into the spoke workspace through a data collection rule: always
                 * on. Only `true` is accepted, so an explicit `false` is refused with the reason, not at plan time.
                 */
                containerInsights: z
                    .literal(true, { error: "Container Insights is required on every cluster (policy k17-aks-container-insights, Checkov CKV_AZURE_4); only true is allowed" })
                    .default(true),
                /**
                 * Azure Monitor managed Prometheus (ama-metrics → an Azure Monitor workspace). Off by default: the
                 * GitOps tree runs kube-prometheus-stack in the cluster; both would scrape every target twice.
                 */
                managedPrometheus: z.boolean().default(false),
            })
            .prefault({}),
    }),
    nodePools: z.array(nodePool).default([]),
    /** Out-of-hours scale-to-zero for user/GPU pools (dev/stg). */
    scaling: z
        .strictObject({
            enabled: z.boolean().default(false),
            timeZone: z.string().default("Arabian Standard Time"),
            scaleDown: cron.default("0 20 * * 1-5"),
            scaleUp: cron.default("0 7 * * 1-5"),
            pools: z.array(z.string()).default([]),
        })
        .prefault({}),
    features: z
        .strictObject({
            /** AMD MI300X pools need subscription enablement; off until it is granted. */
            amdGpu: z.boolean().default(false),
            /** Cloudflare edge (DNS, origin certificate, zone settings). */
            edge: z.boolean().default(true),
            /** ACR geo-replica to registry.geoReplicaLocation for DR. */
            registryGeoReplication: z.boolean().default(false),
        })
        .prefault({}),
    registry: z
        .strictObject({
            untaggedRetentionDays: z.number().int().min(1).max(365).default(7),
            geoReplicaLocation: location.optional(),
        })
        .prefault({}),
    /**
     * Restricted-access regions (config/azure-facts/regions.json, e.g. uaecentral) this stack deploys into, each
     * with the approved Azure region access request that lets the subscription use it. Required, not defaulted:
     * without the approval every create in that region fails.
     */
    restrictedRegionAccess: z
        .array(z.strictObject({ region: location, request: z.string().regex(/^\d{10,20}$/, "must be the number of the approved Azure support request (region access request)") }))
        .default([]),
    keyVault: z.strictObject({
        softDeleteRetentionDays: z.number().int().min(7).max(90).default(90),
        /** Days until generated secrets expire; rotation must happen before. */
        secretExpiryDays: z.number().int().min(30).max(730).default(180),
        /**
         * Date of the last rotation of generated secrets (YYYY-MM-DD). Changing it regenerates them (random
         * `keepers`) and moves their Key Vault expiry to this date + secretExpiryDays, so expiry is deterministic.
         */
        rotation: isoDate,
        /**
         * Customer-managed keys in this vault (components/encryption) for the AKS node disks (a disk encryption set)
         * and the data lake. On in stg and prd (policy k18/s8), off in dev (advisories). Turning it on for an existing
         * cluster replaces it: AKS takes a disk encryption set only at creation.
         */
        customerManagedKeys: z.boolean().default(false),
        /** Days after creation Key Vault rotates a customer-managed key (its rotation policy); it expires at twice that. */
        keyRotationDays: z.number().int().min(30).max(365).default(180),
    }),
    dataLake: z
        .strictObject({
            replication: z.enum(["LRS", "ZRS", "GRS", "GZRS", "RAGZRS"]).default("ZRS"),
            softDeleteDays: z.number().int().min(1).max(365).default(14),
            /**
             * Blob versioning. Off by default: Learn (versioning-overview.md) still lists accounts with a hierarchical
             * namespace as unsupported, and this account has one (terraform-provider-azurerm#19418). Soft delete
             * (softDeleteDays) stays on either way.
             */
            versioning: z.boolean().default(false),
        })
        .prefault({}),
    rbac: z
        .strictObject({
            /** Entra group object ids per persona. */
            developers: z.array(guid).default([]),
            platform: z.array(guid).default([]),
            /** Object id of the pipeline (automation) identity's service principal. */
            automation: guid.optional(),
            /** Namespaces the developers persona may write to; `team-` names them for the mesh's AuthorizationPolicies (`team-*`, Istio prefix match). */
            developerNamespaces: z.array(z.string().regex(/^team-[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a namespace name starting with team- (the mesh admits tenants as team-*)")).default([]),
        })
        .prefault({}),
    /**
     * The LLM gateway (LiteLLM, workloads/base/llm-gateway): one entry per team or app that calls it. Each team gets
     * its own API key (Key Vault secret `llm-gateway-key-<name>`, generated and rotated by Pulumi with
     * keyVault.rotation, delivered by ESO) and the limits below, enforced by the gateway per team.
     */
    gateway: z
        .strictObject({
            teams: z
                .array(
                    z.strictObject({
                        /** Team id in the gateway and in its metrics' `team` label; lowercase, 2-40 characters. */
                        name: z.string().regex(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/, "must be 2-40 lowercase letters, digits or hyphens, starting with a letter"),
                        /** Namespaces that receive the key as Secret `llm-gateway-key` (key `api-key`); platform/ai namespaces only (tenant namespaces are outside the ClusterSecretStore). */
                        namespaces: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a namespace name")).min(1),
                        /** Requests per minute across every gateway replica. */
                        rpm: z.number().int().min(1).max(1_000_000),
                        /** Tokens (prompt + completion) per minute across every gateway replica. */
                        tpm: z.number().int().min(1000).max(1_000_000_000),
                        /** Concurrent requests in flight. */
                        maxParallelRequests: z.number().int().min(1).max(10_000).default(32),
                        /**
                         * Token budget per period, charged at each model's internal price per token (workloads/models
                         * gateway.pricePerMillionTokens): the gateway refuses the team's requests once spent, until the period resets.
                         */
                        budget: z.strictObject({
                            usd: z.number().positive().max(1_000_000),
                            period: z.enum(["1d", "7d", "30d"]),
                        }),
                    }),
                )
                .default([]),
        })
        .prefault({}),
    /**
     * JupyterHub (workloads/base/notebooks). Its Entra app registration is made out of band (README "Notebooks"):
     * only its client id is config; the client secret is the Key Vault secret `jupyterhub-oauth-client-secret`.
     */
    notebooks: z
        .strictObject({
            /** Application (client) id of the JupyterHub app registration (emits group object ids in `groups`). */
            oauthClientId: guid,
            /** Minutes a notebook server may sit idle before the culler stops it (default 60). */
            idleCullMinutes: z.number().int().min(10).max(1440).default(60),
            /** Per-user home volume in GiB, in the user's team namespace (default 20). */
            homeGi: z.number().int().min(1).max(1024).default(20),
        })
        .optional(),
    budget: z
        .strictObject({
            monthlyAmount: z.number().positive(),
            contactEmails: z.array(email).min(1),
            /** Percent thresholds for actual (and forecast) spend alerts. */
            thresholds: z.array(z.number().positive().max(1000)).default([80, 100, 120]),
        })
        .optional(),
    flux: z
        .strictObject({
            repoUrl: z.string().regex(/^(https|ssh):\/\//, "must be an https:// or ssh:// Git URL"),
            /**
             * Exactly one of branch, tag or semver; `commit` pins a branch to one revision (the managed extension checks a
             * commit out of a branch). prd follows branch + commit: only the reviewed prd deploy moves it.
             */
            branch: z.string().optional(),
            commit: z.string().regex(/^[0-9a-f]{40}$/, "must be a full 40-hex commit SHA").optional(),
            tag: z.string().optional(),
            semver: z.string().optional(),
            extensionVersion: z.string().regex(/^\d+\.\d+\.\d+$/, "must be an exact version such as 1.16.0").optional(),
            releaseTrain: z.enum(["stable", "preview"]).default("stable"),
        })
        .optional(),
    edge: z
        .strictObject({
            /** Cloudflare zone id of the domain. */
            zoneId: z.string().regex(/^[0-9a-f]{32}$/, "must be a 32-hex Cloudflare zone id"),
            domain: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, "must be a DNS domain"),
            /** Host labels published through Cloudflare, e.g. [api] -> api.<env>.<domain>; each must be served by one nginx-public Ingress in the cluster (validate:gitops). */
            hostnames: z.array(z.string().regex(/^[a-z0-9-]+$/)).min(1),
            certValidityDays: z.union([z.literal(7), z.literal(30), z.literal(90), z.literal(365), z.literal(730), z.literal(1095), z.literal(5475)]).default(365),
            /** Date the origin certificate was last issued (YYYY-MM-DD); changing it issues a new key + certificate. */
            rotation: isoDate,
            /**
             * This stack owns the zone's settings (the security floor, components/edge/zone-settings.ts): exactly one
             * stack per zoneId sets it (checked across stack files), so zone-wide settings have one writer.
             */
            zoneOwner: z.boolean().default(false),
            /**
             * This stack owns the zone's managed WAF rules and rate limiting (zone-wide rulesets, paid plan): only the
             * zone's owner (zoneOwner) may set it.
             */
            waf: z.boolean().default(false),
            /**
             * Steering between the regions that serve this environment (components/edge/traffic.ts): every region's
             * stack carries the same block; one of them (`owner`) declares the steering. Absent: one region, a
             * proxied A record per host.
             */
            traffic: z
                .strictObject({
                    /** Regions serving this environment, in failover order: the first takes the traffic while healthy. */
                    regions: z.array(z.string().regex(/^[a-z0-9]+$/, "must be an Azure region name such as uaenorth")).min(2),
                    /** This stack declares the steering (load balancer, or failover record and health checks): one per environment and zone. */
                    owner: z.boolean().default(false),
                    /** Cloudflare Load Balancing (a paid add-on): a pool per region with a health monitor. false: DNS-only failover. */
                    loadBalancer: z.boolean().default(false),
                    /** Cloudflare account id: pools and monitors are account resources (required with loadBalancer). */
                    accountId: z.string().regex(/^[0-9a-f]{32}$/, "must be a 32-hex Cloudflare account id").optional(),
                    /** Path the health probes request on each region's public ingress (Host: the public host). */
                    healthPath: z.string().regex(/^\/\S*$/, "must be a path starting with /").default("/healthz"),
                })
                .optional(),
        })
        .optional(),
    /**
     * Cloudflare API token, only ever as a secret (`pulumi config set --secret aiplatform:cloudflareApiToken`); read
     * by components/edge/token.ts, listed here so validation accepts the key. CI sets CLOUDFLARE_API_TOKEN instead.
     */
    cloudflareApiToken: z.string().optional(),
});
export type SpokeConfig = z.infer<typeof spokeSchema>;

export const hubSchema = z.strictObject({
    /** The hub serves every environment and is run as production. */
    environment: z.literal("prd"),
    location,
    namePrefix,
    tags: ownershipTags,
    logAnalytics,
    /**
     * The spokes this hub serves and the address block it allocates to each (one firewall IP group per spoke). Each
     * spoke's aiplatform:network.addressSpace must be its block; the hub never reads spoke files, so a broken spoke
     * file fails that spoke alone.
     */
    spokes: z
        .record(z.string().regex(/^(dev|stg|prd)-[a-z0-9]+$/, "must be a spoke stack name <dev|stg|prd>-<region>"), cidr)
        .refine((m) => Object.keys(m).length > 0, "must allocate a block to at least one spoke"),
    /**
     * Each spoke's pipeline principal (its aiplatform:rbac.automation object id): the hub grants it exactly that
     * spoke's hub-side objects (components/hub/spoke-access.ts). A spoke without an entry gets no grants, and its
     * plan's permissions report fails naming the hub objects its pipeline cannot reach.
     */
    spokePipelines: z.record(z.string().regex(/^(dev|stg|prd)-[a-z0-9]+$/, "must be a spoke stack name <dev|stg|prd>-<region>"), guid).default({}),
    /**
     * Multi-region private DNS (issue 18): the hub stack (e.g. hub-uaenorth) that owns the privatelink zones every
     * region shares; this hub links its VNet to them instead of creating its own. Unset on exactly one hub, the owner.
     */
    privateDnsZonesHub: z.string().regex(/^hub-[a-z0-9]+$/, "must be a hub stack name hub-<region>").optional(),
    rbac: z
        .strictObject({
            /** Object id of the hub's own deploying identity's service principal; like a spoke's, used by no other stack. */
            automation: guid.optional(),
        })
        .prefault({}),
    network: z.strictObject({
        addressSpace: cidr,
        /**
         * The region's block: the hub VNet and every block in `spokes` lie inside it, and no two hubs' blocks overlap
         * (each hub routes a peer region's block to that region's firewall). Required once a second hub exists.
         */
        regionBlock: cidr.optional(),
        subnets: z.strictObject({
            /** AzureFirewallSubnet, at least /26. */
            firewall: cidr,
            /** AzureFirewallManagementSubnet (forced tunnelling), at least /26. */
            firewallManagement: cidr.optional(),
            gateway: cidr,
            bastion: cidr.optional(),
            sharedServices: cidr,
        }),
        /** Private DNS zone for internal ingress hostnames (records by the edge component), e.g. internal.ai.contoso.com. */
        internalDnsZone: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, "must be a DNS zone name such as internal.ai.contoso.com"),
    }),
    features: z
        .strictObject({
            bastion: z.boolean().default(false),
        })
        .prefault({}),
    /**
     * Microsoft Defender for Cloud plans for the subscription the platform runs in (one place: the hub). The AKS
     * Defender profile only reports when the Containers plan is on (Checkov CKV_AZURE_117 / Azure Policy
     * "Azure Kubernetes Service clusters should have Defender profile enabled").
     */
    defender: z
        .strictObject({
            containers: z.boolean().default(true),
            keyVaults: z.boolean().default(true),
            storage: z.boolean().default(true),
            resourceManager: z.boolean().default(true),
        })
        .prefault({}),
});
export type HubConfig = z.infer<typeof hubSchema>;
