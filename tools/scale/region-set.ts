/**
 * Turns a scratch copy of the repository into a generated N-region set: every stack file is replaced by the template
 * region's hub and spokes cloned per region (stack-set.ts), and each new spoke gets the template spoke's GitOps entry
 * points and overlay (stack names rewritten), so the plan runs every reporter on it. Used by the bench's scale row;
 * never on the repository itself.
 *
 * A region without vendored Azure facts (config/azure-facts/regions/<r>/) gets the template region's files with the
 * region renamed: a stand-in so the tool's cost can be measured at three regions before a third region's facts are
 * vendored. The plan of such a set says nothing about what Azure offers there.
 */
import * as fs from "fs";
import * as path from "path";
import { listStacks, namespaceValues, readStackConfig, stackRefParts } from "../../config/stack-files";
import { regionStackFiles, type TemplateStack } from "./stack-set";

/** The template region's hub and the spokes that read it, from the stack files under `root`. */
export function templateStacks(root: string, region: string): TemplateStack[] {
    const stacks = listStacks(root);
    const hub = stacks.find((s) => s.stack === `hub-${region}`);
    if (!hub) throw new Error(`no hub-${region} stack under ${root}`);
    const own = stacks.filter((s) => s.kind === "spoke" && stackRefParts(namespaceValues(readStackConfig(s.file, root)).hubStack)?.stack === hub.stack);
    return [hub, ...own].map((s) => ({ stack: s.stack, file: s.file, config: readStackConfig(s.file, root) }));
}

function copyTree(from: string, to: string, rewrite: (text: string) => string): void {
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
        const src = path.join(from, entry.name);
        const dst = path.join(to, entry.name);
        if (entry.isDirectory()) {
            fs.mkdirSync(dst, { recursive: true });
            copyTree(src, dst, rewrite);
        } else {
            fs.writeFileSync(dst, rewrite(fs.readFileSync(src, "utf8")));
        }
    }
}

/** Writes the set into `root` (a scratch copy) and returns its stack names in deployment order. */
export function writeRegionSet(root: string, templateRegion: string, regions: string[]): string[] {
    const template = templateStacks(root, templateRegion);
    for (const s of listStacks(root)) fs.rmSync(path.join(root, s.file));
    const files = regionStackFiles(template, templateRegion, regions);
    for (const f of files) fs.writeFileSync(path.join(root, f.file), f.text);
    const facts = path.join(root, "config/azure-facts/regions");
    for (const region of regions.filter((r) => !fs.existsSync(path.join(facts, r)))) {
        fs.mkdirSync(path.join(facts, region));
        copyTree(path.join(facts, templateRegion), path.join(facts, region), (t) => t.replaceAll(`"${templateRegion}"`, `"${region}"`));
    }
    for (const t of template.filter((s) => !s.stack.startsWith("hub-"))) {
        for (const region of regions.slice(1)) {
            const stack = t.stack.replace(new RegExp(`-${templateRegion}$`), `-${region}`);
            // Only folders the template spoke has (where generated from the stack file, the generator makes the rest).
            for (const dir of ["gitops-bootstrap/clusters", "workloads/overlays"].filter((d) => fs.existsSync(path.join(root, d, t.stack)))) {
                const to = path.join(root, dir, stack);
                fs.rmSync(to, { recursive: true, force: true });
                fs.mkdirSync(to, { recursive: true });
                copyTree(path.join(root, dir, t.stack), to, (text) => text.replaceAll(t.stack, stack));
            }
        }
    }
    return listStacks(root).map((s) => s.stack);
}
