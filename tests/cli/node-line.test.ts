/**
 * One Node line for the project: .nvmrc names the version, package.json engines admit it, every locked dependency
 * admits it (so `npm ci` prints no EBADENGINE warning on it), the workflows and the GitLab image run it, the README says it.
 */
import * as fs from "fs";
import * as path from "path";
import { satisfies } from "semver";
import { ROOT } from "../support/scratch";

const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");
const nvmrc = read(".nvmrc").trim();
const major = nvmrc.split(".")[0];

test(".nvmrc pins an exact version that package.json engines admit", () => {
    expect(nvmrc).toMatch(/^\d+\.\d+\.\d+$/);
    expect(satisfies(nvmrc, JSON.parse(read("package.json")).engines.node)).toBe(true);
});

test("every locked package's engines.node admits it", () => {
    const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
    const refusing = Object.entries(lock.packages)
        .filter(([, p]) => p.engines && !Array.isArray(p.engines) && p.engines.node && !satisfies(nvmrc, p.engines.node, { includePrerelease: true }))
        .map(([name, p]) => `${name || "(root)"}: ${(p.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
});

test("workflows and the GitLab image run that line; the README names it", () => {
    for (const f of fs.readdirSync(path.join(ROOT, ".github/workflows"))) {
        const text = read(`.github/workflows/${f}`);
        expect({ f, pinned: text.match(/node-version: .*/g) ?? [] }).toEqual({ f, pinned: [] });
        if (text.includes("actions/setup-node")) expect(text).toContain("node-version-file: .nvmrc");
    }
    expect(read(".gitlab-ci.yml")).toContain(`image: node:${nvmrc}-`);
    expect(read("README.md")).toContain(`Node.js ${major}`);
});
