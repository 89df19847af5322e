/**
 * Fresh Azure credentials for the whole job on GitHub Actions. A GitHub ID token lives minutes and the Entra access
 * token exchanged for it about an hour; `azure/login`'s az session cannot refresh (Azure/login#180), so a long
 * `up` used to lose the state backend mid-run. azure-native fetches new ID tokens itself (ARM_USE_OIDC with the
 * Actions request URL); the state backend and the Key Vault secrets provider (Go azidentity's workload-identity
 * credential) read AZURE_FEDERATED_TOKEN_FILE whenever they exchange a token. So while the CLI runs it keeps that
 * file holding a fresh ID token, fetched from the Actions endpoint every minute.
 *
 * On GitLab the `id_tokens` token is valid for the job's whole timeout; .gitlab-ci.yml writes the file once.
 */
import * as path from "path";
import { PipelineError } from "./errors";
import { EXIT } from "./exit-codes";
import type { Host } from "./host";

export const AUDIENCE = "api://AzureADTokenExchange";
export const REFRESH_MS = 60_000;

/** The Actions ID-token request URL for the Entra token-exchange audience. */
export function idTokenRequestUrl(url: string): string {
    return `${url}${url.includes("?") ? "&" : "?"}audience=${encodeURIComponent(AUDIENCE)}`;
}

/** Starts keeping the token file fresh when this is a GitHub OIDC job; returns the function that stops it. */
export async function keepFederatedTokenFresh(host: Host): Promise<() => void> {
    const env = host.env;
    const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    if (env.ARM_USE_OIDC !== "true" || !url || !bearer) return () => undefined;
    const file = path.join(env.RUNNER_TEMP ?? host.tempDir(), "azure-federated-token");
    const requestUrl = idTokenRequestUrl(url);
    const refresh = async () => host.writePrivateFile(file, await host.requestIdToken(requestUrl, bearer));
    try {
        await refresh();
    } catch (e) {
        throw new PipelineError(EXIT.noAzureCredentials, `could not get a GitHub OIDC token (${(e as Error).message}); give the job \`permissions: id-token: write\``, e);
    }
    // For the Pulumi CLI and its plugins (inherited environment): azidentity's workload-identity credential.
    env.AZURE_FEDERATED_TOKEN_FILE = file;
    env.AZURE_CLIENT_ID = env.ARM_CLIENT_ID;
    env.AZURE_TENANT_ID = env.ARM_TENANT_ID;
    return host.every(REFRESH_MS, () =>
        refresh().catch((e: Error) => host.err(`pipeline: warning: refreshing the OIDC token failed (${e.message}); retrying in ${REFRESH_MS / 1000}s`)),
    );
}
