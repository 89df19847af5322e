/**
 * The README's policy section documents every rule of the pack with its default level, and nothing else.
 */
import * as fs from "fs";
import * as path from "path";
import { rules } from "../../policies/pack";

test("README policy tables list every rule with its default level", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");
    const section = /<!-- section:policy -->([\s\S]*?)<!-- \/section:policy -->/.exec(readme)?.[1] ?? "";
    const documented = [...section.matchAll(/^\| `([a-z0-9-]+)` \| (mandatory|advisory) \|/gm)].map((m) => [m[1], m[2]]);
    const expected = rules.map((r) => [r.name, r.enforcementLevel]);
    expect(documented.sort()).toEqual(expected.sort());
});
