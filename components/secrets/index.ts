/**
 * Secrets: the spoke's Key Vault and the secrets the platform generates.
 *
 * The vault authorizes by Azure RBAC only (no access policies), keeps purge protection on and soft-deleted items
 * for `softDeleteRetentionDays`, refuses public network access (default-deny ACLs; trusted Azure services bypass
 * them only when the vault holds customer-managed keys, which disk encryption sets and storage reach that way) and is reached
 * through a private endpoint; its audit events go to Log Analytics. Role assignments on it are exactly: Key Vault
 * Secrets Officer for the pipeline identity (declared here) and the platform persona (components/rbac); the External
 * Secrets Operator identity holds Secrets User on each secret the GitOps tree reads, one by one (components/identity,
 * scopes from `secretIds`). Nothing broader (no Key Vault Administrator, no Contributor on the vault).
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

import { GENERATED_SECRETS, type GeneratedSecretName } from "./generated";

export { GENERATED_SECRETS, type GeneratedSecretName };

/**
 * Secrets a person puts into the vault (their values never pass through Pulumi): every secret the cluster's
 * ExternalSecrets read (`esoReads`, from the GitOps tree) that this component does not generate and no other component
 * writes (`writtenElsewhere`, the edge's). Each exists from the first deploy as a disabled placeholder — the scope of
 * ESO's per-secret grant — until the person writes the value, with an expiry and a content type:
 * `az keyvault secret set --vault-name <vault> --name hf-token --file token.txt --content-type text/plain --expires <date>`
 * (a new version, enabled; Pulumi ignores every change to it).
 */
export function personAddedSecrets(esoReads: readonly string[], generated: readonly string[], writtenElsewhere: readonly string[] = []): string[] {
    return esoReads.filter((n) => !generated.includes(n) && !writtenElsewhere.includes(n));
}

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
    /** Secret names the cluster's ExternalSecrets read (esoSecretNames, from the GitOps tree). */
    esoReads: readonly string[];
    /** Of those, the ones another component writes (the edge's certificates); the rest not generated here are person-added. */
    writtenElsewhere?: readonly string[];
}

export interface SecretsOutputs {
    vaultId: pulumi.Output<string>;
    vaultName: pulumi.Output<string>;
    /** e.g. https://kv-aip-prd-uaen.vault.azure.net/; resolves after the generated secrets and the pipeline grant exist. */
    vaultUri: pulumi.Output<string>;
    /** Names (not values) of the generated secrets in the vault. */
    generatedSecretNames: GeneratedSecretName[];
    /** Names of the secrets people put into the vault (personAddedSecrets), created here as disabled placeholders. */
    externalSecretNames: string[];
    /** ARM id of every secret this component creates (generated and placeholders), by name: ESO's grant scopes. */
    secretIds: Record<string, pulumi.Output<string>>;
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
    const secretIds: Record<string, pulumi.Output<string>> = {};
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
        const secret = vaultSecret(
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
        );
        ready.push(secret);
        secretIds[secretName] = secret.id;
    }
    const external = personAddedSecrets(args.esoReads, specs.map(([n]) => n), args.writtenElsewhere);
    for (const secretName of external) {
        const secret = vaultSecret(
            `${name}-${secretName}-placeholder`,
            // Not a secret, but kept one like every value in the vault.
            { vaultName: vault.name, resourceGroupName: args.resourceGroupName, secretName, value: "unset: a person adds this value (README)", contentType: "text/plain", expiresOn, placeholder: true },
            parent,
        );
        secretIds[secretName] = secret.id;
    }

    return {
        vaultId: vault.id,
        vaultName: vault.name,
        vaultUri: readyAfter(vault.properties.apply((p) => p.vaultUri ?? ""), ready),
        generatedSecretNames: Object.keys(GENERATED_SECRETS) as GeneratedSecretName[],
        externalSecretNames: external,
        secretIds,
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
    public readonly externalSecretNames: string[];
    public readonly secretIds: Record<string, pulumi.Output<string>>;
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
        this.secretIds = out.secretIds;
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
