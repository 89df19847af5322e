/**
 * The plan CLI defers the TypeScript compiler that @pulumi/pulumi requires at load (tools/plan/lazy-typescript.ts):
 * planning never loads it, and a program that does serialize a closure still gets the real compiler.
 */
import { spawnSync } from "child_process";
import * as path from "path";

test("the SDK loads without the compiler, and closure serialization still works", () => {
    const script = [
        "require('./tools/plan/lazy-typescript').deferTypescriptForPulumi();",
        "const pulumi = require('@pulumi/pulumi');",
        "const loaded = () => Object.keys(require.cache).some((k) => k.endsWith('typescript/lib/typescript.js'));",
        "const before = loaded();",
        "pulumi.runtime.serializeFunction(() => 40 + 2).then((s) => console.log(JSON.stringify({ before, after: loaded(), serialized: s.text.includes('40 + 2') })));",
    ].join("\n");
    const r = spawnSync(process.execPath, [require.resolve("tsx/cli"), "-e", script], { cwd: path.resolve(__dirname, "../.."), encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ before: false, after: true, serialized: true });
});
