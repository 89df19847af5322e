/**
 * Customer-managed keys (keyVault.customerManagedKeys, on in stg and prd): node disks behind a disk encryption set
 * and the data lake each encrypt with their own rotating key in the spoke's vault, through an identity granted
 * before use; dev keeps Microsoft-managed keys (the pack's advisories say so).
 */
import { one, ofType, resources, SPOKES } from "../support/plan";
import { cfgOf } from "../aks/support";

const KEY = "azure-native:keyvault:Key";
const DES = "azure-native:compute:DiskEncryptionSet";
const CRYPTO_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

const vaultOf = (stack: string) => one(stack, "azure-native:keyvault:Vault");
const identityId = (stack: string, suffix: string) => String(resources(stack).find((r) => r.type === "azure-native:managedidentity:UserAssignedIdentity" && r.urn.endsWith(`::${suffix}`))!.id);
const grantsOf = (stack: string, roleGuid: string) => ofType(stack, "azure-native:authorization:RoleAssignment").filter((r) => String(r.inputs.roleDefinitionId).endsWith(`/${roleGuid}`));

describe.each(SPOKES)("%s", (stack) => {
    const on = () => cfgOf(stack).keyVault.customerManagedKeys as boolean;

    it("turns customer-managed keys on exactly in stg and prd", () => {
        expect(on()).toBe(!stack.startsWith("dev"));
    });

    it("keys rotate and expire by policy (rotate after keyRotationDays, expire at twice that, notify 30 days ahead)", () => {
        const keys = ofType(stack, KEY);
        if (!on()) return expect(keys).toHaveLength(0);
        const days = cfgOf(stack).keyVault.keyRotationDays;
        expect(keys.map((k) => k.inputs.keyName).sort()).toEqual(["aks-node-disks", "data-lake"]);
        for (const k of keys) {
            expect(k.inputs.vaultName).toBe(vaultOf(stack).inputs.vaultName);
            expect((k.inputs.properties as any).rotationPolicy).toEqual({
                attributes: { expiryTime: `P${2 * days}D` },
                lifetimeActions: [
                    { action: { type: "rotate" }, trigger: { timeAfterCreate: `P${days}D` } },
                    { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } },
                ],
            });
            expect(k.protect ?? false).toBe(stack.startsWith("prd"));
        }
    });

    it("node disks: a disk encryption set on the disks key, following its versions, named on the cluster at creation", () => {
        const cluster = one(stack, "azure-native:containerservice:ManagedCluster");
        if (!on()) {
            expect(ofType(stack, DES)).toHaveLength(0);
            return expect(cluster.inputs.diskEncryptionSetID).toBeUndefined();
        }
        const des = one(stack, DES);
        const diskKey = ofType(stack, KEY).find((k) => k.inputs.keyName === "aks-node-disks")!;
        expect(des.inputs).toMatchObject({
            encryptionType: "EncryptionAtRestWithCustomerKey",
            rotationToLatestKeyVersionEnabled: true,
            activeKey: { keyUrl: diskKey.outputs.keyUriWithVersion, sourceVault: { id: vaultOf(stack).id } },
            identity: { type: "UserAssigned", userAssignedIdentities: [identityId(stack, "spoke-des-identity")] },
        });
        expect(cluster.inputs.diskEncryptionSetID).toBe(des.id);
        const reader = grantsOf(stack, READER).filter((g) => g.inputs.scope === des.id);
        expect(reader).toHaveLength(1);
        expect(cluster.dependencies).toContain(reader[0].urn);
        expect(des.dependencies).toEqual(expect.arrayContaining(grantsOf(stack, CRYPTO_USER).filter((g) => g.urn.includes("des")).map((g) => g.urn)));
    });

    it("data lake: its own key, versionless, through a user-assigned identity", () => {
        const account = one(stack, "azure-native:storage:StorageAccount");
        const enc = account.inputs.encryption as any;
        if (!on()) return expect(enc.keySource).toBe("Microsoft.Storage");
        const id = identityId(stack, "spoke-lake-cmk-identity");
        expect(enc).toMatchObject({ keySource: "Microsoft.Keyvault", keyVaultProperties: { keyName: "data-lake", keyVaultUri: (vaultOf(stack).outputs.properties as any).vaultUri }, identity: { userAssignedIdentity: id } });
        expect(enc.keyVaultProperties.keyVersion).toBeUndefined();
        expect(account.inputs.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [id] });
    });

    it("each key user holds Key Vault Crypto Service Encryption User on the vault, and the vault lets trusted services through", () => {
        const grants = grantsOf(stack, CRYPTO_USER);
        const bypass = (vaultOf(stack).inputs.properties as any).networkAcls.bypass;
        if (!on()) {
            expect(grants).toHaveLength(0);
            return expect(bypass).toBe("None");
        }
        expect(bypass).toBe("AzureServices");
        expect(grants.map((g) => g.inputs.scope)).toEqual([vaultOf(stack).id, vaultOf(stack).id]);
        expect(grants.map((g) => g.inputs.principalType)).toEqual(["ServicePrincipal", "ServicePrincipal"]);
    });
});
