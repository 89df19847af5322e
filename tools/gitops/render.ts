/**
 * Renders a kustomize overlay with `kubectl kustomize` (kubectl bundles kustomize) into plain objects.
 * The AI stack's tests reuse `renderOverlay` for workloads/overlays/<stack>.
 */
import { execFile } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { REPO_ROOT } from "../../config/stack-files";
import { writeFileAtomic } from "../write-atomic";

export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: any;
    [key: string]: unknown;
}

/** kubectl is not installed: the one line tells the user what to do. */
export class KubectlMissingError extends Error {
    constructor() {
        super("kubectl not found on PATH: install kubectl (it bundles kustomize) to render the GitOps overlays");
        this.name = "KubectlMissingError";
    }
}

/** An overlay that does not build; `message` names the overlay and kustomize's own error. */
export class RenderError extends Error {
    constructor(
        readonly overlay: string,
        readonly detail: string,
    ) {
        super(`${overlay}: kustomize build failed: ${detail}`);
        this.name = "RenderError";
    }
}

/** kubectl's error output reduced to kustomize's message (no klog prefix, no Go quoting). */
export function kustomizeError(stderr: string): string {
    const m = /err="((?:[^"\\]|\\.)*)"/.exec(stderr);
    const text = m ? m[1].replace(/\\"/g, '"').replace(/\\'/g, "'") : stderr.trim().split("\n").filter(Boolean).pop() ?? "unknown error";
    return text.replace(/^error:\s*/, "").replace(/\s+/g, " ").trim();
}

/** Repository-relative form of a path, for messages. */
export function rel(p: string): string {
    const r = path.relative(REPO_ROOT, path.resolve(REPO_ROOT, p));
    return r.startsWith("..") ? p : r;
}

/**
 * Where the GitOps tools keep what they computed once per content (compiled validators, parsed chart defaults,
 * rendered overlays): AIPLATFORM_CACHE_DIR, or a folder per user in the system temp dir. Everything in it is keyed
 * by the content it was made from, so it is safe to share between checkouts and to delete.
 */
export const GITOPS_CACHE_ROOT = process.env.AIPLATFORM_CACHE_DIR || os.tmpdir();
const USER = typeof process.getuid === "function" ? process.getuid() : "u";

/**
 * Where rendered overlays are kept between processes (the plan, the validator CLI and every jest suite render the same
 * overlays): the parsed objects as JSON, keyed by the kubectl binary and the content of every file the overlay can
 * read. AIPLATFORM_RENDER_CACHE=off turns it off.
 */
export const RENDER_CACHE_DIR = path.join(GITOPS_CACHE_ROOT, `aiplatform-gitops-render-${USER}`);
const RENDER_CACHE_VERSION = "2";
const KUSTOMIZATION_FILES = new Set(["kustomization.yaml", "kustomization.yml", "Kustomization"]);

/** The kubectl that execFile would run, identified by its resolved path, size and times; undefined when not found. */
function kubectlIdentity(kubectl: string): string | undefined {
    const candidates = kubectl.includes("/") ? [path.resolve(kubectl)] : (process.env.PATH ?? "").split(path.delimiter).filter(Boolean).map((d) => path.join(d, kubectl));
    for (const c of candidates) {
        try {
            const real = fs.realpathSync(c);
            const st = fs.statSync(real);
            if (!st.isFile()) continue;
            // The SDK's kubectl dispatches to versioned binaries next to it: their folder's mtime changes with them.
            return `${real}|${st.size}|${st.mtimeMs}|${fs.statSync(path.dirname(real)).mtimeMs}`;
        } catch {
            // not here: next PATH entry
        }
    }
    return undefined;
}

/** Every regular file under `dir`; undefined when the tree holds a symlink or special file (it could lead anywhere). */
function filesUnder(dir: string, out: string[] = []): string[] | undefined {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
            if (!filesUnder(p, out)) return undefined;
        } else if (e.isFile()) out.push(p);
        else return undefined;
    }
    return out;
}

/** One top-level folder's files: their digest and every path its kustomizations mention. */
interface FolderScan {
    /** Paths, sizes and modification times of its files: the scan is redone when this changes. */
    signature: string;
    digest: string;
    /** Absolute paths the kustomization files mention (existing or not; checked by the caller). */
    targets: string[];
    /** A kustomization mentions a URL or a Git host: remote content, never cached. */
    remote: boolean;
}
const scans = new Map<string, FolderScan>();

function scanFolder(dir: string, root: string): FolderScan | undefined {
    const files = filesUnder(dir);
    if (!files) return undefined;
    files.sort();
    const signature = files.map((f) => {
        const st = fs.statSync(f);
        return `${f}\0${st.size}\0${st.mtimeMs}`;
    }).join("\n");
    const key = `${root}\0${dir}`;
    const known = scans.get(key);
    if (known?.signature === signature) return known;
    const hash = createHash("sha256");
    const scan: FolderScan = { signature, digest: "", targets: [], remote: false };
    for (const f of files) {
        const text = fs.readFileSync(f);
        hash.update(path.relative(root, f)).update("\0").update(text).update("\0");
        if (!KUSTOMIZATION_FILES.has(path.basename(f))) continue;
        for (const line of text.toString("utf8").split("\n")) {
            const code = line.replace(/(^|\s)#.*$/, "");
            if (/[a-z][a-z0-9+.-]*:\/\/|github\.com\/|gitlab\.com\/|bitbucket\.org\//i.test(code)) scan.remote = true;
            for (const token of code.split(/[\s'",[\]{}]+/)) if (token.includes("/")) scan.targets.push(path.resolve(path.dirname(f), token));
        }
    }
    scan.digest = hash.digest("hex");
    scans.set(key, scan);
    return scan;
}

/**
 * A digest of everything `kubectl kustomize <dir>` can read: every file of the repository's top-level folder holding
 * the overlay, plus the folders any kustomization there references (followed transitively). Undefined (don't cache)
 * when the overlay is outside the repository, a kustomization references something outside it or remote (a URL), or
 * a folder holds a symlink. A folder's files are read again only when their sizes or modification times change.
 */
export function overlayInputDigest(absDir: string, root = REPO_ROOT): string | undefined {
    const top = (p: string) => path.relative(root, p).split(path.sep)[0];
    const inside = (p: string) => {
        const r = path.relative(root, p);
        return r !== "" && !r.startsWith("..") && !path.isAbsolute(r);
    };
    if (!inside(absDir)) return undefined;
    const folders = [top(absDir)];
    const hash = createHash("sha256");
    for (let i = 0; i < folders.length; i++) {
        const dir = path.join(root, folders[i]);
        if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return undefined;
        const scan = scanFolder(dir, root);
        if (!scan || scan.remote) return undefined;
        hash.update(folders[i]).update("\0").update(scan.digest).update("\0");
        for (const target of scan.targets) {
            if (!fs.existsSync(target)) continue;
            if (!inside(target)) return undefined;
            if (!folders.includes(top(target))) folders.push(top(target));
        }
    }
    return hash.digest("hex");
}

/** True when JSON round-trips `v` exactly (plain objects, arrays, strings, finite numbers, booleans, null). */
export function jsonExact(v: unknown): boolean {
    if (v === null || typeof v === "string" || typeof v === "boolean") return true;
    if (typeof v === "number") return Number.isFinite(v) && !Object.is(v, -0);
    if (Array.isArray(v)) return v.every(jsonExact);
    if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v as object).every(jsonExact);
    return false;
}

/** This process's renders by cache key (JSON text: every caller gets its own copy of the objects). */
const memo = new Map<string, Promise<string | undefined>>();

function cacheKey(abs: string, kubectl: string): string | undefined {
    if (process.env.AIPLATFORM_RENDER_CACHE === "off") return undefined;
    const tool = kubectlIdentity(kubectl);
    const inputs = tool && overlayInputDigest(abs);
    if (!inputs) return undefined;
    return createHash("sha256").update(RENDER_CACHE_VERSION).update("\0").update(tool!).update("\0").update(path.relative(REPO_ROOT, abs)).update("\0").update(inputs).digest("hex").slice(0, 32);
}

/**
 * Runs `kubectl kustomize <dir>` and returns the rendered objects in order. An overlay inside the repository is
 * rendered once per state of its input files (RENDER_CACHE_DIR); failures are never cached.
 */
export async function renderOverlay(dir: string, opts: { kubectl?: string } = {}): Promise<K8sObject[]> {
    const abs = path.resolve(REPO_ROOT, dir);
    const kubectl = opts.kubectl ?? process.env.KUBECTL ?? "kubectl";
    const key = cacheKey(abs, kubectl);
    if (!key) return runKustomize(dir, abs, kubectl);
    const file = path.join(RENDER_CACHE_DIR, `${key}.json`);
    let text = memo.get(key);
    if (!text) {
        text = (async () => {
            try {
                const cached = fs.readFileSync(file, "utf8");
                JSON.parse(cached);
                return cached;
            } catch {
                // not rendered yet (or an unreadable entry: render again)
            }
            const objects = await runKustomize(dir, abs, kubectl);
            if (!jsonExact(objects)) return undefined;
            const json = JSON.stringify(objects);
            try {
                fs.mkdirSync(RENDER_CACHE_DIR, { recursive: true });
                writeFileAtomic(file, json);
            } catch {
                // the cache is an optimisation only
            }
            return json;
        })();
        memo.set(key, text);
        text.catch(() => memo.delete(key));
    }
    const json = await text;
    return json === undefined ? runKustomize(dir, abs, kubectl) : (JSON.parse(json) as K8sObject[]);
}

function runKustomize(dir: string, abs: string, kubectl: string): Promise<K8sObject[]> {
    return new Promise((resolve, reject) => {
        execFile(kubectl, ["kustomize", abs], { maxBuffer: 256 * 1024 * 1024, encoding: "utf8" }, (err, stdout, stderr) => {
            if (err) {
                if ((err as NodeJS.ErrnoException).code === "ENOENT") return reject(new KubectlMissingError());
                return reject(new RenderError(rel(dir), kustomizeError(stderr || err.message)));
            }
            try {
                const docs = YAML.parseAllDocuments(stdout);
                const objs: K8sObject[] = [];
                for (const d of docs) {
                    if (d.errors.length) throw new Error(d.errors[0].message);
                    const v = d.toJS();
                    if (v && typeof v === "object") objs.push(v as K8sObject);
                }
                resolve(objs);
            } catch (e) {
                reject(new RenderError(rel(dir), `output is not YAML: ${(e as Error).message}`));
            }
        });
    });
}
