/**
 * Identities: one user-assigned managed identity per in-cluster workload that talks to Azure, federated with the
 * cluster's OIDC issuer for exactly its Kubernetes service account(s), holding exactly the roles in the table
 * below at the narrowest scope (one secret, one container). No client secrets anywhere: pods exchange their
 * projected service-account token (audience api://AzureADTokenExchange) for an Entra token.
 *
 * WORKLOAD_IDENTITIES is the one source of truth: the component, the tests, the audit script, the README table and
 * the GitOps cluster-vars (`<key>_client_id`) all read it.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import type { SpokeConfig } from "../../config/schema";
import type { Namer } from "../core/naming";
import { type BuiltInRole, grant, readyAfter, stableGuid, subscriptionIdOf } from "../rbac/roles";
import type { LakeContainer } from "../storage";

export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/**
 * Where a workload's role applies: each Key Vault secret the cluster's ExternalSecrets read (one assignment per
 * secret, never the vault: issue 22 §2), or one Data Lake container.
 */
export type IdentityScope = { kind: "secrets" } | { kind: "container"; container: LakeContainer };

/**
 * Read, write and delete blobs in a container — and nothing else. Storage Blob Data Contributor would also let the
 * workload delete or reconfigure its container (`containers/delete`, `containers/write`) and rename across paths
 * (`blobs/move/action`), none of which Loki, Tempo, MLflow or Argo do: the permissions report fails such unneeded
 * writes (issue 14). One custom role per stack, defined at its resource group.
 */
export const BLOB_DATA_WRITER = {
    key: "blobDataWriter",
    seed: "blob-data-writer",
    roleName: "aiplatform blob data writer",
    description: "Workload identities: read, write and delete blobs in their container; no container or account changes.",
    actions: ["Microsoft.Storage/storageAccounts/blobServices/containers/read"],
    dataActions: [
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
    ],
} as const;
/** Create blobs only: the inference log collector writes new blobs and never reads, overwrites on purpose or deletes. */
export const BLOB_DATA_APPENDER = {
    key: "blobDataAppender",
    seed: "blob-data-appender",
    roleName: "aiplatform blob data appender",
    description: "Workload identities: create blobs in their container; no read, delete, container or account changes.",
    actions: [],
    dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"],
} as const;
const CUSTOM_BLOB_ROLES = [BLOB_DATA_WRITER, BLOB_DATA_APPENDER] as const;
type CustomBlobRole = (typeof CUSTOM_BLOB_ROLES)[number];
export type WorkloadRole = BuiltInRole | CustomBlobRole["key"];

/** GUID of one of the stack's custom blob roles (stable: the pipeline's ABAC condition names it). */
export function customBlobRoleGuid(names: Namer, role: CustomBlobRole): string {
    return stableGuid(`aiplatform:${role.seed}:${names.of("resourceGroup")}`);
}

/** GUIDs of every custom blob role of the stack (the pipeline may assign them to service principals). */
export function customBlobRoleGuids(names: Namer): string[] {
    return CUSTOM_BLOB_ROLES.map((r) => customBlobRoleGuid(names, r));
}

export interface WorkloadIdentitySpec {
    /** Kubernetes namespace and service account allowed to use the identity (one federated credential each). */
    subjects: readonly { namespace: string; serviceAccount: string }[];
    /** Also federated for this service account in every team namespace of the stack (aiplatform:rbac.developerNamespaces). */
    tenantServiceAccount?: string;
    grants: readonly { role: WorkloadRole; scope: IdentityScope }[];
    /** What the workload does with its access (README, role assignment description). */
    purpose: string;
}

export const WORKLOAD_IDENTITIES = {
    eso: {
        purpose: "External Secrets Operator reads Key Vault secrets into Kubernetes Secrets",
        // The ClusterSecretStore's own ServiceAccount, never the controller's: the controller pod carries no identity,
        // so a SecretStore without serviceAccountRef has nothing to authenticate as (issue 22 §2).
        subjects: [{ namespace: "external-secrets", serviceAccount: "key-vault-reader" }],
        grants: [{ role: "keyVaultSecretsUser", scope: { kind: "secrets" } }],
    },
    mlflow: {
        purpose: "MLflow tracking server stores run artifacts",
        subjects: [{ namespace: "mlflow", serviceAccount: "mlflow" }],
        grants: [{ role: "blobDataWriter", scope: { kind: "container", container: "mlflow" } }],
    },
    model_loader: {
        purpose: "the vLLM pods' model-loader init container reads model weights",
        // The ServiceAccount the vLLM pods run as (workloads/base/serving/serviceaccount.yaml, serviceAccountName in
        // workloads/base/vllm): tests/gitops/names.test.ts matches every subject to one rendered pods use.
        subjects: [{ namespace: "ai-serving", serviceAccount: "model-loader" }],
        grants: [{ role: "storageBlobDataReader", scope: { kind: "container", container: "models" } }],
    },
    loki: {
        purpose: "Loki writes log chunks and ruler data",
        subjects: [{ namespace: "monitoring", serviceAccount: "loki" }],
        grants: [{ role: "blobDataWriter", scope: { kind: "container", container: "logs" } }],
    },
    tempo: {
        purpose: "Tempo writes trace blocks",
        subjects: [{ namespace: "monitoring", serviceAccount: "tempo" }],
        grants: [{ role: "blobDataWriter", scope: { kind: "container", container: "traces" } }],
    },
    drift_collector: {
        purpose: "the inference log collector writes feature records of served traffic",
        // images/drift-monitor/collector.py, generated Deployment inference-log-collector (tools/workloads/generate.ts).
        subjects: [{ namespace: "ai-serving", serviceAccount: "inference-log-collector" }],
        grants: [{ role: "blobDataAppender", scope: { kind: "container", container: "inference" } }],
    },
    argo: {
        purpose: "Argo Workflows artifact repository; batch steps read models, datasets and inference logs (drift checks)",
        // Workflow pods only; the Argo server runs in client auth mode and reads no artifacts itself.
        subjects: [{ namespace: "argo", serviceAccount: "argo-workflow" }],
        grants: [
            { role: "blobDataWriter", scope: { kind: "container", container: "argo" } },
            { role: "storageBlobDataReader", scope: { kind: "container", container: "datasets" } },
            { role: "storageBlobDataReader", scope: { kind: "container", container: "models" } },
            { role: "storageBlobDataReader", scope: { kind: "container", container: "inference" } },
        ],
    },
    notebook: {
        purpose: "JupyterHub notebook servers read datasets and models",
        // KubeSpawner starts each server in the team namespace its profile names, as ServiceAccount `notebook` there
        // (generated per team in tenants.yaml; the profiles in workloads/overlays/<stack>/generated/notebooks.yaml).
        subjects: [],
        tenantServiceAccount: "notebook",
        grants: [
            { role: "storageBlobDataReader", scope: { kind: "container", container: "datasets" } },
            { role: "storageBlobDataReader", scope: { kind: "container", container: "models" } },
        ],
    },
} as const satisfies Record<string, WorkloadIdentitySpec>;
export type WorkloadName = keyof typeof WORKLOAD_IDENTITIES;
export const WORKLOAD_NAMES = Object.keys(WORKLOAD_IDENTITIES) as WorkloadName[];

/** The cluster-vars key of a workload's client id, e.g. model_loader → model_loader_client_id. */
export function clientIdVar(workload: WorkloadName): `${WorkloadName}_client_id` {
    return `${workload}_client_id`;
}

/** `system:serviceaccount:<ns>:<sa>`: the exact subject Kubernetes puts in projected tokens. */
export function subjectOf(s: { namespace: string; serviceAccount: string }): string {
    return `system:serviceaccount:${s.namespace}:${s.serviceAccount}`;
}

/** Team namespaces where `tenantServiceAccount` rows are federated: notebook servers run there only with aiplatform:notebooks. */
export function federatedTenantNamespaces(cfg: Pick<SpokeConfig, "notebooks" | "rbac">): string[] {
    return cfg.notebooks ? cfg.rbac.developerNamespaces : [];
}

/** The service accounts an identity is federated with in a stack whose team namespaces are `tenantNamespaces`. */
export function subjectsOf(spec: WorkloadIdentitySpec, tenantNamespaces: readonly string[]): { namespace: string; serviceAccount: string }[] {
    const sa = spec.tenantServiceAccount;
    return [...spec.subjects, ...(sa ? tenantNamespaces.map((namespace) => ({ namespace, serviceAccount: sa })) : [])];
}

/** Problems with a table: a service account federated to two identities, bad DNS-1123 names, >20 credentials. */
export function identityTableProblems(table: Record<string, WorkloadIdentitySpec>, tenantNamespaces: readonly string[] = []): string[] {
    const problems: string[] = [];
    const owner = new Map<string, string>();
    const dns1123 = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
    for (const [name, spec] of Object.entries(table)) {
        const subjects = subjectsOf(spec, tenantNamespaces);
        if (spec.subjects.length === 0 && !spec.tenantServiceAccount) problems.push(`${name}: needs at least one service account`);
        // Azure allows 20 federated identity credentials per identity.
        if (subjects.length > 20) problems.push(`${name}: ${subjects.length} service accounts; an identity takes at most 20 federated credentials`);
        if (spec.grants.length === 0) problems.push(`${name}: grants nothing; remove it or give it a role`);
        for (const s of subjects) {
            for (const part of [s.namespace, s.serviceAccount]) if (!dns1123.test(part)) problems.push(`${name}: '${part}' is not a DNS-1123 label`);
            const subject = subjectOf(s);
            const prior = owner.get(subject);
            if (prior) problems.push(`${name}: ${subject} is already federated to ${prior}`);
            owner.set(subject, name);
        }
    }
    return problems;
}

export interface IdentitiesArgs {
    names: Namer;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    /** The AKS cluster's OIDC issuer URL (AksCluster.oidcIssuerUrl). */
    oidcIssuerUrl: pulumi.Input<string>;
    /** Ids the table's scopes resolve to: the resource group (custom role), each secret ESO reads by name, each container. */
    scopes: { resourceGroup: pulumi.Input<string>; secrets: Record<string, pulumi.Input<string>>; containers: Record<LakeContainer, pulumi.Input<string>> };
    /** Defaults to WORKLOAD_IDENTITIES; tests pass their own. */
    table?: Record<string, WorkloadIdentitySpec>;
    /** The stack's team namespaces (rbac.developerNamespaces): where rows with `tenantServiceAccount` are federated. */
    tenantNamespaces: readonly string[];
}

export interface IdentitiesOutputs {
    /** Client id per workload; each resolves only after the identity's federated credentials and role assignments exist. */
    clientIds: Record<WorkloadName, pulumi.Output<string>>;
    principalIds: Record<WorkloadName, pulumi.Output<string>>;
    identityIds: Record<WorkloadName, pulumi.Output<string>>;
}

export function createIdentities(name: string, args: IdentitiesArgs, parent: pulumi.Resource): IdentitiesOutputs {
    const table = args.table ?? WORKLOAD_IDENTITIES;
    const problems = identityTableProblems(table, args.tenantNamespaces);
    if (problems.length) throw new pulumi.ResourceError(`workload identity table:\n  ${problems.join("\n  ")}`, parent);
    const subscriptionId = subscriptionIdOf(parent);
    const out: IdentitiesOutputs = { clientIds: {}, principalIds: {}, identityIds: {} } as IdentitiesOutputs;
    const customGuids = new Map<CustomBlobRole["key"], pulumi.Output<string>>();
    /** The custom role's GUID once its definition exists; defined on first use only. */
    const customRole = (key: CustomBlobRole["key"]) => {
        const known = customGuids.get(key);
        if (known) return known;
        const spec = CUSTOM_BLOB_ROLES.find((r) => r.key === key)!;
        const group = args.scopes.resourceGroup;
        const guid = customBlobRoleGuid(args.names, spec);
        const def = new authorization.RoleDefinition(
            `${name}-${spec.seed}`,
            {
                roleDefinitionId: guid,
                roleName: `${spec.roleName} (${args.names.of("resourceGroup")})`,
                description: spec.description,
                roleType: "CustomRole",
                scope: group,
                assignableScopes: [group],
                permissions: [{ actions: [...spec.actions], notActions: [], dataActions: [...spec.dataActions], notDataActions: [] }],
            },
            { parent },
        );
        customGuids.set(key, readyAfter(guid, [def]));
        return customGuids.get(key)!;
    };

    for (const [workload, spec] of Object.entries(table) as [WorkloadName, WorkloadIdentitySpec][]) {
        const role = workload.replace(/_/g, "-");
        const identity = new managedidentity.UserAssignedIdentity(
            `${name}-${role}`,
            { resourceName: args.names.of("managedIdentity", role), resourceGroupName: args.resourceGroupName, location: args.location },
            { parent },
        );
        const created: pulumi.CustomResource[] = [];
        let previous: pulumi.CustomResource | undefined;
        for (const s of subjectsOf(spec, args.tenantNamespaces)) {
            const fic: pulumi.CustomResource = new managedidentity.FederatedIdentityCredential(
                `${name}-${role}-${s.namespace}-${s.serviceAccount}`,
                {
                    resourceName: identity.name,
                    resourceGroupName: args.resourceGroupName,
                    federatedIdentityCredentialResourceName: `${s.namespace}-${s.serviceAccount}`,
                    issuer: args.oidcIssuerUrl,
                    subject: subjectOf(s),
                    audiences: [TOKEN_EXCHANGE_AUDIENCE],
                },
                // Azure rejects concurrent credential writes on one identity (ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity): chain them.
                { parent, dependsOn: previous ? [previous] : [] },
            );
            created.push(fic);
            previous = fic;
        }
        for (const g of spec.grants) {
            const scopes: [string, pulumi.Input<string>][] =
                g.scope.kind === "secrets" ? Object.entries(args.scopes.secrets).map(([n, id]) => [`secret-${n}`, id]) : [[g.scope.container, args.scopes.containers[g.scope.container]]];
            for (const [where, scope] of scopes) {
                created.push(
                    grant(
                        `${name}-${role}-${g.role}-${where}`,
                        {
                            principalId: identity.principalId,
                            principalType: "ServicePrincipal",
                            role: g.role === BLOB_DATA_WRITER.key || g.role === BLOB_DATA_APPENDER.key ? { customRoleGuid: customRole(g.role) } : g.role,
                            scope,
                            subscriptionId,
                            description: `workload identity ${workload}: ${spec.purpose}`,
                        },
                        parent,
                    ),
                );
            }
        }
        out.clientIds[workload] = readyAfter(identity.clientId, created);
        out.principalIds[workload] = identity.principalId;
        out.identityIds[workload] = identity.id;
    }
    return out;
}

export class Identities extends pulumi.ComponentResource implements IdentitiesOutputs {
    public readonly clientIds: Record<WorkloadName, pulumi.Output<string>>;
    public readonly principalIds: Record<WorkloadName, pulumi.Output<string>>;
    public readonly identityIds: Record<WorkloadName, pulumi.Output<string>>;

    constructor(name: string, args: IdentitiesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:identity:Identities", name, {}, opts);
        const out = createIdentities(name, args, this);
        this.clientIds = out.clientIds;
        this.principalIds = out.principalIds;
        this.identityIds = out.identityIds;
        this.registerOutputs({ clientIds: out.clientIds });
    }
}
