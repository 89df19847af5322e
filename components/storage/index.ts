/**
 * DataLake: the spoke's Data Lake Storage Gen2 account (hierarchical namespace) for model weights, datasets,
 * MLflow and Argo artifacts, Loki chunks and Tempo traces.
 *
 * Entra-only (shared keys and SAS off, OAuth by default in the portal), no anonymous access, TLS 1.2+, HTTPS
 * only, infrastructure (double) encryption, no cross-tenant replication, no SFTP/local users, public network
 * disabled with default-deny rules; reached through private endpoints for `blob` and `dfs`. Blob versioning
 * (config switch) and soft delete for blobs and containers; replication from config (ZRS in prd, GZRS for DR).
 * Containers are fixed by this module; who may read or write each one is decided by the workload identity table
 * (components/identity), scoped to the container, never to the account.
 */
import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";
import { diagnosticSettings } from "../core/diagnostics";
import type { Namer } from "../core/naming";
import { privateEndpoint } from "../network/private-endpoint";
import type { PrivateLinkArgs } from "../registry";
import type { LakeKey } from "../encryption";

/** The lake's containers: key → container name and purpose. */
export const LAKE_CONTAINERS = {
    models: { name: "models", purpose: "model weights and tokenizer files (read by model loaders)" },
    datasets: { name: "datasets", purpose: "training and evaluation data, documents to embed" },
    mlflow: { name: "mlflow", purpose: "MLflow run artifacts" },
    argo: { name: "argo-artifacts", purpose: "Argo Workflows artifact repository" },
    logs: { name: "logs", purpose: "Loki chunks and ruler data" },
    traces: { name: "traces", purpose: "Tempo trace blocks" },
    inference: { name: "inference-logs", purpose: "features of served requests and responses, no text (drift detection)" },
} as const;
export type LakeContainer = keyof typeof LAKE_CONTAINERS;

export type LakeReplication = "LRS" | "ZRS" | "GRS" | "GZRS" | "RAGZRS";

export interface DataLakeArgs {
    names: Namer;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    workspaceId: pulumi.Input<string>;
    privateLink: PrivateLinkArgs;
    /** Redundancy (dataLake.replication): ZRS at least in prd; GZRS/RAGZRS add the paired region for DR. */
    replication: LakeReplication;
    /** Days deleted blobs and containers stay restorable (dataLake.softDeleteDays). */
    softDeleteDays: number;
    /** Blob versioning (dataLake.versioning). */
    versioning: boolean;
    /** Customer-managed key (components/encryption; stg and prd); absent: Microsoft-managed keys. */
    customerManagedKey?: LakeKey;
}

export interface DataLakeOutputs {
    accountId: pulumi.Output<string>;
    accountName: pulumi.Output<string>;
    /** https://<account>.dfs.core.windows.net/ */
    dfsEndpoint: pulumi.Output<string>;
    /** https://<account>.blob.core.windows.net/ */
    blobEndpoint: pulumi.Output<string>;
    /** ARM id per container (role-assignment scopes). */
    containerIds: Record<LakeContainer, pulumi.Output<string>>;
    /** Container names per key (cluster-vars: logs_container, traces_container...). */
    containerNames: Record<LakeContainer, string>;
}

export function createDataLake(name: string, args: DataLakeArgs, parent: pulumi.Resource): DataLakeOutputs {
    const zones = args.privateLink.dnsZoneIds;
    if (!zones.blob || !zones.dfs) throw new pulumi.ResourceError("DataLake needs privateLink.dnsZoneIds.blob and .dfs", parent);
    const cmk = args.customerManagedKey;
    const account = new storage.StorageAccount(
        `${name}-st`,
        {
            accountName: args.names.of("storageAccount"),
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            kind: "StorageV2",
            sku: { name: `Standard_${args.replication}` },
            accessTier: "Hot",
            isHnsEnabled: true,
            allowSharedKeyAccess: false,
            allowBlobPublicAccess: false,
            defaultToOAuthAuthentication: true,
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: "TLS1_2",
            allowCrossTenantReplication: false,
            // Server-side copies only from accounts in this Entra tenant.
            allowedCopyScope: "AAD",
            isLocalUserEnabled: false,
            isSftpEnabled: false,
            publicNetworkAccess: "Disabled",
            networkRuleSet: { defaultAction: "Deny", bypass: "None", ipRules: [], virtualNetworkRules: [] },
            encryption: {
                ...(cmk
                    ? {
                          keySource: "Microsoft.Keyvault",
                          // No key version: the account follows the key's rotation policy.
                          keyVaultProperties: { keyName: cmk.keyName, keyVaultUri: cmk.vaultUri },
                          identity: { userAssignedIdentity: cmk.identityId },
                      }
                    : { keySource: "Microsoft.Storage" }),
                // Double encryption at rest; fixed at creation.
                requireInfrastructureEncryption: true,
                services: { blob: { enabled: true, keyType: "Account" }, file: { enabled: true, keyType: "Account" } },
            },
            ...(cmk ? { identity: { type: "UserAssigned", userAssignedIdentities: [cmk.identityId] } } : {}),
        },
        { parent },
    );

    const blobService = new storage.BlobServiceProperties(
        `${name}-blob`,
        {
            accountName: account.name,
            resourceGroupName: args.resourceGroupName,
            blobServicesName: "default",
            isVersioningEnabled: args.versioning,
            deleteRetentionPolicy: { enabled: true, days: args.softDeleteDays },
            containerDeleteRetentionPolicy: { enabled: true, days: args.softDeleteDays },
        },
        { parent },
    );

    const containerIds = {} as Record<LakeContainer, pulumi.Output<string>>;
    const containerNames = {} as Record<LakeContainer, string>;
    for (const [key, spec] of Object.entries(LAKE_CONTAINERS) as [LakeContainer, (typeof LAKE_CONTAINERS)[LakeContainer]][]) {
        const container = new storage.BlobContainer(
            `${name}-${spec.name}`,
            {
                accountName: account.name,
                resourceGroupName: args.resourceGroupName,
                containerName: spec.name,
                publicAccess: "None",
                metadata: { purpose: spec.purpose },
            },
            // Soft delete must be on before the first container can be deleted and restored.
            { parent, dependsOn: [blobService] },
        );
        containerIds[key] = container.id;
        containerNames[key] = spec.name;
    }

    for (const groupId of ["blob", "dfs"] as const) {
        privateEndpoint(
            `${name}-st-${groupId}`,
            {
                names: args.names,
                role: `st-${groupId}`,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                subnetId: args.privateLink.subnetId,
                targetId: account.id,
                groupId,
                privateDnsZoneId: zones[groupId]!,
            },
            parent,
        );
    }

    // Reads too: who read the data lake is its access trail (Checkov CKV2_AZURE_21, s5-storage-request-logging), at
    // the price of the Loki/Tempo/model-loader read volume in StorageBlobLogs.
    diagnosticSettings(
        `${name}-st-blob`,
        { resourceId: pulumi.interpolate`${account.id}/blobServices/default`, workspaceId: args.workspaceId, categories: ["StorageRead", "StorageWrite", "StorageDelete"], metrics: false },
        parent,
    );

    return {
        accountId: account.id,
        accountName: account.name,
        dfsEndpoint: account.primaryEndpoints.apply((e) => e.dfs),
        blobEndpoint: account.primaryEndpoints.apply((e) => e.blob),
        containerIds,
        containerNames,
    };
}

export class DataLake extends pulumi.ComponentResource implements DataLakeOutputs {
    public readonly accountId: pulumi.Output<string>;
    public readonly accountName: pulumi.Output<string>;
    public readonly dfsEndpoint: pulumi.Output<string>;
    public readonly blobEndpoint: pulumi.Output<string>;
    public readonly containerIds: Record<LakeContainer, pulumi.Output<string>>;
    public readonly containerNames: Record<LakeContainer, string>;

    constructor(name: string, args: DataLakeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:storage:DataLake", name, {}, opts);
        const out = createDataLake(name, args, this);
        this.accountId = out.accountId;
        this.accountName = out.accountName;
        this.dfsEndpoint = out.dfsEndpoint;
        this.blobEndpoint = out.blobEndpoint;
        this.containerIds = out.containerIds;
        this.containerNames = out.containerNames;
        this.registerOutputs({ accountId: out.accountId, accountName: out.accountName, dfsEndpoint: out.dfsEndpoint });
    }
}
