/**
 * The Flux layers every cluster reconciles, in order: platform controllers (Helm releases that bring CRDs), their
 * configuration (objects of those CRDs: stores, issuers, policies), the AI stack, then its model servers in a layer of
 * their own (a cold start — GPU pool from zero, driver build, tens of GB of weights — outlasts any other layer's
 * timeout, and nothing waits on it). Secrets a person must put into Key Vault first are synced by a layer that does
 * not wait, so a missing one never holds a layer NotReady. FluxBootstrap declares one Kustomization per layer in the
 * FluxConfiguration; the GitOps validator renders the same paths. One list, two users.
 */

/** Namespace of the FluxConfiguration; with multi-tenancy enforced every Flux object of the tree lives here. */
export const FLUX_NAMESPACE = "flux-system";
/** Name of the FluxConfiguration. AKS names the GitRepository after it and each Kustomization `<name>-<layer>`. */
export const FLUX_CONFIGURATION_NAME = "flux-system";
/** ServiceAccount the managed extension creates and impersonates when multi-tenancy is enforced. */
export const FLUX_APPLIER = "flux-applier";

export interface FluxLayer {
    /** Kustomization name inside the FluxConfiguration (the cluster object is `flux-system-<name>`). */
    name: "infra-controllers" | "infra-configs" | "ai" | "models" | "manual-secrets";
    /** Layers that must be Ready first. */
    dependsOn: FluxLayer["name"][];
    /** Whether Flux waits for every object to become Ready (health) before the layer is Ready. */
    wait: boolean;
    /** How long Flux waits for the layer's objects to become Ready (wait: true) before it reports failure. */
    timeoutInSeconds: number;
    /** Reconcile interval. */
    syncIntervalInSeconds: number;
    /** Retry interval after a failed reconciliation. */
    retryIntervalInSeconds: number;
    /** What the entry point folder includes, relative to the repository root (documentation and the validator). */
    includes: (stack: string) => string;
}

export const FLUX_LAYERS: readonly FluxLayer[] = [
    {
        name: "infra-controllers",
        dependsOn: [],
        wait: true,
        timeoutInSeconds: 15 * 60,
        syncIntervalInSeconds: 10 * 60,
        retryIntervalInSeconds: 2 * 60,
        includes: (stack) => `gitops-bootstrap/infrastructure/controllers/overlays/${envOf(stack)}`,
    },
    {
        name: "infra-configs",
        dependsOn: ["infra-controllers"],
        wait: true,
        timeoutInSeconds: 10 * 60,
        syncIntervalInSeconds: 10 * 60,
        retryIntervalInSeconds: 2 * 60,
        includes: (stack) => `gitops-bootstrap/infrastructure/configs/overlays/${envOf(stack)}`,
    },
    {
        name: "ai",
        dependsOn: ["infra-configs"],
        wait: true,
        timeoutInSeconds: 20 * 60,
        syncIntervalInSeconds: 5 * 60,
        retryIntervalInSeconds: 2 * 60,
        includes: (stack) => `workloads/overlays/${stack}`,
    },
    {
        name: "models",
        dependsOn: ["ai"],
        wait: true,
        // A cold start: the GPU pool scales from zero (~10 min), the GPU operator builds and loads the driver
        // (~10 min), the init container pulls tens of GB of weights, vLLM profiles memory and captures CUDA graphs.
        timeoutInSeconds: 90 * 60,
        syncIntervalInSeconds: 5 * 60,
        retryIntervalInSeconds: 5 * 60,
        includes: (stack) => `workloads/overlays/${stack}/models`,
    },
    {
        name: "manual-secrets",
        dependsOn: ["ai"],
        // Key Vault secrets a person adds (hf-token, alert receiver URLs): until then their ExternalSecrets are
        // NotReady, which must not hold any layer. The consumers treat them as optional.
        wait: false,
        timeoutInSeconds: 5 * 60,
        syncIntervalInSeconds: 10 * 60,
        retryIntervalInSeconds: 2 * 60,
        includes: (stack) => `workloads/overlays/${stack}/manual-secrets`,
    },
];

/** `dev-uaenorth` → `dev`. */
export function envOf(stack: string): string {
    return stack.split("-")[0];
}

/** Path of a layer's entry point for a cluster, as the FluxConfiguration gives it (relative to the repository root). */
export function layerPath(stack: string, layer: FluxLayer["name"]): string {
    return `./gitops-bootstrap/clusters/${stack}/${layer}`;
}

/** Name of the Kustomization object AKS creates for a layer. */
export function layerKustomizationName(layer: FluxLayer["name"]): string {
    return `${FLUX_CONFIGURATION_NAME}-${layer}`;
}
