/**
 * Where the Cloudflare API token may come from (secret config, then the pipeline's env var), that it is always a
 * secret Output, and the errors for a plain-text config value or a missing token at `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../config/problems";
import { cloudflareApiToken, MISSING_TOKEN_PLACEHOLDER, TOKEN_ENV_VAR } from "../../components/edge/token";

pulumi.runtime.setMocks(
    {
        newResource: () => {
            throw new Error("no resources here");
        },
        call: (a) => {
            throw new Error(`unexpected call ${a.token}`);
        },
    },
    "aiplatform",
    "dev-uaenorth",
    false,
);

const KEY = "aiplatform:cloudflareApiToken";
const TOKEN = "a".repeat(40);

function withConfig(values: Record<string, string>, secretKeys: string[]): void {
    pulumi.runtime.setAllConfig(values, secretKeys);
}

async function reveal(o: pulumi.Output<string>): Promise<{ value: string; secret: boolean }> {
    const secret = await pulumi.isSecret(o);
    const value = await new Promise<string>((resolve) => pulumi.unsecret(o).apply(resolve));
    return { value, secret };
}

describe("cloudflareApiToken()", () => {
    afterEach(() => withConfig({}, []));

    it("reads secret config first, as a secret", async () => {
        withConfig({ [KEY]: TOKEN }, [KEY]);
        const t = cloudflareApiToken({ env: { [TOKEN_ENV_VAR]: "b".repeat(40) }, realUpdate: true });
        expect(t.source).toBe("config");
        expect(await reveal(t.token)).toEqual({ value: TOKEN, secret: true });
    });

    it("refuses a token stored in plain text, without echoing it", () => {
        withConfig({ [KEY]: TOKEN }, []);
        let err: unknown;
        try {
            cloudflareApiToken({ env: {}, realUpdate: false });
        } catch (e) {
            err = e;
        }
        expect(err).toBeInstanceOf(ConfigError);
        const msg = (err as ConfigError).messages.join("\n");
        expect(msg).toContain("Pulumi.dev-uaenorth.yaml: aiplatform:cloudflareApiToken is stored in plain text");
        expect(msg).toContain("pulumi config set --secret aiplatform:cloudflareApiToken");
        expect(msg).not.toContain(TOKEN);
    });

    it("falls back to the pipeline's CLOUDFLARE_API_TOKEN, as a secret", async () => {
        const t = cloudflareApiToken({ env: { [TOKEN_ENV_VAR]: TOKEN }, realUpdate: true });
        expect(t.source).toBe("environment");
        expect(await reveal(t.token)).toEqual({ value: TOKEN, secret: true });
    });

    it("stops a real update that has no token", () => {
        expect(() => cloudflareApiToken({ env: {}, realUpdate: true })).toThrow(/aiplatform:cloudflareApiToken is not set and CLOUDFLARE_API_TOKEN is empty/);
    });

    it("plans without a token using a secret placeholder the provider cannot use", async () => {
        const t = cloudflareApiToken({ env: {}, realUpdate: false });
        expect(t.source).toBe("missing");
        const { value, secret } = await reveal(t.token);
        expect(secret).toBe(true);
        expect(value).toBe(MISSING_TOKEN_PLACEHOLDER);
        // Cloudflare API tokens are 40 characters of [A-Za-z0-9_-]; the placeholder must never pass for one.
        expect(value).not.toMatch(/^[A-Za-z0-9_-]{40}$/);
    });
});
