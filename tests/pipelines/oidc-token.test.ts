/**
 * Issue 17 (pipelines, for real): on GitHub the CLI keeps AZURE_FEDERATED_TOKEN_FILE holding a fresh ID token for
 * as long as it runs, so the state backend and the Key Vault secrets provider (azidentity's workload-identity
 * credential, which re-reads the file when it exchanges a token) never depend on azure/login's one-shot session.
 */
import * as path from "path";
import { main } from "../../automation/cli";
import { EXIT } from "../../automation/exit-codes";
import { AUDIENCE, REFRESH_MS } from "../../automation/oidc-token";
import { FakeHost, FakeWorkspace, makeRepo, OIDC_ENV } from "./fakes";

const root = makeRepo();
const argv = ["preview", "--stack", "dev-uaenorth", "--summary-dir", path.join(root, ".pipeline")];

describe("the federated token file on GitHub Actions", () => {
    it("is written before Pulumi runs, handed to the Pulumi CLI's environment, refreshed every minute and stopped at the end", async () => {
        const host = new FakeHost({ env: { ...OIDC_ENV, RUNNER_TEMP: "/runner/tmp" } });
        const ws = new FakeWorkspace();
        let fileWhenPulumiRan: string | undefined;
        const workspace = () => {
            fileWhenPulumiRan = host.privateFiles.get("/runner/tmp/azure-federated-token");
            return ws;
        };
        expect(await main(argv, { host, root, workspace })).toBe(EXIT.ok);
        expect(fileWhenPulumiRan).toBe("header.payload-1.sig");
        expect(host.tokenRequests).toEqual([{ url: `${OIDC_ENV.ACTIONS_ID_TOKEN_REQUEST_URL}?audience=${encodeURIComponent(AUDIENCE)}`, bearer: OIDC_ENV.ACTIONS_ID_TOKEN_REQUEST_TOKEN }]);
        expect(host.env).toMatchObject({
            AZURE_FEDERATED_TOKEN_FILE: "/runner/tmp/azure-federated-token",
            AZURE_CLIENT_ID: OIDC_ENV.ARM_CLIENT_ID,
            AZURE_TENANT_ID: OIDC_ENV.ARM_TENANT_ID,
        });
        expect(host.timers.map((t) => [t.ms, t.stopped])).toEqual([[REFRESH_MS, true]]);
        host.timers[0].fn();
        await new Promise((r) => setImmediate(r));
        expect(host.privateFiles.get("/runner/tmp/azure-federated-token")).toBe("header.payload-2.sig");
        expect(REFRESH_MS).toBe(60_000);
    });

    it("no ID token (no `id-token: write`) is exit 7 before anything touches Pulumi", async () => {
        const host = new FakeHost();
        host.idTokenError = new Error("HTTP 403 from the Actions token endpoint");
        const ws = new FakeWorkspace();
        expect(await main(argv, { host, root, workspace: () => ws })).toBe(EXIT.noAzureCredentials);
        expect(host.errors).toContain("could not get a GitHub OIDC token (HTTP 403 from the Actions token endpoint)");
        expect(ws.calls).toEqual([]);
    });

    it("outside GitHub OIDC (az login locally, GitLab's own token file) nothing is fetched", async () => {
        const host = new FakeHost({ env: {}, az: "33333333-3333-3333-3333-333333333333" });
        expect(await main(argv, { host, root, workspace: () => new FakeWorkspace() })).toBe(EXIT.ok);
        expect(host.tokenRequests).toEqual([]);
        expect(host.env.AZURE_FEDERATED_TOKEN_FILE).toBeUndefined();
    });
});
