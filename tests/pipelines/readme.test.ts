/**
 * The README's pipelines section documents what the code does: every exit code with the meaning `--help` prints,
 * every CLI command, every workflow, and the state backend names the bootstrap settings use.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { COMMANDS } from "../../automation/cli";
import { EXIT_MEANINGS } from "../../automation/exit-codes";

const ROOT = path.resolve(__dirname, "../..");
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("<!-- section:pipelines -->"), readme.indexOf("<!-- /section:pipelines -->"));

describe("README pipelines section", () => {
    it("exists and lists every exit code exactly as --help does", () => {
        expect(section.length).toBeGreaterThan(1000);
        const rows = [...section.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2].replace(/\\\|/g, "|")]);
        expect(rows).toEqual(EXIT_MEANINGS.map(([c, m]) => [c, m]));
    });

    it("shows every command, every workflow and the flow from PR to prd", () => {
        for (const c of COMMANDS) expect(section).toContain(`npm run pipeline -- ${c}`);
        for (const f of fs.readdirSync(path.join(ROOT, ".github/workflows")).filter((f) => f !== "pulumi-stack.yml")) expect(section).toContain(f);
        expect(section).toContain("promote --from stg-uaenorth");
        expect(section).toContain("required reviewers");
    });

    it("names the backend, container and Key Vault that state-backend/settings.yaml creates", () => {
        const s = YAML.parse(fs.readFileSync(path.join(ROOT, "state-backend/settings.yaml"), "utf8"));
        expect(section).toContain(`azblob://${s.container}?storage_account=${s.storageAccount}`);
        expect(section).toContain(`azurekeyvault://${s.keyVault}.vault.azure.net/keys/pulumi-dev-uaenorth`);
        expect(section).toContain("secretsprovider: azurekeyvault://");
        expect(section).toContain("encryptedkey:");
        for (const env of Object.keys(s.identities)) expect(section).toContain(`| \`${env}\` |`);
    });
});
