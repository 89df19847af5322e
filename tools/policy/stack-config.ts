/**
 * A stack's pack config as the plan and the pipeline both run it: `policies/config/<stack>.json` when present (the
 * same document `pulumi preview --policy-pack-config` takes, so a team can move a rule between
 * mandatory/advisory/disabled for one stack), with the `pss-*` rules at the stack's `aks.kubernetesVersion` unless
 * that file sets their `version`.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../config/stack-files";
import { clusterPssVersion } from "./cluster-version";
import { packConfigAtVersion, type PackConfig } from "./evaluate";

/** The stack's config file (root-relative) and its content, or nothing when it has none. */
export function stackPackConfig(stack: string, root = REPO_ROOT): { file?: string; config?: PackConfig } {
    const file = path.join(root, "policies", "config", `${stack}.json`);
    if (!fs.existsSync(file)) return {};
    try {
        return { file: path.relative(root, file), config: JSON.parse(fs.readFileSync(file, "utf8")) as PackConfig };
    } catch (e) {
        throw new Error(`${path.relative(root, file)}: not valid JSON (${(e as Error).message})`);
    }
}

/** The config the stack's policy run uses: its file's, with Pod Security judged at its cluster's own version. */
export function stackPolicyConfig(stack: string, root = REPO_ROOT): { file?: string; config: PackConfig } {
    const { file, config } = stackPackConfig(stack, root);
    return { file, config: packConfigAtVersion(config, clusterPssVersion(stack, root)) };
}
