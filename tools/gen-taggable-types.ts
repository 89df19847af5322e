/**
 * Regenerates config/upstream/azure-native-taggable-types.json (read by components/core/stack-defaults.ts and the
 * policy pack's t1-required-tags through config/upstream/azure-native-taggable.ts): every azure-native resource type whose
 * constructor args accept `tags`. Run after bumping @pulumi/azure-native (`npm run gen:taggable`);
 * tests/core/taggable-types.test.ts fails when the committed table no longer matches the installed package.
 */
import * as fs from "fs";
import * as path from "path";
import { helpAsked } from "./cli-help";

export function scanTaggableTypes(pkgRoot: string): string[] {
    const tokens: string[] = [];
    for (const mod of fs.readdirSync(pkgRoot, { withFileTypes: true })) {
        if (!mod.isDirectory() || mod.name.startsWith(".") || mod.name === "types" || mod.name === "node_modules") continue;
        const dir = path.join(pkgRoot, mod.name);
        for (const file of fs.readdirSync(dir)) {
            if (!file.endsWith(".js") || file === "index.js") continue;
            const js = fs.readFileSync(path.join(dir, file), "utf8");
            const token = /static __pulumiType = '([^']+)'/.exec(js)?.[1];
            if (!token) continue;
            const dts = fs.readFileSync(path.join(dir, file.replace(/\.js$/, ".d.ts")), "utf8");
            const args = dts.slice(dts.indexOf("Args {"));
            if (/^\s+tags\?: pulumi\.Input</m.test(args)) tokens.push(token);
        }
    }
    return tokens.sort();
}

export function azureNativeRoot(): string {
    return path.dirname(require.resolve("@pulumi/azure-native/package.json"));
}

if (require.main === module && helpAsked(process.argv.slice(2))) {
    console.log("usage: npm run gen:taggable   (rewrites config/upstream/azure-native-taggable-types.json from the installed @pulumi/azure-native)");
} else if (require.main === module) {
    const root = azureNativeRoot();
    const version = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version;
    const out = path.join(__dirname, "..", "config", "upstream", "azure-native-taggable-types.json");
    const types = scanTaggableTypes(root);
    fs.writeFileSync(out, JSON.stringify({ source: "@pulumi/azure-native", version, generatedBy: "tools/gen-taggable-types.ts", types }, null, 1) + "\n");
    console.log(`wrote ${types.length} taggable types for @pulumi/azure-native ${version} to ${path.relative(process.cwd(), out)}`);
}
