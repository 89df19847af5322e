/**
 * Exit codes of `npm run pipeline`. One code per decision a pipeline acts on; the README table and `--help` are
 * generated from this list, so the three never disagree. 0–2 mean what they mean for `npm run plan`.
 */
export const EXIT = {
    ok: 0,
    policy: 1,
    badInput: 2,
    drift: 3,
    protectedChange: 4,
    promotionRefused: 5,
    noBackend: 6,
    noAzureCredentials: 7,
    locked: 8,
    noPulumiCli: 9,
    operationFailed: 10,
    postDeployChecks: 11,
    cancelled: 12,
    modelNotApproved: 13,
    modelRegistryUnavailable: 14,
    failoverRefused: 15,
    cloudflareUnavailable: 16,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each code means, in the order `--help` and the README show them. */
export const EXIT_MEANINGS: readonly [ExitCode, string][] = [
    [EXIT.ok, "success (drift: no drift; rotate: nothing due or rotation written)"],
    [EXIT.policy, "mandatory policy violation in the preview (policy pack `policies/`)"],
    [EXIT.badInput, "bad input: unknown command or flag, unknown stack (in the repo or the backend), bad promotion pair, invalid stack file"],
    [EXIT.drift, "drift: the refresh found resources that differ from the state (drift command only)"],
    [EXIT.protectedChange, "refused: the preview replaces or deletes a protected resource (pass --allow-protected-changes)"],
    [EXIT.promotionRefused, "promotion refused: the source stack's last update is not this commit, or its post-deploy checks did not pass, or (prd) the release differs from `aiplatform:flux.commit` in the tree Flux applies"],
    [EXIT.noBackend, "no state backend: not logged in (PULUMI_BACKEND_URL) or the stack file has no Key Vault secrets provider"],
    [EXIT.noAzureCredentials, "no Azure credentials: no OIDC token / managed identity / `az login` session"],
    [EXIT.locked, "the stack is locked by another update (retry after it finishes)"],
    [EXIT.noPulumiCli, "the Pulumi CLI is not installed or not on PATH"],
    [EXIT.operationFailed, "the Pulumi operation failed (engine, provider or program error)"],
    [EXIT.postDeployChecks, "the update succeeded but the post-deploy checks failed (the stack is not clean right after deploying)"],
    [EXIT.cancelled, "cancelled (SIGINT/SIGTERM): Pulumi was asked to stop after the operations in flight; if the stack stays locked see docs/runbooks/cancelled-deployment.md"],
    [EXIT.modelNotApproved, "model-gate refused: a model version stg/prd would deploy has no approval for that environment in the MLflow registry"],
    [EXIT.modelRegistryUnavailable, "model-gate: the MLflow registry is not configured (MLFLOW_TRACKING_URI), unreachable, or rejected the pipeline's credentials"],
    [EXIT.failoverRefused, "failover refused: the target region is not healthy by Cloudflare's probes (nothing was changed)"],
    [EXIT.cloudflareUnavailable, "failover: no CLOUDFLARE_API_TOKEN, the Cloudflare API is unreachable or rejected it, or the steering the plan declares is not deployed"],
];
