/**
 * Pod Security Standards at a Kubernetes version, as k8s.io/pod-security-admission evaluates them: each check of its
 * `policy/check_*.go` lists `VersionedCheck`s by `MinimumVersion`, and the admission `version` label ("latest" or
 * "v1.N") picks the newest variant at or below it. Every `pss-*` rule takes that label as its `version` setting;
 * each rule states upstream's gates (kubernetes/pod-security-admission 8f84a87c, 2026-07-01, the v0.37 development
 * line; README "Pod Security versions"). "latest" is newer than every version, so it takes every gate.
 *
 * Where the version comes from: the stack's `aks.kubernetesVersion` for plans and GitOps validation, `--k8s-version`
 * for `npm run policy` (default "latest", the newest behaviour the pack knows).
 */
import type { ReportViolation } from "@pulumi/policy";
import { podRule, type Obj, type PodRuleArgs, type PodView } from "./kubernetes";
import { PSS_VERSION_PATTERN, pssMinor } from "./pss-version";
import { known } from "./values";

/** User-namespaced pod (`hostUsers: false`): upstream relaxes some checks for it from 1.35 (relaxPolicyForUserNamespacePod). */
export function userNamespaced(spec: Obj): boolean {
    return known(() => spec.hostUsers) === false;
}

/** `spec.os.name: windows`: exempt from the restricted capabilities, privilege-escalation and seccomp checks from 1.25. */
export function windowsPod(spec: Obj): boolean {
    return known(() => spec.os?.name) === "windows";
}

export interface PssRuleArgs extends Omit<PodRuleArgs, "check"> {
    /** First minor version the check exists at (its first MinimumVersion upstream); earlier versions skip it. */
    since?: number;
    check: (view: PodView, report: ReportViolation, config: Obj, minor: number) => void;
}

/** A pod rule that checks at the configured PSS version (`version`, default "latest"). */
export function pssRule(args: PssRuleArgs): ReturnType<typeof podRule> {
    return podRule({
        ...args,
        configSchema: {
            version: {
                type: "string",
                pattern: PSS_VERSION_PATTERN,
                default: "latest",
                description: "Pod Security Standards version, as the PSA version label: \"latest\" or \"v1.N\" (the cluster's minor).",
            },
            ...(args.configSchema ?? {}),
        },
        check: (view, report, config) => {
            const minor = pssMinor(config.version ?? "latest");
            if (minor < (args.since ?? 0)) return;
            args.check(view, report, config, minor);
        },
    });
}
