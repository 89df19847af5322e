/**
 * The Cloudflare API token, read once per stack and only from the two places the platform allows:
 *   1. Pulumi secret config `aiplatform:cloudflareApiToken` (`pulumi config set --secret ...`), for people;
 *   2. the environment variable `CLOUDFLARE_API_TOKEN`, which the pipeline fills from its secret store.
 * Either way the value is a Pulumi secret from the moment it is read, and it is handed to an explicit
 * `cloudflare.Provider` (components/edge/index.ts) — never left for the provider to discover (the provider would
 * otherwise also pick up CLOUDFLARE_API_KEY/CLOUDFLARE_EMAIL, a global key with every permission of the account).
 *
 * With neither source (the offline plan, a `pulumi preview` on a laptop without the token) the provider receives a
 * placeholder that is not a well-formed token, so it can only fail, never fall back to ambient credentials; a real
 * `pulumi up` stops earlier with an actionable error. Scopes the token needs: README, section Edge.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../config/problems";

export const TOKEN_CONFIG_KEY = "cloudflareApiToken";
export const TOKEN_ENV_VAR = "CLOUDFLARE_API_TOKEN";
/** Deliberately not 40 characters of [A-Za-z0-9_-]: the provider rejects it instead of trying it. */
export const MISSING_TOKEN_PLACEHOLDER = "no Cloudflare API token was supplied";

export type TokenSource = "config" | "environment" | "missing";

export interface CloudflareToken {
    /** Always a secret Output. */
    token: pulumi.Output<string>;
    source: TokenSource;
}

// `isConfigSecret` is marked @internal in @pulumi/pulumi but is what `Config.get` itself uses to warn about secrets
// read in plain; it tells us whether the key was stored with --secret (or marked secret by the plan).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeConfig: { isConfigSecret?: (key: string) => boolean } = require("@pulumi/pulumi/runtime/config");

export interface TokenEnvironment {
    /** Process environment; injectable for tests. */
    env?: NodeJS.ProcessEnv;
    /** Whether this is a real update (not a preview, not the offline plan); injectable for tests. */
    realUpdate?: boolean;
}

/** Reads the token (see the file header). Throws ConfigError for a token stored in plain text or missing at `up`. */
export function cloudflareApiToken(options: TokenEnvironment = {}): CloudflareToken {
    const env = options.env ?? process.env;
    const file = `Pulumi.${pulumi.getStack()}.yaml`;
    const key = `aiplatform:${TOKEN_CONFIG_KEY}`;
    const config = new pulumi.Config("aiplatform");
    if (pulumi.runtime.getConfig(key) !== undefined) {
        if (runtimeConfig.isConfigSecret && !runtimeConfig.isConfigSecret(key)) {
            // Never echo the value: it is the credential.
            throw new ConfigError(file, [
                `${file}: ${key} is stored in plain text: remove it and run \`pulumi config set --secret ${key}\` (then rotate the token, it has been exposed)`,
            ]);
        }
        return { token: config.requireSecret(TOKEN_CONFIG_KEY), source: "config" };
    }
    const fromEnv = env[TOKEN_ENV_VAR];
    if (fromEnv) return { token: pulumi.secret(fromEnv), source: "environment" };
    const realUpdate = options.realUpdate ?? (pulumi.runtime.hasEngine() && !pulumi.runtime.isDryRun());
    const how = `set it with \`pulumi config set --secret ${key}\` or export ${TOKEN_ENV_VAR} from the pipeline's secret store`;
    if (realUpdate) throw new ConfigError(file, [`${file}: ${key} is not set and ${TOKEN_ENV_VAR} is empty: the Cloudflare edge needs an API token; ${how}`]);
    // Said in a real preview; the offline plan (no engine) always runs without a token, so it stays quiet there.
    if (pulumi.runtime.hasEngine()) pulumi.log.info(`edge: no Cloudflare API token (${key} / ${TOKEN_ENV_VAR}); planning with a placeholder that cannot authenticate. For a deployment, ${how}.`);
    return { token: pulumi.secret(MISSING_TOKEN_PLACEHOLDER), source: "missing" };
}
