/**
 * Secrets: the spoke's Key Vault and the secrets the platform generates.
 *
 * The vault authorizes by Azure RBAC only (no access policies), keeps purge protection on and soft-deleted items
 * for `softDeleteRetentionDays`, refuses public network access (default-deny ACLs; trusted Azure services bypass
 * them only when the vault holds customer-managed keys, which disk encryption sets and storage reach that way) and is reached
 * through a private endpoint; its audit events go to Log Analytics. Role assignments on it are exactly: Key Vault
 * Secrets User for the External Secrets Operator identity (declared by components/identity from its table) and
 * Key Vault Secrets Officer for the pipeline identity (declared here) — plus the platform persona's officer grant
 * (components/rbac). Nothing broader (no Key Vault Administrator, no Contributor on the vault).
 *
 * Generated secrets come from @pulumi/random with a `rotation` keeper (keyVault.rotation): bumping the date
 * regenerates every value and moves every expiry to rotation + secretExpiryDays. Values stay Pulumi secrets end to
 * end and are never stack outputs; only their names are.
 */
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { diagnosticSettings } from "../core/diagnostics";
import type { Namer } from "../core/naming";
import { privateEndpoint } from "../network/private-endpoint";
import type { PrivateLinkArgs } from "../registry";
import { grant, readyAfter } from "../rbac/roles";
import { expiryFrom, vaultSecret } from "./vault-secret";

/** Secrets the platform generates, by Key Vault secret name; ESO syncs them into the namespaces that use them. */
export const GENERATED_SECRETS = {
    "grafana-admin-password": { length: 32, special: true, consumer: "monitoring/grafana (kube-prometheus-stack admin)" },
    "mlflow-db-password": { length: 32, special: false, consumer: "mlflow/mlflow (PostgreSQL backend store)" },
    "mlflow-admin-password": { length: 32, special: false, consumer: "mlflow/mlflow (basic-auth admin user)" },
    "qdrant-api-key": { length: 48, special: false, consumer: "qdrant/qdrant (API key)" },
    "rag-api-key": { length: 48, special: false, consumer: "rag/rag (bearer token of the RAG API and MCP endpoint)" },
    "vllm-api-key": { length: 48, special: false, consumer: "ai-serving/vllm (OpenAI-compatible API key)" },
    // LiteLLM accepts only an sk- prefixed master key.
    "llm-gateway-master-key": { length: 48, special: false, prefix: "sk-", consumer: "llm-gateway/llm-gateway (LiteLLM master key, used by the key sync only)" },
    "llm-gateway-db-password": { length: 32, special: false, consumer: "llm-gateway/llm-gateway-db (PostgreSQL of the gateway)" },
    "llm-gateway-redis-password": { length: 32, special: false, consumer: "llm-gateway/llm-gateway-redis (rate-limit counters of the gateway)" },
    // special: false — it is part of the SQL registry's connection URL (workloads/base/feature-store/repo/feature_store.yaml).
    "feast-db-password": { length: 32, special: false, consumer: "feature-store/feast-online (PostgreSQL online store and registry), argo (feast steps)" },
} as const;
export type GeneratedSecretName = keyof typeof GENERATED_SECRETS;

/**
 * Secrets a person puts into the vault (their values never pass through Pulumi). Declared here so the audit
 * treats them as expected — each must still carry an expiry and a content type:
 * `az keyvault secret set --vault-name <vault> --name hf-token --file token.txt --content-type text/plain --expires <date>`.
 */
export const EXTERNAL_SECRETS = {
    "hf-token": { consumer: "ai-serving/vllm, argo (Hugging Face read token for gated models)" },
    "jupyterhub-oauth-client-secret": { consumer: "notebooks/jupyterhub (client secret of its Entra app registration)" },
} as const;
export type ExternalSecretName = keyof typeof EXTERNAL_SECRETS;

/** Key Vault secret holding a gateway team's API key (read by ESO in workloads/base/llm-gateway). */
export function gatewayKeyName(team: string): string {
    return `llm-gateway-key-${team}`;
}

export interface SecretsArgs {
    names: Namer;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    workspaceId: pulumi.Input<string>;
    privateLink: PrivateLinkArgs;
    /** Days soft-deleted vault items are kept (7-90; immutable after the vault is created). */
    softDeleteRetentionDays: number;
    /** Date of the last rotation (keyVault.rotation, YYYY-MM-DD): the random keeper and the base of every expiry. */
    rotation: string;
    /** Days from `rotation` to the generated secrets' expiry (keyVault.secretExpiryDays). */
    secretExpiryDays: number;
    /** Object id of the pipeline identity's service principal (rbac.automation): Key Vault Secrets Officer. */
    pipelinePrincipalId?: string;
    /** The vault holds customer-managed keys (keyVault.customerManagedKeys): let trusted Azure services through. */
    customerManagedKeys?: boolean;
    /** LLM gateway team names (gateway.teams[].name): one generated API key each, `llm-gateway-key-<team>`. Default none. */
    gatewayTeams?: string[];
}

export interface SecretsOutputs {
    vaultId: pulumi.Output<string>;
    vaultName: pulumi.Output<string>;
    /** e.g. https://kv-aip-prd-uaen.vault.azure.net/; resolves after the generated secrets and the pipeline grant exist. */
    vaultUri: pulumi.Output<string>;
    /** Names (not values) of the generated secrets in the vault. */
    generatedSecretNames: GeneratedSecretName[];
    /** Names of the secrets people put into the vault (EXTERNAL_SECRETS). */
    externalSecretNames: ExternalSecretName[];
    /** Names (not values) of the LLM gateway's per-team API keys, in gatewayTeams order. */
    gatewayKeyNames: string[];
    /** Expiry (ISO date) the generated secrets carry. */
    generatedSecretsExpireOn: string;
    tenantId: pulumi.Output<string>;
}

export function createSecrets(name: string, args: SecretsArgs, parent: pulumi.Resource): SecretsOutputs {
    if (!args.privateLink.dnsZoneIds.vault) throw new pulumi.ResourceError("Secrets needs privateLink.dnsZoneIds.vault", parent);
    const client = authorization.getClientConfigOutput({ parent });
    const vault = new keyvault.Vault(
        `${name}-kv`,
        {
            vaultName: args.names.of("keyVault"),
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            properties: {
                tenantId: client.tenantId,
                sku: { family: "A", name: "standard" },
                enableRbacAuthorization: true,
                enablePurgeProtection: true,
                enableSoftDelete: true,
                softDeleteRetentionInDays: args.softDeleteRetentionDays,
                enabledForDeployment: false,
                enabledForDiskEncryption: false,
                enabledForTemplateDeployment: false,
                publicNetworkAccess: "Disabled",
                networkAcls: { defaultAction: "Deny", bypass: args.customerManagedKeys ? "AzureServices" : "None", ipRules: [], virtualNetworkRules: [] },
            },
        },
        { parent },
    );

    privateEndpoint(
        `${name}-kv`,
        {
            names: args.names,
            role: "kv",
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            subnetId: args.privateLink.subnetId,
            targetId: vault.id,
            groupId: "vault",
            privateDnsZoneId: args.privateLink.dnsZoneIds.vault,
        },
        parent,
    );
    diagnosticSettings(`${name}-kv`, { resourceId: vault.id, workspaceId: args.workspaceId, categoryGroups: ["allLogs"] }, parent);

    const ready: pulumi.CustomResource[] = [];
    if (args.pipelinePrincipalId) {
        ready.push(
            grant(
                `${name}-pipeline-officer`,
                {
                    principalId: args.pipelinePrincipalId,
                    principalType: "ServicePrincipal",
                    role: "keyVaultSecretsOfficer",
                    scope: vault.id,
                    subscriptionId: client.subscriptionId,
                    description: "Pipeline identity manages secrets (rotation, edge certificates)",
                },
                parent,
            ),
        );
    }

    const expiresOn = expiryFrom(args.rotation, args.secretExpiryDays);
    const gatewayKeys = (args.gatewayTeams ?? []).map(gatewayKeyName);
    // LiteLLM accepts only virtual keys that start with `sk-` (README: LLM gateway), hence the prefix.
    const specs: [string, { length: number; special: boolean; prefix?: string }][] = [
        ...Object.entries(GENERATED_SECRETS).map(([n, s]): [string, { length: number; special: boolean; prefix?: string }] => [n, s]),
        ...gatewayKeys.map((n): [string, { length: number; special: boolean; prefix: string }] => [n, { length: 48, special: false, prefix: "sk-" }]),
    ];
    for (const [secretName, spec] of specs) {
        const value = new random.RandomPassword(
            `${name}-${secretName}`,
            {
                length: spec.length,
                special: spec.special,
                // Only shell-/URL-safe specials, so the value survives connection strings and Helm values.
                ...(spec.special ? { overrideSpecial: "-_.~" } : {}),
                minLower: 2,
                minUpper: 2,
                minNumeric: 2,
                keepers: { rotation: args.rotation },
            },
            { parent },
        );
        ready.push(
            vaultSecret(
                `${name}-${secretName}-secret`,
                {
                    vaultName: vault.name,
                    resourceGroupName: args.resourceGroupName,
                    secretName,
                    value: spec.prefix ? pulumi.interpolate`${spec.prefix}${value.result}` : value.result,
                    contentType: "text/plain",
                    expiresOn,
                },
                parent,
            ),
        );
    }

    return {
        vaultId: vault.id,
        vaultName: vault.name,
        vaultUri: readyAfter(vault.properties.apply((p) => p.vaultUri ?? ""), ready),
        generatedSecretNames: Object.keys(GENERATED_SECRETS) as GeneratedSecretName[],
        externalSecretNames: Object.keys(EXTERNAL_SECRETS) as ExternalSecretName[],
        gatewayKeyNames: gatewayKeys,
        generatedSecretsExpireOn: expiresOn.toISOString().slice(0, 10),
        tenantId: client.tenantId,
    };
}

export class Secrets extends pulumi.ComponentResource implements SecretsOutputs {
    public readonly vaultId: pulumi.Output<string>;
    public readonly vaultName: pulumi.Output<string>;
    public readonly vaultUri: pulumi.Output<string>;
    public readonly generatedSecretNames: GeneratedSecretName[];
    public readonly externalSecretNames: ExternalSecretName[];
    public readonly gatewayKeyNames: string[];
    public readonly generatedSecretsExpireOn: string;
    public readonly tenantId: pulumi.Output<string>;

    constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:secrets:Secrets", name, {}, opts);
        const out = createSecrets(name, args, this);
        this.vaultId = out.vaultId;
        this.vaultName = out.vaultName;
        this.vaultUri = out.vaultUri;
        this.generatedSecretNames = out.generatedSecretNames;
        this.externalSecretNames = out.externalSecretNames;
        this.gatewayKeyNames = out.gatewayKeyNames;
        this.generatedSecretsExpireOn = out.generatedSecretsExpireOn;
        this.tenantId = out.tenantId;
        this.registerOutputs({
            vaultId: out.vaultId,
            vaultName: out.vaultName,
            vaultUri: out.vaultUri,
            generatedSecretNames: out.generatedSecretNames,
            // Read by the audit (tools/audit): expected in the vault although Pulumi never writes them.
            externalSecretNames: out.externalSecretNames,
            gatewayKeyNames: out.gatewayKeyNames,
        });
    }
}
