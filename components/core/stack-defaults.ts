/**
 * Cross-cutting behaviour applied once per stack: ownership tags on every azure-native resource that accepts
 * them (and on none that doesn't), and `protect` on prd's stateful resources.
 *
 * It is an SDK-side stack transformation (not an engine `transforms` hook) so it behaves the same under the
 * offline plan's mocks and in `pulumi up`: the plan shows exactly the tags and protection that will deploy.
 */
import * as pulumi from "@pulumi/pulumi";
import { isTaggable } from "../../config/upstream/azure-native-taggable";

/** Resources whose loss is data loss or an outage: protected from `pulumi destroy`/replace in prd. */
export const STATEFUL_TYPES = new Set<string>([
    "azure-native:containerservice:ManagedCluster",
    "azure-native:containerregistry:Registry",
    "azure-native:keyvault:Vault",
    // A customer-managed key and its disk encryption set: losing either makes the disks or the lake unreadable.
    "azure-native:keyvault:Key",
    "azure-native:compute:DiskEncryptionSet",
    "azure-native:storage:StorageAccount",
    "azure-native:operationalinsights:Workspace",
    "azure-native:dbforpostgresql:Server",
]);

export interface StackIdentity {
    environment: "dev" | "stg" | "prd";
    /** Stack region; a resource placed elsewhere (e.g. a geo-replica) is tagged with its own location. */
    location: string;
    team: string;
    owner: string;
    costCenter?: string;
}

export function standardTags(id: StackIdentity, location: unknown): Record<string, string> {
    const region = typeof location === "string" && location !== "global" ? location : id.location;
    return {
        environment: id.environment,
        region,
        team: id.team,
        owner: id.owner,
        ...(id.costCenter ? { costCenter: id.costCenter } : {}),
        managedBy: "pulumi",
    };
}

/** The transformation itself, exported for tests. */
export function stackDefaults(id: StackIdentity): pulumi.ResourceTransformation {
    return ({ type, props, opts }) => {
        if (!type.startsWith("azure-native:")) return undefined;
        let newProps = props;
        if (isTaggable(type)) {
            const tags = standardTags(id, props.location);
            // Standard tags win over a component's own tags of the same key: they are what policy and cost reports read.
            newProps = {
                ...props,
                tags: pulumi.Output.isInstance(props.tags)
                    ? (props.tags as pulumi.Output<Record<string, string> | undefined>).apply((t) => ({ ...(t ?? {}), ...tags }))
                    : { ...(props.tags ?? {}), ...tags },
            };
        }
        const protect = id.environment === "prd" && STATEFUL_TYPES.has(type);
        return { props: newProps, opts: protect ? { ...opts, protect: true } : opts };
    };
}

export function applyStackDefaults(id: StackIdentity): void {
    pulumi.runtime.registerStackTransformation(stackDefaults(id));
}
