/**
 * The RAG image's content tag: sha256 of `git ls-files -s` over the image's inputs (the matrix `inputs` of
 * .github/workflows/images.yml), first 40 hex — the tag the workflow pushes next to the commit tag. Known before the
 * commit exists, so the overlays pin the image of exactly the code in the tree, and a test keeps them on it.
 *
 *   npx tsx apps/rag/tools/image-tag.ts           # prints the tag
 *   npx tsx apps/rag/tools/image-tag.ts --write   # sets it in workloads/environments/<env>/kustomization.yaml (then npm run generate:workloads)
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export const ROOT = path.join(__dirname, "..", "..", "..");
/** The image's folder only: its dependencies are exact pins in apps/rag/package.json (see images.yml). */
export const INPUTS = ["apps/rag"];
// The environments' overlay templates: every stack's overlay is generated from them (tools/workloads/generate.ts).
export const OVERLAYS = ["dev", "stg", "prd"].map((e) => `workloads/environments/${e}/kustomization.yaml`);
/** The overlay line that pins it (kustomize `images:` entry of aiplatform/rag). */
export const PIN = /(- name: aiplatform\/rag\n\s+newName: \S+\n\s+newTag: )(\S+)/;

export function imageTag(root = ROOT): string {
    const staged = execFileSync("git", ["ls-files", "-s", "--", ...INPUTS], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return createHash("sha256").update(staged).digest("hex").slice(0, 40);
}

if (require.main === module) {
    const tag = imageTag();
    if (process.argv.includes("--write")) {
        for (const f of OVERLAYS) {
            const file = path.join(ROOT, f);
            fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(PIN, `$1${tag}`));
        }
    }
    console.log(tag);
}
