/**
 * README "Deploying for real", rehearsed offline on a scratch copy with fake credentials: bootstrap:state as shown,
 * `pulumi stack init --secrets-provider` (adds `secretsprovider:`/`encryptedkey:` to each stack file) and
 * `pulumi config set --secret aiplatform:cloudflareApiToken …` (writes `secure: <ciphertext>`). After them the plan
 * must stay green, and everything that reads config offline takes the `secure:` entry as a marked secret.
 */
import * as fs from "fs";
import * as path from "path";
import { validateSpokeConfig } from "../../config";
import { isSecureValue, listStacks, namespaceValues, readStackConfig, SECRET_PLACEHOLDER } from "../../config/stack-files";
import { makeScratch, runCli } from "../support/scratch";

const FAKE_SUB = "11111111-2222-4333-8444-555555555555";
const FAKE_OPERATOR = "99999999-8888-4777-8666-555555555555";
// The shape `pulumi config set --secret` writes (ciphertext made up; offline nothing decrypts it).
const SECURE_ENTRY = "  aiplatform:cloudflareApiToken:\n    secure: v1:8C4xS0lb2d0Xr8Xu:Xq2bO8jBzK0eM9Rk1Y3tqWbHc5Q=\n";

let scratch: string;
beforeAll(() => {
    scratch = makeScratch("aiplatform-deploy-");
    for (const sf of listStacks(scratch)) {
        const file = path.join(scratch, sf.file);
        // What `pulumi stack init --secrets-provider azurekeyvault://…` adds at the top of the stack file.
        const header = `secretsprovider: azurekeyvault://kv-aip-state-uaen.vault.azure.net/keys/pulumi-${sf.stack}\nencryptedkey: ZmFrZS1lbmNyeXB0ZWQta2V5\n`;
        fs.writeFileSync(file, header + fs.readFileSync(file, "utf8") + (sf.kind === "spoke" ? SECURE_ENTRY : ""));
    }
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

test("step 1: bootstrap:state with the flags the README shows prints the reviewable script", () => {
    const r = runCli("state-backend/bootstrap.ts", ["--subscription", FAKE_SUB, "--operator-object-id", FAKE_OPERATOR], scratch);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`az account set --subscription ${FAKE_SUB}`);
});

test("a secure: entry reads as the offline placeholder, never as an object", () => {
    const raw = readStackConfig("Pulumi.dev-uaenorth.yaml", scratch);
    expect(isSecureValue(raw["aiplatform:cloudflareApiToken"])).toBe(true);
    expect(namespaceValues(raw).cloudflareApiToken).toBe(SECRET_PLACEHOLDER);
    expect(() => validateSpokeConfig("dev-uaenorth", "Pulumi.dev-uaenorth.yaml", namespaceValues(raw), scratch)).not.toThrow();
});

// prd and its hub: the secure: entry is read the same way in every spoke, and jest's global plan already plans every
// stack's program (a second plan of all stacks here would double the suite's cost).
const PLANNED = listStacks().filter((sf) => sf.stack === "prd-uaenorth" || sf.stack === "hub-uaenorth");

test("after steps 1-3 prd and its hub plan green (program, policy, GitOps generation) and the token is never printed", () => {
    const r = runCli("tools/plan/cli.ts", ["--stack", "prd-uaenorth", "--quiet", "--out", path.join(scratch, ".plan")], scratch);
    expect(r.err).not.toMatch(/expected string, received object/);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
    for (const sf of PLANNED) expect(fs.readFileSync(path.join(scratch, ".plan", `${sf.stack}.json`), "utf8")).not.toContain(SECRET_PLACEHOLDER);
    expect(r.out + r.err).not.toContain(SECRET_PLACEHOLDER);
    // --quiet: one line per stack with the export's path as given, then the summary line.
    const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    expect(r.out.trim().split("\n")).toEqual([
        ...PLANNED.map((sf) => expect.stringMatching(new RegExp(`^${sf.stack}: \\d+ resources, \\d+ reports?, no failures; wrote ${escape(path.join(scratch, ".plan", `${sf.stack}.json`))}$`))),
        expect.stringMatching(/^planned hub-uaenorth \(\d+\), prd-uaenorth \(\d+\); no failures$/),
    ]);
});
