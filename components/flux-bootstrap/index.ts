/**
 * FluxBootstrap: the AKS-managed Flux extension (`microsoft.flux`) and one FluxConfiguration that points the cluster
 * at its entry points in this repository, `gitops-bootstrap/clusters/<stack>/{infra-controllers,infra-configs,ai}`,
 * as three Kustomizations chained with dependsOn + wait. Flux then owns everything inside the cluster.
 *
 * Decisions (README, section GitOps):
 * - Multi-tenancy stays ENFORCED (`multiTenancy.enforce=true`, the extension's default): Flux refuses cross-namespace
 *   references and applies as the `flux-applier` ServiceAccount. Every Flux object of the tree therefore lives in
 *   `flux-system` and places its workload with `targetNamespace`; the validator checks both. Opting out would let
 *   any manifest in Git reference any source from any namespace, which tenants must not do.
 * - cluster-vars reach the cluster as the Kustomizations' `postBuild.substitute`, set here from config and real
 *   outputs: ARM carries them, so the private cluster's API server is never called from the deployer, there is no
 *   ordering problem (a ConfigMap would have to exist before Flux's first reconciliation), and the plan shows every
 *   value. The infra-controllers layer also materialises them as the `flux-system/cluster-vars` ConfigMap for nested
 *   Flux objects (`substituteFrom`). They are not secret; secrets reach the cluster only through ESO.
 * - The Git reference comes from config per environment: dev/stg follow a branch; prd follows one exact commit
 *   (branch + commit) that only the reviewed prd deploy changes — no tag push or merge moves prd by itself. That is
 *   the promotion lever. Signature verification is not available for Git sources of the managed extension (its
 *   GitRepository has no `verify`); see README "The promotion lever".
 */
import * as kubernetesconfiguration from "@pulumi/azure-native/kubernetesconfiguration";
import type * as azureInputs from "@pulumi/azure-native/types/input";
import * as pulumi from "@pulumi/pulumi";
import type { SpokeConfig } from "../../config/schema";
import { clusterVarProblems, type ClusterVars, configClusterVars, missingOutputVars, type OutputVarKey } from "./cluster-vars";
import { FLUX_CONFIGURATION_NAME, FLUX_LAYERS, FLUX_NAMESPACE, layerPath } from "./layers";

export * from "./cluster-vars";
export * from "./layers";

/** Credentials for a private repository; values must be secret Outputs (read from Key Vault, never plain config). */
export type GitCredentials =
    | { kind: "https"; username: string; /** Personal access token / app token. */ password: pulumi.Input<string> }
    | { kind: "ssh"; privateKey: pulumi.Input<string>; /** known_hosts line(s) of the Git host (public data). */ knownHosts: string };

export interface FluxBootstrapArgs {
    /** Stack name `<env>-<region>`; selects the entry points under gitops-bootstrap/clusters/<stack>/. */
    stack: string;
    /** Stack config: `flux` (repo + ref + extension pin) and the facts behind the config-derived cluster-vars. */
    config: Pick<SpokeConfig, "environment" | "location" | "network" | "aks" | "nodePools" | "edge" | "features" | "flux">;
    /** Resource group of the AKS cluster. */
    resourceGroupName: pulumi.Input<string>;
    /** Name of the AKS cluster. */
    clusterName: pulumi.Input<string>;
    /** The output-derived cluster-vars (vault URL, identities, IPs, ...); config-derived ones are computed here. */
    clusterVars: { [K in OutputVarKey]: pulumi.Input<string> };
    /** Only for a private repository: credentials from Key Vault (secret Outputs). Absent: public repository. */
    gitCredentials?: GitCredentials;
    /** Git poll interval in seconds; default 120 (dev/stg) and 300 (prd). */
    gitSyncIntervalSeconds?: number;
}

export interface FluxKustomizationSummary {
    name: string;
    path: string;
    includes: string;
    dependsOn: string[];
}

export interface FluxBootstrapOutputs {
    extensionName: pulumi.Output<string>;
    configurationName: pulumi.Output<string>;
    /** What the cluster follows: repository URL and its branch/tag/semver (plain, for the plan). */
    source: { url: string; ref: { branch?: string; commit?: string; tag?: string; semver?: string } };
    /** The three chained Kustomizations and the overlays they include (plain, for the plan). */
    kustomizations: FluxKustomizationSummary[];
    /** Every cluster-var value as Flux receives it. */
    clusterVars: pulumi.Output<ClusterVars>;
}

/** microsoft.flux extension settings (names from Microsoft Learn, "GitOps Flux v2 configurations with AKS"). */
export const FLUX_EXTENSION_SETTINGS: Record<string, string> = {
    "source-controller.enabled": "true",
    "kustomize-controller.enabled": "true",
    "helm-controller.enabled": "true",
    "notification-controller.enabled": "true",
    // Image automation would write to Git from the cluster; promotion is by tag instead.
    "image-automation-controller.enabled": "false",
    "image-reflector-controller.enabled": "false",
    // Helm releases changed behind Flux's back are corrected, not only reported.
    "helm-controller.detectDrift": "true",
    // Kept at its default deliberately (see the file header); written out so a reviewer sees the decision.
    "multiTenancy.enforce": "true",
};

/** Config problems found before any resource is declared, all at once. */
export function fluxConfigProblems(args: Pick<FluxBootstrapArgs, "config" | "gitCredentials" | "stack">): string[] {
    const file = `Pulumi.${args.stack}.yaml`;
    const flux = args.config.flux;
    if (!flux) return [`${file}: aiplatform:flux = (not set): is required for the Flux bootstrap (repoUrl and one of branch (+ commit), tag or semver)`];
    const problems: string[] = [];
    const refs = (["branch", "tag", "semver"] as const).filter((k) => flux[k] !== undefined);
    if (refs.length !== 1) problems.push(`${file}: aiplatform:flux = ${JSON.stringify(flux)}: set exactly one of branch, tag or semver (commit goes with branch)`);
    if (flux.repoUrl.startsWith("ssh://") && args.gitCredentials?.kind !== "ssh") {
        problems.push(`${file}: aiplatform:flux.repoUrl = "${flux.repoUrl}": an ssh:// repository needs gitCredentials of kind ssh (a deploy key from Key Vault)`);
    }
    if (flux.repoUrl.startsWith("https://") && args.gitCredentials?.kind === "ssh") {
        problems.push(`${file}: aiplatform:flux.repoUrl = "${flux.repoUrl}": ssh credentials given for an https:// repository`);
    }
    if (!/^[a-z]+-[a-z0-9]+$/.test(args.stack)) problems.push(`FluxBootstrap: stack '${args.stack}' is not <env>-<region>`);
    return problems;
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** Why a credential may not be used: it is not a secret, so it would land in state and logs in clear. */
export async function secretProblem(value: pulumi.Input<string>, what: string): Promise<string | undefined> {
    return (await pulumi.isSecret(pulumi.output(value))) ? undefined : `${what} must be a secret Output (read it from Key Vault), not a plain value`;
}

/** Fails the deployment (tier 3, a ResourceError) when a credential is not a secret. */
function requireSecret(value: pulumi.Input<string>, what: string, resource: pulumi.Resource): pulumi.Output<string> {
    return pulumi.output(value).apply(async (v) => {
        const problem = await secretProblem(value, what);
        if (problem) throw new pulumi.ResourceError(problem, resource);
        return v;
    });
}

export function createFluxBootstrap(name: string, args: FluxBootstrapArgs, parent: pulumi.Resource): FluxBootstrapOutputs {
    const problems = fluxConfigProblems(args);
    if (problems.length) throw new Error(`invalid Flux bootstrap input:\n  ${problems.join("\n  ")}`);
    const flux = args.config.flux!;
    const prd = args.config.environment === "prd";

    const extension = new kubernetesconfiguration.Extension(
        `${name}-extension`,
        {
            extensionName: "flux",
            extensionType: "microsoft.flux",
            resourceGroupName: args.resourceGroupName,
            clusterName: args.clusterName,
            clusterRp: "Microsoft.ContainerService",
            clusterResourceName: "managedClusters",
            scope: { cluster: { releaseNamespace: FLUX_NAMESPACE } },
            // A pinned version wins; otherwise minor versions follow the configured release train.
            ...(flux.extensionVersion
                ? { autoUpgradeMinorVersion: false, version: flux.extensionVersion }
                : { autoUpgradeMinorVersion: true, releaseTrain: flux.releaseTrain === "preview" ? "Preview" : "Stable" }),
            configurationSettings: FLUX_EXTENSION_SETTINGS,
        },
        { parent },
    );

    const configVars = configClusterVars(args.config);
    const clusterVars = pulumi.all(args.clusterVars as Record<string, pulumi.Input<string>>).apply((outputs) => {
        const vars = { ...outputs, ...configVars } as unknown as ClusterVars;
        const bad = clusterVarProblems(vars as unknown as Record<string, string>);
        const missing = missingOutputVars(vars as unknown as Record<string, string>, args.config.features.edge);
        if (missing.length) bad.push(`cluster-vars: empty ${missing.join(", ")}: pass the real outputs (the tree substitutes them)`);
        if (bad.length) throw new pulumi.ResourceError(bad.join("; "), parent);
        return vars;
    });

    const ref =
        flux.branch !== undefined
            ? { branch: flux.branch, ...(flux.commit !== undefined ? { commit: flux.commit } : {}) }
            : flux.tag !== undefined
              ? { tag: flux.tag }
              : { semver: flux.semver! };
    const creds = args.gitCredentials;
    const protectedSettings: Record<string, pulumi.Input<string>> | undefined =
        creds?.kind === "https"
            ? { httpsKey: pulumi.secret(requireSecret(creds.password, "gitCredentials.password", parent).apply(b64)) }
            : creds?.kind === "ssh"
              ? { sshPrivateKey: pulumi.secret(requireSecret(creds.privateKey, "gitCredentials.privateKey", parent).apply(b64)) }
              : undefined;

    const substitute = clusterVars as unknown as pulumi.Output<Record<string, string>>;
    const kustomizations: Record<string, azureInputs.kubernetesconfiguration.KustomizationDefinitionArgs> = {};
    for (const layer of FLUX_LAYERS) {
        kustomizations[layer.name] = {
            path: layerPath(args.stack, layer.name),
            dependsOn: layer.dependsOn,
            prune: true,
            wait: layer.wait,
            force: false,
            timeoutInSeconds: layer.timeoutInSeconds,
            syncIntervalInSeconds: layer.syncIntervalInSeconds,
            retryIntervalInSeconds: layer.retryIntervalInSeconds,
            postBuild: { substitute },
        };
    }

    const configuration = new kubernetesconfiguration.FluxConfiguration(
        `${name}-config`,
        {
            fluxConfigurationName: FLUX_CONFIGURATION_NAME,
            resourceGroupName: args.resourceGroupName,
            clusterName: args.clusterName,
            clusterRp: "Microsoft.ContainerService",
            clusterResourceName: "managedClusters",
            namespace: FLUX_NAMESPACE,
            scope: "cluster",
            sourceKind: "GitRepository",
            gitRepository: {
                url: flux.repoUrl,
                repositoryRef: ref,
                syncIntervalInSeconds: args.gitSyncIntervalSeconds ?? (prd ? 300 : 120),
                timeoutInSeconds: 120,
                ...(creds?.kind === "https" ? { httpsUser: creds.username } : {}),
                ...(creds?.kind === "ssh" ? { sshKnownHosts: b64(creds.knownHosts) } : {}),
            },
            ...(protectedSettings ? { configurationProtectedSettings: protectedSettings } : {}),
            kustomizations,
            suspend: false,
        },
        // The configuration needs the extension's CRDs and controllers; the data flow doesn't show that.
        { parent, dependsOn: [extension] },
    );

    return {
        extensionName: extension.name,
        configurationName: configuration.name,
        source: { url: flux.repoUrl, ref },
        kustomizations: FLUX_LAYERS.map((l) => ({ name: l.name, path: layerPath(args.stack, l.name), includes: l.includes(args.stack), dependsOn: [...l.dependsOn] })),
        clusterVars,
    };
}

export class FluxBootstrap extends pulumi.ComponentResource implements FluxBootstrapOutputs {
    public readonly extensionName: pulumi.Output<string>;
    public readonly configurationName: pulumi.Output<string>;
    public readonly source: FluxBootstrapOutputs["source"];
    public readonly kustomizations: FluxKustomizationSummary[];
    public readonly clusterVars: pulumi.Output<ClusterVars>;

    constructor(name: string, args: FluxBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:gitops:FluxBootstrap", name, {}, opts);
        const out = createFluxBootstrap(name, args, this);
        this.extensionName = out.extensionName;
        this.configurationName = out.configurationName;
        this.source = out.source;
        this.kustomizations = out.kustomizations;
        this.clusterVars = out.clusterVars;
        this.registerOutputs({ ...out });
    }
}
