/**
 * Digest pinning of prd's mirrored upstream images (issue 22 §3). The lock (schemas/runtime/image-digests.json) holds,
 * per upstream image and tag, the `Docker-Content-Digest` its registry answers for the tag (refresh:
 * tools/gitops/refresh-image-digests.ts). In prd every image pulled from an upstream registry — directly or through
 * the ACR's artifact cache (`${acr_login_server}/<registry>/…`) — must be referenced by a digest the lock holds for
 * its tag, or by a tag the lock holds; a digest the lock contradicts (or does not know) is an error. The rest are
 * listed as UNPINNED warnings — a named gap (README), not a silent pass. Images the platform builds into its own
 * ACR (no upstream registry in the path) are covered by the registry's tag lock instead.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../config/stack-files";
import type { Located, Problem } from "./checks";
import { objectImages, type ReleaseChart } from "./egress";
import { upstreamImage } from "./runtime-fit";

export const DIGEST_LOCK_FILE = "schemas/runtime/image-digests.json";
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface DigestLockEntry {
    /** Upstream repository as the runtime facts name it: `vllm/vllm-openai`, `python`, `ghcr.io/fluxcd/flagger-loadtester`. */
    image: string;
    tag: string;
    /** The registry's answer to `HEAD /v2/<repo>/manifests/<tag>`, verbatim. */
    "Docker-Content-Digest": string;
    /** `registry-head`: written by the refresh tool; `public-references`: agreed by independent public sources (see source). */
    via: "registry-head" | "public-references";
    source: string;
    retrieved: string;
}

export interface DigestLock {
    retrieved: string;
    horizonDays: number;
    images: DigestLockEntry[];
}

export function loadDigestLock(root = REPO_ROOT): DigestLock {
    return JSON.parse(fs.readFileSync(path.join(root, DIGEST_LOCK_FILE), "utf8")) as DigestLock;
}

/** Malformed or duplicated lock entries. */
export function lockProblems(lock: DigestLock): string[] {
    const seen = new Set<string>();
    return lock.images.flatMap((e) => {
        const key = `${e.image}:${e.tag}`;
        const out: string[] = [];
        if (!DIGEST.test(e["Docker-Content-Digest"] ?? "")) out.push(`${DIGEST_LOCK_FILE}: ${key}: Docker-Content-Digest '${e["Docker-Content-Digest"]}' is not sha256:<64 hex>`);
        if (seen.has(key)) out.push(`${DIGEST_LOCK_FILE}: ${key} is locked twice`);
        seen.add(key);
        return out;
    });
}

/** Whether a reference pulls from an upstream registry (directly, or through the ACR cache path `<acr>/<registry>/…`). */
export function isMirroredUpstream(ref: string): boolean {
    const m = /^(\$\{\w+\}|[^/]+\.azurecr\.io)\/(.+)$/.exec(ref);
    if (!m) return true;
    const [first, ...rest] = m[2].split("/");
    return rest.length > 0 && (first.includes(".") || first.includes(":"));
}

/** Problems (errors) and the UNPINNED gap (warnings) of one prd cluster's images. */
export function digestPinning(objects: Located[], releaseChart: ReleaseChart, lock: DigestLock): { errors: Problem[]; warnings: Problem[] } {
    const errors: Problem[] = [];
    const unpinned = new Map<string, { layer: string; uses: string[] }>();
    for (const { layer, obj } of objects) {
        for (const img of objectImages(obj, releaseChart) ?? []) {
            if (!isMirroredUpstream(img.ref)) continue;
            const digest = img.ref.includes("@") ? img.ref.split("@")[1] : undefined;
            const base = img.ref.split("@")[0];
            const tag = /:([^/:]+)$/.exec(base)?.[1];
            const { repo } = upstreamImage(img.ref);
            const locked = lock.images.filter((e) => e.image === repo);
            const forTag = locked.find((e) => e.tag === tag);
            const where = `${img.namespace} ${img.workload}: image ${img.ref}`;
            if (digest !== undefined) {
                if (!DIGEST.test(digest)) errors.push({ layer, message: `${where}: digest '${digest}' is not sha256:<64 hex>` });
                else if (forTag && forTag["Docker-Content-Digest"] !== digest) {
                    errors.push({ layer, message: `${where}: ${DIGEST_LOCK_FILE} locks ${repo}:${tag} to ${forTag["Docker-Content-Digest"]} (${forTag.via}, ${forTag.retrieved}): reference that digest, or refresh the lock` });
                } else if (!forTag && !locked.some((e) => e["Docker-Content-Digest"] === digest)) {
                    errors.push({ layer, message: `${where}: digest not in ${DIGEST_LOCK_FILE}; add ${repo}:${tag ?? "<tag>"} with npx tsx tools/gitops/refresh-image-digests.ts --add ${repo}:${tag ?? "<tag>"} --write` });
                }
                continue;
            }
            if (forTag) continue;
            const u = unpinned.get(img.ref) ?? { layer, uses: [] };
            u.uses.push(img.workload);
            unpinned.set(img.ref, u);
        }
    }
    const warnings = [...unpinned.entries()].map(([ref, u]) => ({
        layer: u.layer,
        message: `UNPINNED prd image ${ref} (${u.uses.length > 1 ? `${u.uses.length} uses, first ` : ""}${u.uses[0]}): no digest and no ${DIGEST_LOCK_FILE} entry for its tag — a documented gap (README: digest pinning)`,
    }));
    return { errors, warnings };
}
