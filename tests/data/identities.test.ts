/**
 * Workload identities on the planned spokes: one identity per table row, federated credentials with the cluster's
 * issuer, the exact service-account subject and audience, grants at the narrowest scope, ready client ids exported.
 */
import { BLOB_DATA_APPENDER, BLOB_DATA_WRITER, clientIdVar, federatedTenantNamespaces, identityTableProblems, subjectOf, subjectsOf, TOKEN_EXCHANGE_AUDIENCE, WORKLOAD_IDENTITIES, WORKLOAD_NAMES, type WorkloadRole } from "../../components/identity";
import { BUILT_IN_ROLES } from "../../components/rbac/roles";
import { LAKE_CONTAINERS } from "../../components/storage";
import { stackOutputs } from "../support/plan";
import { byId, cfgOf, clusterOf, one, ofType, roleGuid, SPOKES, T } from "./support";
import { CLUSTER_VAR_KEYS } from "../../components/flux-bootstrap/cluster-vars";

describe.each(SPOKES)("workload identities in %s", (stack) => {
    const env = cfgOf(stack).environment;
    // Notebook servers run in the team namespaces: the notebook identity is federated there, once per namespace.
    const tenants = federatedTenantNamespaces(cfgOf(stack));

    it.each(WORKLOAD_NAMES)("%s: identity, federated credentials and grants follow the table", (workload) => {
        const spec = WORKLOAD_IDENTITIES[workload];
        const role = workload.replace(/_/g, "-");
        const identity = one(stack, T.identity, `spoke-${role}`);
        expect(identity.inputs.resourceName).toBe(`id-aip-${env}-uaen-${role}`);

        const issuer = (clusterOf(stack).outputs as any).oidcIssuerProfile.issuerURL;
        const fics = ofType(stack, T.fic).filter((f) => f.inputs.resourceName === identity.inputs.resourceName);
        expect(fics.map((f) => f.inputs.subject)).toEqual(subjectsOf(spec, tenants).map(subjectOf));
        expect(fics.length).toBeGreaterThan(0);
        for (const f of fics) {
            expect(f.inputs.issuer).toBe(issuer);
            expect(f.inputs.audiences).toEqual([TOKEN_EXCHANGE_AUDIENCE]);
        }
        // Chained: each credential after the first depends on the previous one.
        fics.slice(1).forEach((f, i) => expect(f.dependencies).toContain(fics[i].urn));

        const principal = (identity.outputs as any).principalId;
        const grants = ofType(stack, T.assignment).filter((a) => a.inputs.principalId === principal);
        const described = grants.map((g) => {
            const target = byId(stack, g.inputs.scope);
            const where = target.type === T.secret ? "secrets" : String(target.inputs.containerName);
            return `${roleGuid(g)}@${where}`;
        });
        const custom = (prefix: string) => String(ofType(stack, T.roleDefinition).find((d) => String(d.inputs.roleName).startsWith(prefix))!.inputs.roleDefinitionId);
        const guidOf = (role: WorkloadRole) =>
            role === BLOB_DATA_WRITER.key ? custom(BLOB_DATA_WRITER.roleName) : role === BLOB_DATA_APPENDER.key ? custom(BLOB_DATA_APPENDER.roleName) : BUILT_IN_ROLES[role].id;
        const expected = spec.grants.map((g) => `${guidOf(g.role)}@${g.scope.kind === "secrets" ? "secrets" : LAKE_CONTAINERS[g.scope.container].name}`);
        expect([...new Set(described)].sort()).toEqual(expected.sort());
        for (const g of grants) expect(g.inputs.principalType).toBe("ServicePrincipal");
    });

    it("blob writers hold a custom role with blob read/write/delete only: no container write/delete, no rename (issue 14 permissions)", () => {
        const writer = ofType(stack, T.roleDefinition).find((d) => String(d.inputs.roleName).startsWith("aiplatform blob data writer"))!;
        expect(writer.inputs.permissions).toEqual([
            {
                actions: ["Microsoft.Storage/storageAccounts/blobServices/containers/read"],
                notActions: [],
                dataActions: [
                    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
                    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
                    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
                ],
                notDataActions: [],
            },
        ]);
        const contributor = ofType(stack, T.assignment).filter((a) => roleGuid(a) === BUILT_IN_ROLES.storageBlobDataContributor.id);
        expect(contributor.map((a) => a.urn.split("::").pop())).toEqual([]);
    });

    it("the inference log collector can only create blobs, in inference-logs alone (drift detection)", () => {
        const appender = ofType(stack, T.roleDefinition).find((d) => String(d.inputs.roleName).startsWith(BLOB_DATA_APPENDER.roleName))!;
        expect(appender.inputs.permissions).toEqual([
            { actions: [], notActions: [], dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"], notDataActions: [] },
        ]);
        const holders = ofType(stack, T.assignment).filter((a) => roleGuid(a) === String(appender.inputs.roleDefinitionId));
        expect(holders.map((a) => [a.urn.split("::").pop(), String(byId(stack, a.inputs.scope).inputs.containerName)])).toEqual([["spoke-drift-collector-blobDataAppender-inference", "inference-logs"]]);
    });

    it("exports every workload's client id, equal to its identity's clientId", () => {
        const ids = stackOutputs(stack).workloadClientIds;
        expect(Object.keys(ids).sort()).toEqual([...WORKLOAD_NAMES].sort());
        for (const w of WORKLOAD_NAMES) expect(ids[w]).toBe((one(stack, T.identity, `spoke-${w.replace(/_/g, "-")}`).outputs as any).clientId);
    });

    it("never grants a workload identity anything at vault, account, group or subscription scope (ESO: one grant per secret the tree reads)", () => {
        const principals = new Set(WORKLOAD_NAMES.map((w) => (one(stack, T.identity, `spoke-${w.replace(/_/g, "-")}`).outputs as any).principalId));
        for (const a of ofType(stack, T.assignment).filter((x) => principals.has(x.inputs.principalId))) {
            expect(String(a.inputs.scope)).toMatch(/(\/vaults\/kv-[^/]+\/secrets\/[a-z0-9-]+|\/blobServices\/default\/containers\/[a-z-]+)$/);
        }
    });
});

it("every client id the GitOps tree substitutes is produced by the table", () => {
    const wanted = CLUSTER_VAR_KEYS.filter((k) => k.endsWith("_client_id"));
    expect(WORKLOAD_NAMES.map(clientIdVar).sort()).toEqual([...wanted].sort());
});

describe("identity table checks", () => {
    it("accepts the platform's table", () => expect(identityTableProblems(WORKLOAD_IDENTITIES)).toEqual([]));

    it("rejects a service account federated to two identities", () => {
        const table = { ...WORKLOAD_IDENTITIES, extra: { purpose: "x", subjects: [{ namespace: "monitoring", serviceAccount: "loki" }], grants: WORKLOAD_IDENTITIES.loki.grants } };
        expect(identityTableProblems(table)).toEqual(["extra: system:serviceaccount:monitoring:loki is already federated to loki"]);
    });

    it("counts a row's team-namespace credentials against Azure's 20 per identity", () => {
        const teams = Array.from({ length: 21 }, (_, i) => `team-${i}`);
        expect(identityTableProblems({ notebook: WORKLOAD_IDENTITIES.notebook }, teams)).toEqual(["notebook: 21 service accounts; an identity takes at most 20 federated credentials"]);
        expect(identityTableProblems({ notebook: WORKLOAD_IDENTITIES.notebook }, teams.slice(0, 20))).toEqual([]);
    });

    it("rejects names Kubernetes would not accept and identities that grant nothing", () => {
        const table = { bad: { purpose: "x", subjects: [{ namespace: "Team_A", serviceAccount: "sa" }], grants: [] } };
        expect(identityTableProblems(table)).toEqual(["bad: grants nothing; remove it or give it a role", "bad: 'Team_A' is not a DNS-1123 label"]);
    });
});
