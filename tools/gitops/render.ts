/**
 * Renders a kustomize overlay with `kubectl kustomize` (kubectl bundles kustomize) into plain objects.
 * The AI stack's tests reuse `renderOverlay` for workloads/overlays/<stack>.
 */
import { execFile } from "child_process";
import * as path from "path";
import * as YAML from "yaml";
import { REPO_ROOT } from "../../config/stack-files";

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

/** Runs `kubectl kustomize <dir>` and returns the rendered objects in order. */
export function renderOverlay(dir: string, opts: { kubectl?: string } = {}): Promise<K8sObject[]> {
    const abs = path.resolve(REPO_ROOT, dir);
    const kubectl = opts.kubectl ?? process.env.KUBECTL ?? "kubectl";
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
