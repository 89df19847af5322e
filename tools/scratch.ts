/** A scratch copy of the repository (node_modules linked), so a test or the bench can change stack files without touching the real ones. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..");
const SKIP = new Set(["node_modules", ".git", ".plan", ".plan-test", "build", "coverage", ".rendered"]);

export function makeScratch(prefix = "aiplatform-scratch-"): string {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    fs.cpSync(ROOT, scratch, { recursive: true, filter: (src) => !SKIP.has(path.basename(src)) });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(scratch, "node_modules"), "dir");
    return scratch;
}

/**
 * Node flags of the npm scripts: DEP0040 is the built-in punycode module's deprecation, reached through
 * @kubernetes-models/validate → ajv-formats-draft2019 on Node 22; users should not see it on every command.
 */
export const NODE_FLAGS = ["--disable-warning=DEP0040", "--import", "tsx"];
