/**
 * Refreshes the digest lock (schemas/runtime/image-digests.json) from the registries' v2 API: for each locked image
 * and tag, `HEAD /v2/<repo>/manifests/<tag>` with the OCI index / Docker manifest-list Accept types (so the digest is
 * the tag's index, valid on every platform), answering an anonymous Bearer challenge (`WWW-Authenticate: Bearer
 * realm=…,service=…,scope=…` → token → retry) as docker pull does, and records the `Docker-Content-Digest` header
 * verbatim with `via: registry-head` and the date.
 *
 *   npx tsx tools/gitops/refresh-image-digests.ts [--write] [--add <image>:<tag>]... [--registry <host>=<base url>]...
 *
 * Exit 0: the lock matches the registries (or was written with --write); 1: a digest moved or an image was added
 * (printed; rerun with --write); 2: bad arguments; 3: a registry could not be asked (the lock is left as it is).
 */
import * as path from "path";
import { parseArgs } from "util";
import { REPO_ROOT } from "../../config/stack-files";
import { helpAsked } from "../cli-help";
import { writeFileAtomic } from "../write-atomic";
import { DIGEST, DIGEST_LOCK_FILE, type DigestLock, type DigestLockEntry, loadDigestLock } from "./image-digests";

/** v2 API base of each upstream registry the platform mirrors (components/registry cache rules). */
export const REGISTRY_API: Record<string, string> = {
    "docker.io": "https://registry-1.docker.io",
    "ghcr.io": "https://ghcr.io",
    "quay.io": "https://quay.io",
    "registry.k8s.io": "https://registry.k8s.io",
    "nvcr.io": "https://nvcr.io",
    "public.ecr.aws": "https://public.ecr.aws",
};

const ACCEPT = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** Registry host and repository path of a lock image name (Docker's rules: no host = docker.io, no namespace = library/). */
export function registryOf(image: string): { host: string; repo: string } {
    const first = image.split("/")[0];
    if (image.includes("/") && (first.includes(".") || first.includes(":"))) return { host: first, repo: image.slice(first.length + 1) };
    return { host: "docker.io", repo: image.includes("/") ? image : `library/${image}` };
}

export interface RegistryOptions {
    /** Overrides of REGISTRY_API by host (tests point docker.io at a loopback fake). */
    base?: Record<string, string>;
    fetch?: typeof fetch;
}

/** The `Docker-Content-Digest` the registry answers for image:tag. Throws with the registry and status when it cannot. */
export async function headDigest(image: string, tag: string, o: RegistryOptions = {}): Promise<string> {
    const f = o.fetch ?? fetch;
    const { host, repo } = registryOf(image);
    const base = o.base?.[host] ?? REGISTRY_API[host];
    if (!base) throw new Error(`${image}: registry ${host} has no v2 API base (REGISTRY_API)`);
    const url = `${base}/v2/${repo}/manifests/${tag}`;
    const head = (auth?: string) => f(url, { method: "HEAD", headers: { Accept: ACCEPT, ...(auth ? { Authorization: auth } : {}) }, signal: AbortSignal.timeout(20_000) });
    let r = await head();
    const challenge = r.status === 401 ? r.headers.get("www-authenticate") : null;
    if (challenge && /^Bearer /i.test(challenge)) {
        const p = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        const tokenUrl = new URL(p.realm);
        if (p.service) tokenUrl.searchParams.set("service", p.service);
        tokenUrl.searchParams.set("scope", p.scope ?? `repository:${repo}:pull`);
        const t = await f(tokenUrl, { signal: AbortSignal.timeout(20_000) });
        if (!t.ok) throw new Error(`${host}: token endpoint ${tokenUrl.origin}${tokenUrl.pathname} answered HTTP ${t.status}`);
        const body = (await t.json()) as { token?: string; access_token?: string };
        r = await head(`Bearer ${body.token ?? body.access_token ?? ""}`);
    }
    if (!r.ok) throw new Error(`${host}: HEAD /v2/${repo}/manifests/${tag} answered HTTP ${r.status}`);
    const digest = r.headers.get("docker-content-digest") ?? "";
    if (!DIGEST.test(digest)) throw new Error(`${host}: HEAD /v2/${repo}/manifests/${tag} sent no sha256 Docker-Content-Digest ('${digest}')`);
    return digest;
}

export interface RefreshResult {
    lock: DigestLock;
    /** One line per moved digest or added image. */
    changes: string[];
    /** One line per image the registry could not answer for (kept as it was). */
    failures: string[];
}

/** The lock as the registries answer today (`add`: more image:tag refs to lock). */
export async function refreshLock(lock: DigestLock, now: Date, o: RegistryOptions & { add?: string[] } = {}): Promise<RefreshResult> {
    const day = now.toISOString().slice(0, 10);
    const wanted: { image: string; tag: string; prior?: DigestLockEntry }[] = [
        ...lock.images.map((e) => ({ image: e.image, tag: e.tag, prior: e })),
        ...(o.add ?? [])
            .map((ref) => {
                const i = ref.lastIndexOf(":");
                return { image: ref.slice(0, i), tag: ref.slice(i + 1) };
            })
            .filter((a) => !lock.images.some((e) => e.image === a.image && e.tag === a.tag)),
    ];
    const changes: string[] = [];
    const failures: string[] = [];
    const images: DigestLockEntry[] = [];
    for (const w of wanted) {
        try {
            const digest = await headDigest(w.image, w.tag, o);
            if (!w.prior) changes.push(`added ${w.image}:${w.tag} ${digest}`);
            else if (w.prior["Docker-Content-Digest"] !== digest) changes.push(`${w.image}:${w.tag} moved: ${w.prior["Docker-Content-Digest"]} → ${digest}`);
            const { host, repo } = registryOf(w.image);
            images.push({ image: w.image, tag: w.tag, "Docker-Content-Digest": digest, via: "registry-head", source: `HEAD ${o.base?.[host] ?? REGISTRY_API[host]}/v2/${repo}/manifests/${w.tag}`, retrieved: day });
        } catch (e) {
            failures.push(`${w.image}:${w.tag}: ${(e as Error).message}`);
            if (w.prior) images.push(w.prior);
        }
    }
    return { lock: { ...lock, retrieved: failures.length ? lock.retrieved : day, images }, changes, failures };
}

const USAGE = `usage: npx tsx tools/gitops/refresh-image-digests.ts [--write] [--add <image>:<tag>]... [--registry <host>=<base url>]...`;

export async function main(argv: string[], deps: { root?: string; now?: Date; fetch?: typeof fetch; out?: (l: string) => void; err?: (l: string) => void } = {}): Promise<number> {
    const out = deps.out ?? ((l) => void process.stdout.write(l + "\n"));
    const err = deps.err ?? ((l) => void process.stderr.write(l + "\n"));
    if (helpAsked(argv)) {
        out(USAGE);
        return 0;
    }
    let v;
    try {
        v = parseArgs({ args: argv, strict: true, options: { write: { type: "boolean", default: false }, add: { type: "string", multiple: true }, registry: { type: "string", multiple: true } } }).values;
    } catch (e) {
        err(`refresh-image-digests: ${(e as Error).message.split("\n")[0]}\n${USAGE}`);
        return 2;
    }
    const bad = [...(v.add ?? []).filter((a) => !/^[a-z0-9.\-/_:]+:[\w][\w.-]{0,127}$/.test(a) || !a.includes(":")), ...(v.registry ?? []).filter((r) => !/^[a-z0-9.-]+=https?:\/\/\S+$/.test(r))];
    if (bad.length) {
        err(`refresh-image-digests: '${bad[0]}' is not <image>:<tag> (--add) or <host>=<base url> (--registry)\n${USAGE}`);
        return 2;
    }
    const root = deps.root ?? REPO_ROOT;
    const base = Object.fromEntries((v.registry ?? []).map((r) => r.split(/=(.*)/s).slice(0, 2)));
    const r = await refreshLock(loadDigestLock(root), deps.now ?? new Date(), { base, fetch: deps.fetch, add: v.add });
    for (const c of r.changes) out(c);
    for (const f of r.failures) err(`cannot ask: ${f}`);
    if (r.failures.length) {
        err(`refresh-image-digests: ${r.failures.length} image(s) not checked; ${DIGEST_LOCK_FILE} left as it is`);
        return 3;
    }
    if (v.write) {
        writeFileAtomic(path.join(root, DIGEST_LOCK_FILE), JSON.stringify(r.lock, null, 2) + "\n");
        out(`wrote ${DIGEST_LOCK_FILE} (${r.lock.images.length} image(s))`);
        return 0;
    }
    if (r.changes.length) {
        out(`${r.changes.length} change(s); rerun with --write`);
        return 1;
    }
    out(`${DIGEST_LOCK_FILE}: every digest matches its registry`);
    return 0;
}

if (require.main === module) main(process.argv.slice(2)).then((c) => process.exit(c));
