/**
 * README's "Before the first deploy" block is rendered from the Azure facts and the stack files; it must match, so the
 * features to register, the regions to request and the quota to ask for are never stale.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../config/stack-files";
import { README_BEGIN, README_END, renderReadmeBlock, replaceReadmeBlock } from "../../tools/azure/refresh-azure-facts";

describe("README: Before the first deploy", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");

    it("matches what the facts and stack files generate (npm run refresh:azure-facts -- --readme)", () => {
        expect(replaceReadmeBlock(readme, renderReadmeBlock(REPO_ROOT))).toBe(readme);
    });

    it("names the feature registrations, the restricted region and the quota names prd needs, and the preflight command", () => {
        const block = readme.slice(readme.indexOf(README_BEGIN), readme.indexOf(README_END));
        const prd = block.slice(block.indexOf("**prd-uaenorth**"));
        expect(prd).toContain("az feature register --namespace Microsoft.ContainerService --name AKSInfinibandSupport");
        expect(prd).toContain("az feature register --namespace Microsoft.Compute --name EncryptionAtHost");
        expect(prd).toContain("request access to the restricted region `uaecentral`");
        expect(prd).toMatch(/`standardNDISv5MI300XFamily` 288/);
        expect(readme).toContain("npm run preflight -- --stack <name>");
    });

    it("refuses a README without the generated block", () => {
        expect(() => replaceReadmeBlock("# no block", [])).toThrow(/README\.md has no <!-- generated:azure-facts -->/);
    });
});
