/**
 * Which Azure credentials the Pulumi run will find, checked before anything talks to Azure so a missing login is
 * one line and exit 7 instead of a provider stack trace halfway through a refresh.
 *
 * Order follows azure-native's own resolution: OIDC (GitHub Actions or GitLab `id_tokens`), managed identity,
 * client secret (accepted, discouraged), then the Azure CLI session.
 */
import { EXIT } from "./exit-codes";
import { PipelineError } from "./errors";
import type { Host } from "./host";

export type CredentialSource = "oidc-github" | "oidc-token" | "managed-identity" | "client-secret" | "azure-cli";

export interface CredentialCheck {
    source: CredentialSource;
    /** A line worth printing (never a credential value). */
    note?: string;
}

const truthy = (v: string | undefined) => v === "true" || v === "1";

export async function checkAzureCredentials(host: Host): Promise<CredentialCheck> {
    const env = host.env;
    const missing = (names: string[]) => names.filter((n) => !env[n]);
    if (truthy(env.ARM_USE_OIDC)) {
        const ids = missing(["ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID"]);
        if (ids.length) {
            throw new PipelineError(EXIT.noAzureCredentials, `ARM_USE_OIDC=true but ${ids.join(", ")} ${ids.length > 1 ? "are" : "is"} not set`);
        }
        if (env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) return { source: "oidc-github" };
        if (env.ARM_OIDC_TOKEN || env.ARM_OIDC_TOKEN_FILE_PATH || (env.ARM_OIDC_REQUEST_URL && env.ARM_OIDC_REQUEST_TOKEN)) {
            return { source: "oidc-token" };
        }
        throw new PipelineError(
            EXIT.noAzureCredentials,
            "ARM_USE_OIDC=true but no ID token: give the GitHub job `permissions: id-token: write`, or set ARM_OIDC_TOKEN from GitLab `id_tokens`",
        );
    }
    if (truthy(env.ARM_USE_MSI)) return { source: "managed-identity" };
    if (env.ARM_CLIENT_SECRET) {
        const ids = missing(["ARM_CLIENT_ID", "ARM_TENANT_ID"]);
        if (ids.length) throw new PipelineError(EXIT.noAzureCredentials, `ARM_CLIENT_SECRET is set but ${ids.join(", ")} is not`);
        return { source: "client-secret", note: "using a client secret (ARM_CLIENT_SECRET); pipelines should use OIDC federation instead" };
    }
    const subscription = await host.azureCliSubscription();
    if (subscription) return { source: "azure-cli" };
    throw new PipelineError(
        EXIT.noAzureCredentials,
        "no Azure credentials: in CI set ARM_USE_OIDC=true with ARM_CLIENT_ID, ARM_TENANT_ID, ARM_SUBSCRIPTION_ID (azure/login with OIDC); locally run `az login`",
    );
}
