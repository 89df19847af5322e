/**
 * Secrets the platform generates, by Key Vault secret name; ESO syncs them into the namespaces that use them. Data
 * only (components/secrets declares them), so the GitOps checks import it without the Pulumi providers.
 */
export const GENERATED_SECRETS = {
    "grafana-admin-password": { length: 32, special: true, consumer: "monitoring/grafana (kube-prometheus-stack admin)" },
    "mlflow-db-password": { length: 32, special: false, consumer: "mlflow/mlflow (PostgreSQL backend store)" },
    "mlflow-admin-password": { length: 32, special: false, consumer: "mlflow/mlflow (basic-auth admin user)" },
    "mlflow-pipeline-gate-password": { length: 32, special: false, consumer: "mlflow/mlflow-users (user pipeline-gate, which the release job's model gate logs in as)" },
    "qdrant-api-key": { length: 48, special: false, consumer: "qdrant/qdrant (API key)" },
    "rag-api-key": { length: 48, special: false, consumer: "rag/rag (bearer token of the RAG API and MCP endpoint)" },
    "vllm-api-key": { length: 48, special: false, consumer: "ai-serving/vllm (OpenAI-compatible API key)" },
    // LiteLLM accepts only an sk- prefixed master key.
    "llm-gateway-master-key": { length: 48, special: false, prefix: "sk-", consumer: "llm-gateway/llm-gateway (LiteLLM master key, used by the key sync only)" },
    "llm-gateway-db-password": { length: 32, special: false, consumer: "llm-gateway/llm-gateway-db (PostgreSQL of the gateway)" },
    "llm-gateway-redis-password": { length: 32, special: false, consumer: "llm-gateway/llm-gateway-redis (rate-limit counters of the gateway)" },
    // special: false — it is part of the SQL registry's connection URL (workloads/base/feature-store/repo/feature_store.yaml).
    "feast-db-password": { length: 32, special: false, consumer: "feature-store/feast-online (PostgreSQL online store and registry), argo (feast steps)" },
} as const;
export type GeneratedSecretName = keyof typeof GENERATED_SECRETS;
