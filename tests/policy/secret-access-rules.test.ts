/**
 * The pack's Key Vault access rules (issue 22 §2) on manifests: a compliant store passes, each single mutation fires
 * exactly its rule, and the rendered platform layers of every cluster pass both.
 */
import { secretAccessRules } from "../../policies/pack";
import { evaluateKubernetesObjects } from "../../tools/policy/evaluate";
import { renderCluster } from "../../tools/gitops/validate";

const store = (): any => ({
    apiVersion: "external-secrets.io/v1",
    kind: "ClusterSecretStore",
    metadata: { name: "azure-key-vault" },
    spec: {
        provider: { azurekv: { authType: "WorkloadIdentity", vaultUrl: "https://kv.vault.azure.net/", serviceAccountRef: { name: "key-vault-reader", namespace: "external-secrets" } } },
        conditions: [{ namespaceSelector: { matchLabels: { "aiplatform.io/tier": "platform" } } }],
    },
});
const RULES = secretAccessRules.map((r) => r.name);
const fired = (objects: object[]) => evaluateKubernetesObjects(objects).violations.filter((v) => RULES.includes(v.policyName)).map((v) => [v.policyName, v.name, v.message]);

describe("Key Vault access rules", () => {
    test("a ClusterSecretStore with its own ServiceAccount passes", () => {
        expect(fired([store()])).toEqual([]);
    });

    test("a store without serviceAccountRef (ESO's ambient identity) fires eso-store-explicit-identity", () => {
        const s = store();
        delete s.spec.provider.azurekv.serviceAccountRef;
        expect(fired([s])).toEqual([["eso-store-explicit-identity", "azure-key-vault", "set spec.provider.azurekv.serviceAccountRef.name and .namespace: the store's own ServiceAccount, never the controller's ambient identity"]]);
    });

    test("a serviceAccountRef without namespace fires too (ESO would resolve it in the ExternalSecret's namespace)", () => {
        const s = store();
        delete s.spec.provider.azurekv.serviceAccountRef.namespace;
        expect(fired([s]).map((f) => f[0])).toEqual(["eso-store-explicit-identity"]);
    });

    test("a namespaced SecretStore fires eso-no-namespaced-secret-store, whatever its provider", () => {
        const s = { ...store(), kind: "SecretStore", metadata: { name: "mine", namespace: "team-nlp" } };
        expect(fired([s])).toEqual([["eso-no-namespaced-secret-store", "team-nlp/mine", "remove this SecretStore: read Key Vault through ClusterSecretStore azure-key-vault (its conditions decide which namespaces may)"]]);
    });

    test("other providers and kinds are left alone", () => {
        const s = store();
        s.spec.provider = { kubernetes: { remoteNamespace: "x" } };
        expect(fired([s, { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "e", namespace: "demo" }, spec: {} }])).toEqual([]);
    });

    test.each(["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"])("the rendered %s cluster passes both", async (stack) => {
        const objects = (await renderCluster(stack)).flatMap((l) => l.objects);
        expect(objects.some((o) => o.kind === "ClusterSecretStore")).toBe(true);
        expect(fired(objects)).toEqual([]);
    });
});
