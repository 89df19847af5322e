/**
 * What the program declares about secrets and access, read from a stack export (the offline plan's
 * `.plan/<stack>.json`, or `pulumi stack export` of the deployed stack: same shape). The audit compares the live
 * vault, identities and role assignments against this.
 */
import type { ExportResource, StackExport } from "../plan/export";

export interface DeclaredSecret {
    vaultName: string;
    name: string;
    contentType?: string;
    /** Expiry in seconds since the epoch (attributes.expires). */
    expires?: number;
}

export interface DeclaredIdentity {
    name: string;
    resourceGroup: string;
    /** As planned: mock values offline, real ones in a deployed stack's export. */
    principalId?: string;
    clientId?: string;
}

export interface DeclaredFederation {
    identity: string;
    name: string;
    issuer?: string;
    subject: string;
    audiences: string[];
}

export interface DeclaredAssignment {
    /** `identity:<name>`, `kubelet:<cluster>`, an Entra object id (groups, the pipeline), or `computed:<type>`. */
    principal: string;
    principalType?: string;
    roleGuid: string;
    /** Normalized scope (see normalizeScope). */
    scope: string;
    description?: string;
}

export interface Inventory {
    stack?: string;
    resourceGroup?: string;
    vault?: { name: string; id?: string };
    registry?: { name: string; id?: string };
    storage?: { name: string; id?: string };
    cluster?: { name: string; resourceGroup: string; issuer?: string };
    secrets: DeclaredSecret[];
    /** Secrets people put into the vault (components/secrets personAddedSecrets, disabled placeholders until then): value never in Pulumi. */
    externalSecrets: string[];
    identities: DeclaredIdentity[];
    federations: DeclaredFederation[];
    assignments: DeclaredAssignment[];
    /** Object id of the pipeline's service principal (the automation persona), when declared. */
    pipelinePrincipalId?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Scope without the subscription id and casing, so a plan (mock subscription) compares with the live one. */
export function normalizeScope(scope: string): string {
    return scope.toLowerCase().replace(/\/+$/, "").replace(/^\/subscriptions\/[^/]+/, "/subscriptions/*");
}

export function roleGuidOf(roleDefinitionId: string): string {
    return roleDefinitionId.split("/").pop()!.toLowerCase();
}

function plain(v: unknown): unknown {
    // Secret envelopes (and computed placeholders) are opaque here.
    if (v && typeof v === "object" && "4dabf18193072939515e22adb298388d" in (v as object)) return undefined;
    return v;
}
const str = (v: unknown): string | undefined => (typeof plain(v) === "string" && (v as string).length ? (v as string) : undefined);

export function inventoryOf(doc: StackExport): Inventory {
    if (!doc || doc.version !== 3 || !Array.isArray(doc.deployment?.resources)) {
        throw new Error("not a stack export (version 3 with deployment.resources): pass .plan/<stack>.json or `pulumi stack export` output");
    }
    const resources = doc.deployment.resources;
    const of = (type: string): ExportResource[] => resources.filter((r) => r.type === type);
    const stackRes = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const inv: Inventory = { stack: stackRes?.urn.split("::")[0].replace("urn:pulumi:", ""), secrets: [], externalSecrets: [], identities: [], federations: [], assignments: [] };

    const vault = of("azure-native:keyvault:Vault")[0];
    if (vault) inv.vault = { name: String(vault.inputs.vaultName), id: vault.id };
    const registry = of("azure-native:containerregistry:Registry")[0];
    if (registry) inv.registry = { name: String(registry.inputs.registryName), id: registry.id };
    const account = of("azure-native:storage:StorageAccount")[0];
    if (account) inv.storage = { name: String(account.inputs.accountName), id: account.id };
    inv.resourceGroup = str(vault?.inputs.resourceGroupName) ?? str(of("azure-native:resources:ResourceGroup")[0]?.inputs.resourceGroupName);

    for (const r of of("aiplatform:secrets:Secrets")) {
        const names = (r.outputs as any)?.externalSecretNames;
        if (Array.isArray(names)) inv.externalSecrets.push(...names.filter((n): n is string => typeof n === "string"));
    }

    const principals = new Map<string, string>();
    const cluster = of("azure-native:containerservice:ManagedCluster")[0];
    if (cluster) {
        const name = String(cluster.inputs.resourceName);
        const out = cluster.outputs as any;
        inv.cluster = { name, resourceGroup: String(cluster.inputs.resourceGroupName), issuer: str(out?.oidcIssuerProfile?.issuerURL) };
        const kubelet = str(out?.identityProfile?.kubeletidentity?.objectId);
        if (kubelet) principals.set(kubelet.toLowerCase(), `kubelet:${name}`);
    }
    for (const r of of("azure-native:managedidentity:UserAssignedIdentity")) {
        const name = String(r.inputs.resourceName);
        const principalId = str((r.outputs as any).principalId);
        inv.identities.push({ name, resourceGroup: String(r.inputs.resourceGroupName), principalId, clientId: str((r.outputs as any).clientId) });
        if (principalId) principals.set(principalId.toLowerCase(), `identity:${name}`);
    }
    for (const r of of("azure-native:managedidentity:FederatedIdentityCredential")) {
        inv.federations.push({
            identity: String(r.inputs.resourceName),
            name: String(r.inputs.federatedIdentityCredentialResourceName),
            issuer: str(r.inputs.issuer),
            subject: String(r.inputs.subject),
            audiences: (r.inputs.audiences as string[]) ?? [],
        });
    }
    for (const r of of("azure-native:keyvault:Secret")) {
        // A person-added secret's placeholder: its value, expiry and content type are the person's, expected like any external secret.
        if (inv.externalSecrets.includes(String(r.inputs.secretName))) continue;
        const props = (r.inputs.properties ?? {}) as any;
        inv.secrets.push({
            vaultName: String(r.inputs.vaultName),
            name: String(r.inputs.secretName),
            contentType: str(props.contentType),
            expires: typeof props.attributes?.expires === "number" ? props.attributes.expires : undefined,
        });
    }
    // Principals produced by other resources (e.g. an extension's identity) are matched by role and scope only.
    const producers = new Map<string, string>();
    for (const r of resources) {
        for (const v of Object.values(r.outputs ?? {})) {
            const id = (v as any)?.principalId;
            if (typeof id === "string" && GUID.test(id) && !principals.has(id.toLowerCase())) producers.set(id.toLowerCase(), `computed:${r.type}`);
        }
    }
    for (const r of of("azure-native:authorization:RoleAssignment")) {
        const principalId = String(r.inputs.principalId ?? "").toLowerCase();
        const description = str(r.inputs.description);
        inv.assignments.push({
            principal: principals.get(principalId) ?? producers.get(principalId) ?? principalId,
            principalType: str(r.inputs.principalType),
            roleGuid: roleGuidOf(String(r.inputs.roleDefinitionId)),
            scope: normalizeScope(String(r.inputs.scope)),
            description,
        });
        if (description?.startsWith("persona automation")) inv.pipelinePrincipalId = principalId;
    }
    return inv;
}
