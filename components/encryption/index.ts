/**
 * CustomerManagedKeys: the keys stg and prd encrypt with instead of Microsoft's (keyVault.customerManagedKeys).
 *
 * Two RSA keys in the spoke's Key Vault, each with a rotation policy (rotate `rotationDays` after creation, expire
 * at twice that, notify 30 days before expiry): one behind a disk encryption set for the AKS node OS and data disks
 * (Checkov CKV_AZURE_117), one for the data lake (CKV2_AZURE_1). Each consumer gets its own user-assigned identity
 * holding Key Vault Crypto Service Encryption User on the vault (the scope Azure documents for storage CMK), granted
 * before the consumer exists. Both consumers follow the key's newest version: the disk encryption set through
 * rotationToLatestKeyVersionEnabled, the storage account by naming the key without a version.
 *
 * The vault must let trusted Azure services through its firewall (components/secrets does when this is on): disk
 * encryption sets and storage reach the key as trusted services, never through the private endpoint.
 */
import * as compute from "@pulumi/azure-native/compute";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import type { Namer } from "../core/naming";
import { grant, subscriptionIdOf } from "../rbac/roles";

export interface CustomerManagedKeysArgs {
    names: Namer;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    /** The spoke's vault (Secrets.vaultId / vaultName / vaultUri); purge protection is on there, as CMK requires. */
    vaultId: pulumi.Input<string>;
    vaultName: pulumi.Input<string>;
    vaultUri: pulumi.Input<string>;
    /** Days after creation Key Vault rotates each key (keyVault.keyRotationDays); keys expire at twice that. */
    rotationDays: number;
}

/** What the data lake needs to encrypt with its key. */
export interface LakeKey {
    /** User-assigned identity the storage account uses to reach the key. */
    identityId: pulumi.Output<string>;
    keyName: pulumi.Output<string>;
    vaultUri: pulumi.Input<string>;
}

export interface CustomerManagedKeysOutputs {
    /** compute:DiskEncryptionSet id for ManagedCluster.diskEncryptionSetID. */
    diskEncryptionSetId: pulumi.Output<string>;
    lakeKey: LakeKey;
}

/** Key names in the vault. */
export const CMK_KEYS = { disks: "aks-node-disks", lake: "data-lake" } as const;

export function createCustomerManagedKeys(name: string, args: CustomerManagedKeysArgs, parent: pulumi.Resource): CustomerManagedKeysOutputs {
    const subscriptionId = subscriptionIdOf(parent);
    const key = (role: keyof typeof CMK_KEYS) =>
        new keyvault.Key(
            `${name}-${role}-key`,
            {
                vaultName: args.vaultName,
                resourceGroupName: args.resourceGroupName,
                keyName: CMK_KEYS[role],
                properties: {
                    kty: "RSA",
                    keySize: 3072,
                    keyOps: ["wrapKey", "unwrapKey"],
                    rotationPolicy: {
                        attributes: { expiryTime: `P${2 * args.rotationDays}D` },
                        lifetimeActions: [
                            { action: { type: "rotate" }, trigger: { timeAfterCreate: `P${args.rotationDays}D` } },
                            { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } },
                        ],
                    },
                },
            },
            { parent },
        );
    const identity = (role: string) =>
        new managedidentity.UserAssignedIdentity(
            `${name}-${role}-identity`,
            { resourceName: args.names.of("managedIdentity", role), resourceGroupName: args.resourceGroupName, location: args.location },
            { parent },
        );
    const encryptionUser = (role: string, id: managedidentity.UserAssignedIdentity, why: string) =>
        grant(
            `${name}-${role}-crypto-user`,
            { principalId: id.principalId, principalType: "ServicePrincipal", role: "keyVaultCryptoServiceEncryptionUser", scope: args.vaultId, subscriptionId, description: why },
            parent,
        );

    const diskKey = key("disks");
    const desIdentity = identity("des");
    const desGrant = encryptionUser("des", desIdentity, "Disk encryption set: wrap and unwrap the AKS node disks' key");
    const des = new compute.DiskEncryptionSet(
        `${name}-des`,
        {
            diskEncryptionSetName: args.names.of("diskEncryptionSet"),
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            encryptionType: "EncryptionAtRestWithCustomerKey",
            identity: { type: "UserAssigned", userAssignedIdentities: [desIdentity.id] },
            activeKey: { keyUrl: diskKey.keyUriWithVersion, sourceVault: { id: args.vaultId } },
            rotationToLatestKeyVersionEnabled: true,
        },
        // Azure checks the key is reachable when the set is created.
        { parent, dependsOn: [desGrant] },
    );

    const lakeKey = key("lake");
    const lakeIdentity = identity("lake-cmk");
    const lakeGrant = encryptionUser("lake", lakeIdentity, "Data lake: wrap and unwrap its account encryption key");
    return {
        diskEncryptionSetId: des.id,
        lakeKey: {
            // Resolves after the grant: the storage account validates the key with this identity when it is created.
            identityId: pulumi.all([lakeIdentity.id, lakeGrant.id]).apply(([id]) => id),
            keyName: lakeKey.name,
            vaultUri: args.vaultUri,
        },
    };
}

export class CustomerManagedKeys extends pulumi.ComponentResource {
    public readonly diskEncryptionSetId: pulumi.Output<string>;
    public readonly lakeKey: LakeKey;

    constructor(name: string, args: CustomerManagedKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:encryption:CustomerManagedKeys", name, {}, opts);
        const out = createCustomerManagedKeys(name, args, this);
        this.diskEncryptionSetId = out.diskEncryptionSetId;
        this.lakeKey = out.lakeKey;
        this.registerOutputs({ diskEncryptionSetId: this.diskEncryptionSetId, lakeKeyName: this.lakeKey.keyName });
    }
}
