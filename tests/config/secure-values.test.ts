/**
 * README "Deploying for real" step 3 has users run `pulumi config set --secret aiplatform:cloudflareApiToken …`,
 * which writes `secure: <ciphertext>` into the stack file. Everything that reads config offline (the plan, the
 * GitOps generators, validation) must take that entry as a marked secret, not as a malformed value.
 */
import * as fs from "fs";
import * as path from "path";
import { validateSpokeConfig } from "../../config";
import { isSecureValue, namespaceValues, readStackConfig, SECRET_PLACEHOLDER } from "../../config/stack-files";
import { makeScratch, runCli } from "../support/scratch";

// The shape `pulumi config set --secret` writes (ciphertext made up; offline nothing decrypts it).
const SECURE_ENTRY = "  aiplatform:cloudflareApiToken:\n    secure: v1:8C4xS0lb2d0Xr8Xu:Xq2bO8jBzK0eM9Rk1Y3tqWbHc5Q=\n";

let scratch: string;
beforeAll(() => {
    scratch = makeScratch("aiplatform-secure-");
    fs.appendFileSync(path.join(scratch, "Pulumi.dev-uaenorth.yaml"), SECURE_ENTRY);
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

test("a secure: entry reads as the offline placeholder, never as an object", () => {
    const raw = readStackConfig("Pulumi.dev-uaenorth.yaml", scratch);
    expect(isSecureValue(raw["aiplatform:cloudflareApiToken"])).toBe(true);
    expect(namespaceValues(raw).cloudflareApiToken).toBe(SECRET_PLACEHOLDER);
    expect(() => validateSpokeConfig("dev-uaenorth", "Pulumi.dev-uaenorth.yaml", namespaceValues(raw), scratch)).not.toThrow();
});

test("plan (program, policy and GitOps generation) passes with a secure: token in the stack file and never prints it", () => {
    const r = runCli("tools/plan/cli.ts", ["--stack", "dev-uaenorth", "--quiet", "--out", path.join(scratch, ".plan")], scratch);
    expect(r.err).not.toMatch(/expected string, received object/);
    expect(r.code).toBe(0);
    const exported = fs.readFileSync(path.join(scratch, ".plan", "dev-uaenorth.json"), "utf8");
    expect(exported).not.toContain(SECRET_PLACEHOLDER);
    expect(r.out + r.err).not.toContain(SECRET_PLACEHOLDER);
});
