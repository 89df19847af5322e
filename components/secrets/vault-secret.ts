/**
 * The one way the platform puts a value into Key Vault: kept a Pulumi secret end to end, always with a content
 * type and an expiry (the audit script and the policy pack's advisory KV rules read both).
 *
 * The value is written through the ARM control plane (`Microsoft.KeyVault/vaults/secrets/write`), so it works with the
 * vault's public network access disabled and needs no data-plane role for the deploying identity.
 */
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as pulumi from "@pulumi/pulumi";

export interface VaultSecretArgs {
    /** Name of the Key Vault (Secrets.vaultName). */
    vaultName: pulumi.Input<string>;
    /** Resource group of the vault. */
    resourceGroupName: pulumi.Input<string>;
    /** Secret name in the vault: 1-127 letters, digits and hyphens (e.g. grafana-admin-password). */
    secretName: string;
    /** The value; wrapped in `pulumi.secret` here whatever the caller passes, so it never reaches state in clear. */
    value: pulumi.Input<string>;
    /** MIME-like content type, e.g. text/plain, application/x-pem-file. */
    contentType: string;
    /** Expiry written to `attributes.expires`; derive it from a config date (never `new Date()`) so plans are stable. */
    expiresOn: Date;
    /**
     * A person sets the real value later (`az keyvault secret set`): the secret is created disabled (ESO reads nothing
     * from it, its ExternalSecret stays NotReady as if it were absent) and Pulumi never writes it again.
     */
    placeholder?: boolean;
}

const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;

/** Expiry as Key Vault wants it: whole seconds since the epoch. */
export function expiresEpochSeconds(expiresOn: Date): number {
    const ms = expiresOn.getTime();
    if (Number.isNaN(ms)) throw new Error("expiresOn is not a valid date");
    return Math.floor(ms / 1000);
}

/** Declares `${name}` (a keyvault.Secret) under `parent`. */
export function vaultSecret(name: string, args: VaultSecretArgs, parent: pulumi.Resource): keyvault.Secret {
    if (!SECRET_NAME.test(args.secretName)) {
        throw new pulumi.ResourceError(`Key Vault secret name '${args.secretName}' must be 1-127 letters, digits or hyphens`, parent);
    }
    if (!args.contentType) throw new pulumi.ResourceError(`Key Vault secret '${args.secretName}' needs a contentType`, parent);
    return new keyvault.Secret(
        name,
        {
            vaultName: args.vaultName,
            resourceGroupName: args.resourceGroupName,
            secretName: args.secretName,
            properties: {
                value: pulumi.secret(args.value),
                contentType: args.contentType,
                attributes: { enabled: !args.placeholder, expires: expiresEpochSeconds(args.expiresOn) },
            },
        },
        {
            parent,
            additionalSecretOutputs: ["properties"],
            // A person's `az keyvault secret set` writes a new version (value, enabled, expiry, content type): an update
            // from Pulumi would put the placeholder back over it. Exists so ESO's per-secret grant has a scope (issue 22 §2).
            ...(args.placeholder ? { ignoreChanges: ["properties"] } : {}),
        },
    );
}

/** Deterministic expiry: `rotation` (YYYY-MM-DD, UTC midnight) + `days`. */
export function expiryFrom(rotation: string, days: number): Date {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(rotation);
    if (!m) throw new Error(`rotation '${rotation}' is not a date YYYY-MM-DD`);
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    d.setUTCDate(d.getUTCDate() + days);
    return d;
}
