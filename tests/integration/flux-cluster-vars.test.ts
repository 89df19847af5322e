/**
 * The bridge between Pulumi and Git, end to end on each spoke's plan: the Flux extension and configuration exist,
 * every cluster-var is substituted into every Kustomization, and the output-derived ones are the real values of the
 * resources the plan declares (vault URI, ACR login server, workload identity client ids, ingress IPs, cluster name).
 */
import { CLUSTER_VAR_KEYS, EDGE_VAR_KEYS } from "../../components/flux-bootstrap";
import { ofType, one, SPOKES, stackOutputs } from "../support/plan";

describe.each(SPOKES)("%s", (stack) => {
    const config = () => one(stack, "azure-native:kubernetesconfiguration:FluxConfiguration");
    const substitute = (layer: string) => (config().inputs.kustomizations as any)[layer].postBuild.substitute as Record<string, string>;

    test("declares the managed Flux extension and one cluster-scoped configuration on the cluster", () => {
        const ext = one(stack, "azure-native:kubernetesconfiguration:Extension");
        expect(ext.inputs.extensionType).toBe("microsoft.flux");
        expect(config().inputs.scope).toBe("cluster");
        expect(config().inputs.clusterName).toBe(one(stack, "azure-native:containerservice:ManagedCluster").outputs.name);
    });

    test("the three layers are chained and each receives every cluster-var", () => {
        const ks = config().inputs.kustomizations as Record<string, { dependsOn: string[] }>;
        expect(ks["infra-configs"].dependsOn).toEqual(["infra-controllers"]);
        expect(ks.ai.dependsOn).toEqual(["infra-configs"]);
        for (const layer of Object.keys(ks)) expect(Object.keys(substitute(layer)).sort()).toEqual([...CLUSTER_VAR_KEYS].sort());
    });

    test("no cluster-var the tree needs is empty", () => {
        const empty = Object.entries(substitute("ai")).filter(([k, v]) => v === "" && !(EDGE_VAR_KEYS as readonly string[]).includes(k) && !k.startsWith("gpu_") && k !== "istio_revision");
        expect(empty).toEqual([]);
        // The mesh revision label exists only where the Istio add-on runs (stg/prd).
        expect(substitute("ai").istio_revision).toBe(stack.startsWith("dev") ? "" : "asm-1-30");
    });

    test("output-derived values are the planned resources' real outputs", () => {
        const vars = substitute("infra-configs");
        const out = stackOutputs(stack);
        expect(vars.key_vault_url).toBe((one(stack, "azure-native:keyvault:Vault").outputs.properties as any).vaultUri);
        expect(vars.acr_login_server).toBe(one(stack, "azure-native:containerregistry:Registry").outputs.loginServer);
        expect(vars.storage_account).toBe(out.storageAccountName);
        expect(vars.cluster_name).toBe(out.clusterName);
        expect(vars.ingress_public_ip).toBe(out.ingressPublicIpAddress);
        expect(vars.ingress_internal_ip).toBe(out.ingressInternalIp);
        const identityClientIds = ofType(stack, "azure-native:managedidentity:UserAssignedIdentity").map((r) => r.outputs.clientId);
        for (const w of ["eso", "loki", "tempo", "mlflow", "model_loader", "argo"]) {
            expect(vars[`${w}_client_id`]).toBe(out.workloadClientIds[w]);
            expect(identityClientIds).toContain(vars[`${w}_client_id`]);
        }
    });
});
