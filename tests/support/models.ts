/** A minimal valid models.yaml entry (deployed in stg) for catalogue tests; spread and override what a test varies. */
export const MODEL_ENTRY = {
    name: "m",
    servedModelName: "m",
    vendor: "nvidia",
    gpus: 1,
    source: { huggingface: { repo: "org/m", revision: "abc123" } },
    gateway: { pricePerMillionTokens: { input: 0, output: 0 } },
    environments: { stg: { replicas: 1, maxReplicas: 1, rollout: "direct" } },
} as const;
