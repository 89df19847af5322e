/**
 * Refreshes schemas/runtime/images.json: for each image, reads its Dockerfile at the pinned ref and rewrites `users`
 * (root plus every `useradd` with a UID) and `defaultUser` (the last `USER`). Images whose Dockerfile cannot be read
 * keep their data and are listed; `retrieved` moves only when every image was read.
 *
 *   npx tsx tools/gitops/vendor-image-facts.ts                 # raw.githubusercontent.com at each ref
 *   npx tsx tools/gitops/vendor-image-facts.ts --mirror <dir>  # <dir>/<owner>+<name>/repo (bare git mirrors)
 *
 * Exit codes: 0 all read · 2 some could not be read (listed).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../config/stack-files";
import { IMAGE_FACTS_FILE, type ImageFacts, type ImageFactsFile } from "./runtime-fit";

/** useradd options that take a value. */
const WITH_VALUE = new Set(["-u", "--uid", "-g", "--gid", "-d", "--home-dir", "-s", "--shell", "-c", "--comment", "-G", "--groups", "-k", "--skel", "-e", "--expiredate"]);

/**
 * Users a Dockerfile adds (any stage: the published target usually builds FROM an earlier one) and the USER of the
 * published stage (`target`, else the last).
 */
export function dockerfileUsers(text: string, target?: string): { users: ImageFacts["users"]; defaultUser: string } {
    const stages = text.split(/^FROM\s/m);
    const last = (target && stages.find((st) => new RegExp(`^\\S+\\s+AS\\s+${target}\\s*$`, "im").test(st.split("\n")[0]))) || stages[stages.length - 1];
    const users: ImageFacts["users"] = [{ name: "root", uid: 0 }];
    for (const m of text.matchAll(/useradd\b([^\n\\]*(?:\\\n[^\n\\]*)*)/g)) {
        const cmd = m[1].replace(/\\\n/g, " ").split(/&&|;|\|\|/)[0];
        const words = cmd.split(/\s+/).filter(Boolean);
        const at = (flags: string[]) => {
            const i = words.findIndex((w) => flags.includes(w));
            return i >= 0 ? words[i + 1] : undefined;
        };
        const uid = Number(at(["-u", "--uid"]));
        const gid = at(["-g", "--gid"]);
        const home = at(["-d", "--home-dir"]);
        const name = words.filter((w, i) => !w.startsWith("-") && !(i > 0 && WITH_VALUE.has(words[i - 1]))).pop();
        if (name && Number.isInteger(uid)) users.push({ name, uid, ...(gid !== undefined ? { gid: Number(gid) } : {}), ...(home ? { home } : {}) });
    }
    const user = [...last.matchAll(/^USER\s+(\S+)/gm)].pop()?.[1] ?? "root";
    return { users, defaultUser: user };
}

async function read(repo: string, ref: string, file: string, mirror?: string): Promise<string> {
    if (mirror) return execFileSync("git", ["-C", path.join(mirror, repo.replace("/", "+"), "repo"), "show", `${ref}:${file}`], { encoding: "utf8" });
    const url = `https://raw.githubusercontent.com/${repo}/${ref}/${file}`;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return res.text();
}

async function main(): Promise<number> {
    const args = process.argv.slice(2);
    const mirror = args.includes("--mirror") ? args[args.indexOf("--mirror") + 1] : undefined;
    const file = path.join(REPO_ROOT, IMAGE_FACTS_FILE);
    const facts = JSON.parse(fs.readFileSync(file, "utf8")) as ImageFactsFile & { $comment?: string };
    const failed: string[] = [];
    for (const i of facts.images) {
        try {
            Object.assign(i, dockerfileUsers(await read(i.dockerfile.repo, i.dockerfile.ref, i.dockerfile.path, mirror), i.dockerfile.target));
        } catch (e) {
            failed.push(`${i.image}: ${(e as Error).message.split("\n")[0]}`);
        }
    }
    if (!failed.length) facts.retrieved = new Date().toISOString().slice(0, 10);
    fs.writeFileSync(file, JSON.stringify(facts, null, 2) + "\n");
    for (const f of failed) console.error(`vendor-image-facts: not refreshed: ${f}`);
    return failed.length ? 2 : 0;
}

if (require.main === module) main().then((c) => process.exit(c));
