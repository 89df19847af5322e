/**
 * The cluster's user pools (CPU, NVIDIA, AMD, spot), each a standalone AgentPool built from its pool facts, so
 * taints and labels here are exactly what the GitOps side generates tolerations and affinities from.
 *
 * Only the system pool lives inline in the ManagedCluster; a standalone AgentPool per user pool keeps Pulumi from
 * fighting itself (an inline edit rewrites every pool: pulumi-azure-native#4264, #2719).
 */
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as pulumi from "@pulumi/pulumi";
import { maxSurgeSetting } from "../../config/address-plan";
import type { NodePoolConfig } from "../../config/schema";
import { VM_SKUS } from "../../config/skus";
import { type PoolFacts, userPoolFacts } from "./facts";

export * from "./facts";

/**
 * Pool properties AKS cannot change in place. A change to any of them replaces the pool (delete, then create under
 * the same name), which drains its nodes: change VM size by adding a new pool instead. (A MIG profile is a node
 * label the GPU operator's MIG manager applies in place.)
 */
export const IMMUTABLE_POOL_PROPERTIES = [
    "vmSize",
    "osDiskType",
    "osDiskSizeGB",
    "maxPods",
    "vnetSubnetID",
    "availabilityZones",
    "scaleSetPriority",
    "enableEncryptionAtHost",
] as const;

/** Ephemeral OS disks live on the VM's local disk: faster, no disk cost, reimaged on upgrade. */
export function osDiskType(vmSize: string, osDiskSizeGB: number): "Ephemeral" | "Managed" {
    const sku = VM_SKUS[vmSize];
    return sku?.ephemeralOsDisk && osDiskSizeGB <= sku.tempDiskGiB ? "Ephemeral" : "Managed";
}

export interface NodePoolsArgs {
    /** Name of the ManagedCluster the pools join. */
    clusterName: pulumi.Input<string>;
    /** Resource group of the cluster. */
    resourceGroupName: pulumi.Input<string>;
    /** The user pools from `aiplatform:nodePools`, in config order (the system pool is inline in the cluster). */
    pools: NodePoolConfig[];
    /** Node subnets by the pool's `subnet` key (SpokeNetwork.subnetIds.user / .gpu / .ingressPublic). */
    subnetIds: Record<NodePoolConfig["subnet"], pulumi.Input<string>>;
    /** Encryption at host on every node (temp disk and OS/data disk caches); `aiplatform:aks.encryptionAtHost`. */
    encryptionAtHost: boolean;
}

export interface NodePoolsOutputs {
    /** The facts of each pool, in config order: what the pools were built from. */
    facts: PoolFacts[];
    /** ARM ids of the AgentPools by pool name. */
    poolIds: Record<string, pulumi.Output<string>>;
}

/** The AgentPool arguments for one pool: facts decide scheduling (taints, labels, GPU), config the hardware. */
export function agentPoolArgs(pool: NodePoolConfig, facts: PoolFacts, args: Omit<NodePoolsArgs, "pools">): containerservice.AgentPoolArgs {
    const surge = maxSurgeSetting(pool);
    return {
        agentPoolName: pool.name,
        resourceName: args.clusterName,
        resourceGroupName: args.resourceGroupName,
        mode: "User",
        type: "VirtualMachineScaleSets",
        vmSize: pool.vmSize,
        osType: "Linux",
        osSKU: facts.osSku,
        osDiskType: osDiskType(pool.vmSize, pool.osDiskSizeGB),
        osDiskSizeGB: pool.osDiskSizeGB,
        maxPods: pool.maxPods,
        ...(pool.zones.length ? { availabilityZones: pool.zones } : {}),
        vnetSubnetID: args.subnetIds[pool.subnet],
        enableAutoScaling: true,
        // Required on create (pulumi-azure-native#2943); the autoscaler owns it afterwards (see ignoreChanges).
        count: pool.minCount,
        minCount: pool.minCount,
        maxCount: pool.maxCount,
        nodeTaints: facts.taints,
        nodeLabels: facts.labels,
        enableEncryptionAtHost: args.encryptionAtHost,
        enableNodePublicIP: false,
        securityProfile: { sshAccess: "Disabled" },
        ...(surge ? { upgradeSettings: { maxSurge: surge } } : {}),
        ...(pool.spot
            ? { scaleSetPriority: "Spot", scaleSetEvictionPolicy: "Delete", spotMaxPrice: -1 }
            : { scaleSetPriority: "Regular" }),
        // The NVIDIA / AMD GPU operator (GitOps) installs driver, toolkit, device plugin and MIG manager. No
        // gpuInstanceProfile: AKS partitions MIG only when it installs the driver itself, so with driver None it would
        // do nothing but pin the pool to a replacement; the MIG manager partitions from the pool's
        // nvidia.com/mig.config label (pool facts), the one owner of MIG.
        ...(facts.gpu ? { gpuProfile: { driver: "None" } } : {}),
    };
}

export function createNodePools(name: string, args: NodePoolsArgs, parent: pulumi.Resource): NodePoolsOutputs {
    const facts: PoolFacts[] = [];
    const poolIds: Record<string, pulumi.Output<string>> = {};
    let previous: containerservice.AgentPool | undefined;
    for (const pool of args.pools) {
        const f = userPoolFacts(pool);
        facts.push(f);
        const agentPool = new containerservice.AgentPool(`${name}-${pool.name}`, agentPoolArgs(pool, f, args), {
            parent,
            // One pool at a time: AKS refuses a pool write while another pool of the cluster is being written
            // (409 OperationNotAllowed, aka.ms/aks-pending-operation; Azure/AKS#1913).
            dependsOn: previous ? [previous] : [],
            // VM size and the other IMMUTABLE_POOL_PROPERTIES cannot be updated by AKS
            // (az aks nodepool update has no flag for them): make a change a visible replacement in the plan.
            replaceOnChanges: [...IMMUTABLE_POOL_PROPERTIES],
            // The pool name is fixed, so the old pool must go before the new one can take its name.
            deleteBeforeReplace: true,
            // The cluster autoscaler (and the scheduled stop/start) move the node count; re-applying `count`
            // would resize a live pool (same drift as pulumi-azure-native#2943 / pulumi-azure#780).
            ignoreChanges: ["count"],
        });
        poolIds[pool.name] = agentPool.id;
        previous = agentPool;
    }
    return { facts, poolIds };
}

/** The user pools of one cluster; type token `aiplatform:aks:NodePools`. */
export class NodePools extends pulumi.ComponentResource implements NodePoolsOutputs {
    public readonly facts: PoolFacts[];
    public readonly poolIds: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: NodePoolsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:aks:NodePools", name, {}, opts);
        const out = createNodePools(name, args, this);
        this.facts = out.facts;
        this.poolIds = out.poolIds;
        this.registerOutputs({ facts: out.facts, poolIds: out.poolIds });
    }
}
