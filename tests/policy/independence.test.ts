/**
 * The pack judges the resources the components declare; it must not import the components themselves (a rule that
 * reuses the code under test agrees with it by construction). Shared facts live in data both read.
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const PACK = path.join(ROOT, "policies");

function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" ? [] : tsFiles(p);
        return e.name.endsWith(".ts") ? [p] : [];
    });
}

test.each([
    ["the policy pack", PACK],
    // config/ is read before any resource exists; components read config, never the other way round.
    ["config/", path.join(ROOT, "config")],
])("no module of %s imports anything under components/", (_what, dir) => {
    const offenders: string[] = [];
    for (const file of tsFiles(dir)) {
        for (const m of fs.readFileSync(file, "utf8").matchAll(/(?:from|import|require\()\s*["']([^"']+)["']/g)) {
            if (!m[1].startsWith(".")) continue;
            const target = path.relative(ROOT, path.resolve(path.dirname(file), m[1]));
            if (target.split(path.sep)[0] === "components") offenders.push(`${path.relative(ROOT, file)} imports ${m[1]}`);
        }
    }
    expect(offenders).toEqual([]);
});
