/**
 * Which Key Vault secrets a cluster's External Secrets Operator reads — read from the GitOps tree itself (the
 * ExternalSecrets' `remoteRef.key` and `dataFrom[].extract.key`), so the per-secret grants of ESO's identity and the
 * placeholders of person-added secrets follow the tree, never a second hand-kept list (issue 22 §2). The access
 * report checks the result against the cluster's real render (every key read has a grant at its secret scope).
 *
 * A file counts for a stack unless it sits in another stack's or environment's folder (`clusters/<stack>`,
 * `overlays/<stack>`, `overlays/<env>`): bases are shared by every cluster.
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { REPO_ROOT } from "../../config/stack-files";

/** Tree folders Flux applies (FLUX_LAYERS' roots). */
const TREE = ["gitops-bootstrap", "workloads"];

function yamlFiles(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e.name) ? [p] : [];
    });
}

/** Whether a tree file belongs to `stack`'s cluster (not under another stack's or environment's folder). */
function forStack(rel: string, stack: string): boolean {
    const env = stack.split("-")[0];
    const parts = rel.split("/");
    return parts.every((p, i) => !(["clusters", "overlays"].includes(parts[i - 1] ?? "") && p !== stack && p !== env));
}

/** Each tree file's ExternalSecrets: relative path, object name and raw keys (null: a dataFrom.find). Read once per root. */
const scanned = new Map<string, { rel: string; name?: string; keys: (string | null)[] }[]>();
function externalSecretsOf(root: string) {
    if (!scanned.has(root)) {
        const found: { rel: string; name?: string; keys: (string | null)[] }[] = [];
        for (const file of TREE.flatMap((d) => yamlFiles(path.join(root, d)))) {
            const text = fs.readFileSync(file, "utf8");
            if (!/kind:\s*ExternalSecret\b/.test(text)) continue;
            const rel = path.relative(root, file).split(path.sep).join("/");
            for (const doc of parseAllDocuments(text)) {
                const o = doc.toJSON() as { kind?: string; metadata?: { name?: string }; spec?: any } | null;
                if (o?.kind !== "ExternalSecret") continue;
                const keys = [...(o.spec?.data ?? []).map((d: any) => String(d?.remoteRef?.key ?? "")), ...(o.spec?.dataFrom ?? []).map((d: any) => (d?.find ? null : String(d?.extract?.key ?? "")))];
                found.push({ rel, name: o.metadata?.name, keys });
            }
        }
        scanned.set(root, found);
    }
    return scanned.get(root)!;
}

/**
 * Secret names `stack`'s ExternalSecrets read, sorted. `${var}` keys are resolved from `vars` (cluster-vars, e.g.
 * origin_cert_secret); a key resolving to "" (feature off) is skipped. A `dataFrom.find` (a search over the whole
 * vault) cannot be scoped per secret: it is an error.
 */
export function esoSecretNames(stack: string, vars: Record<string, string>, root = REPO_ROOT): string[] {
    const names = new Set<string>();
    for (const { rel, name, keys } of externalSecretsOf(root).filter((e) => forStack(e.rel, stack))) {
        for (const k of keys) {
            if (k === null) throw new Error(`${rel}: ExternalSecret ${name}: dataFrom.find searches the whole vault; name each secret (remoteRef.key) so ESO's access stays per secret`);
            const key = k.replace(/\$\{(\w+)\}/g, (_, v) => vars[v] ?? `\${${v}}`);
            if (key.includes("${")) throw new Error(`${rel}: ExternalSecret ${name}: key '${k}' names a cluster-var the program does not pass`);
            if (key) names.add(key);
        }
    }
    return [...names].sort();
}
