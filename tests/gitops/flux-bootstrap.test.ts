/**
 * FluxBootstrap under Pulumi mocks with each spoke's real stack config: the managed extension's settings and pin,
 * the FluxConfiguration's source, the three chained Kustomizations and the cluster-vars they substitute.
 */
import * as pulumi from "@pulumi/pulumi";
import { validateSpokeConfig } from "../../config";
import type { SpokeConfig } from "../../config/schema";
import { namespaceValues, readStackConfig } from "../../config/stack-files";

interface Recorded {
    type: string;
    name: string;
    inputs: Record<string, any>;
}
const recorded: Recorded[] = [];

pulumi.runtime.setMocks(
    {
        newResource(args) {
            recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
            const sub = "00000000-0000-0000-0000-000000000000";
            const cluster = `/subscriptions/${sub}/resourceGroups/rg-aip-test-uaen/providers/Microsoft.ContainerService/managedClusters/aks-aip-test-uaen`;
            const state: Record<string, any> = { ...args.inputs };
            if (args.type === "azure-native:kubernetesconfiguration:Extension") {
                state.name = args.inputs.extensionName;
                return { id: `${cluster}/providers/Microsoft.KubernetesConfiguration/extensions/${args.inputs.extensionName}`, state: { ...state, provisioningState: "Succeeded" } };
            }
            if (args.type === "azure-native:kubernetesconfiguration:FluxConfiguration") {
                state.name = args.inputs.fluxConfigurationName;
                return { id: `${cluster}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/${args.inputs.fluxConfigurationName}`, state: { ...state, complianceState: "Pending" } };
            }
            return { id: `${args.name}-id`, state };
        },
        call(args) {
            throw new Error(`unexpected call ${args.token}`);
        },
    },
    "aiplatform",
    "dev-uaenorth",
    true,
);

function configOf(stack: string): SpokeConfig {
    const file = `Pulumi.${stack}.yaml`;
    return validateSpokeConfig(stack, file, namespaceValues(readStackConfig(file)));
}

/** Pulumi's secret envelope: { [SECRET_SIG]: SECRET_MARKER, value }. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_MARKER = "1b47061264138c4ac30d75fd1eb44270";

function promiseOf<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => resolve(v)));
}

const OUTPUT_VARS = {
    cluster_name: "aks-aip-dev-uaen",
    tenant_id: "11111111-2222-3333-4444-555555555555",
    key_vault_url: "https://kv-aip-dev-uaen.vault.azure.net/",
    acr_login_server: "craipdevuaen.azurecr.io",
    storage_account: "staipdevuaen",
    logs_container: "loki",
    traces_container: "tempo",
    mlflow_container: "mlflow",
    argo_container: "argo-artifacts",
    eso_client_id: "aaaaaaaa-0000-0000-0000-000000000001",
    loki_client_id: "aaaaaaaa-0000-0000-0000-000000000002",
    tempo_client_id: "aaaaaaaa-0000-0000-0000-000000000003",
    mlflow_client_id: "aaaaaaaa-0000-0000-0000-000000000004",
    model_loader_client_id: "aaaaaaaa-0000-0000-0000-000000000005",
    argo_client_id: "aaaaaaaa-0000-0000-0000-000000000006",
    notebook_client_id: "aaaaaaaa-0000-0000-0000-000000000007",
    drift_collector_client_id: "aaaaaaaa-0000-0000-0000-000000000008",
    internal_dns_zone: "internal.dev.ai.contoso.com",
    origin_cert_secret: "edge-origin-cert",
    origin_key_secret: "edge-origin-key",
    ingress_public_ip: "20.46.1.10",
    ingress_public_ip_name: "pip-aip-dev-uaen-ingress",
    ingress_public_ip_resource_group: "rg-aip-dev-uaen",
    ingress_internal_ip: "10.10.1.100",
    ingress_internal_subnet: "snet-aip-dev-uaen-ingress-internal",
};

type Mod = typeof import("../../components/flux-bootstrap");
let mod: Mod;

beforeAll(async () => {
    mod = await import("../../components/flux-bootstrap");
});

async function bootstrap(stack: string, extra: Partial<import("../../components/flux-bootstrap").FluxBootstrapArgs> = {}) {
    const before = recorded.length;
    const name = `flux-${stack}-${before}`;
    const fb = new mod.FluxBootstrap(name, {
        stack,
        config: configOf(stack),
        resourceGroupName: `rg-aip-${stack}`,
        clusterName: `aks-aip-${stack}`,
        clusterVars: OUTPUT_VARS,
        ...extra,
    });
    await promiseOf(fb.configurationName);
    const mine = recorded.slice(before);
    const ext = mine.find((r) => r.type === "azure-native:kubernetesconfiguration:Extension")!;
    const cfg = mine.find((r) => r.type === "azure-native:kubernetesconfiguration:FluxConfiguration")!;
    return { fb, ext, cfg, mine };
}

describe("FluxBootstrap", () => {
    test("declares the component with the managed microsoft.flux extension, helm-controller on with drift detection, multi-tenancy enforced", async () => {
        const { ext, mine, fb } = await bootstrap("dev-uaenorth");
        expect(mine.map((r) => r.type)).toEqual([
            "aiplatform:gitops:FluxBootstrap",
            "azure-native:kubernetesconfiguration:Extension",
            "azure-native:kubernetesconfiguration:FluxConfiguration",
        ]);
        expect(ext.inputs.extensionType).toBe("microsoft.flux");
        expect(ext.inputs.clusterRp).toBe("Microsoft.ContainerService");
        expect(ext.inputs.clusterResourceName).toBe("managedClusters");
        expect(ext.inputs.scope).toEqual({ cluster: { releaseNamespace: "flux-system" } });
        expect(ext.inputs.configurationSettings["helm-controller.enabled"]).toBe("true");
        expect(ext.inputs.configurationSettings["helm-controller.detectDrift"]).toBe("true");
        expect(ext.inputs.configurationSettings["multiTenancy.enforce"]).toBe("true");
        // dev pins no version: it follows the Stable release train with minor auto-upgrades.
        expect(ext.inputs.autoUpgradeMinorVersion).toBe(true);
        expect(ext.inputs.releaseTrain).toBe("Stable");
        expect(ext.inputs.version).toBeUndefined();
        expect(await promiseOf(fb.extensionName)).toBe("flux");
    });

    test("a pinned extension version turns minor auto-upgrade off", async () => {
        const config = configOf("prd-uaenorth");
        const { ext } = await bootstrap("prd-uaenorth", { config: { ...config, flux: { ...config.flux!, extensionVersion: "1.18.3" } } });
        expect(ext.inputs.version).toBe("1.18.3");
        expect(ext.inputs.autoUpgradeMinorVersion).toBe(false);
    });

    test("the FluxConfiguration follows the environment's ref: a branch in dev, one exact commit in prd (the promotion lever)", async () => {
        const dev = await bootstrap("dev-uaenorth");
        expect(dev.cfg.inputs.scope).toBe("cluster");
        expect(dev.cfg.inputs.namespace).toBe("flux-system");
        expect(dev.cfg.inputs.fluxConfigurationName).toBe("flux-system");
        expect(dev.cfg.inputs.sourceKind).toBe("GitRepository");
        expect(dev.cfg.inputs.gitRepository.url).toBe("https://github.com/contoso/aiplatform");
        expect(dev.cfg.inputs.gitRepository.repositoryRef).toEqual({ branch: "main" });
        expect(dev.cfg.inputs.configurationProtectedSettings).toBeUndefined();
        const prd = await bootstrap("prd-uaenorth");
        const commit = "9692661c78258d68a88e9668f10c73708455447a";
        expect(prd.cfg.inputs.gitRepository.repositoryRef).toEqual({ branch: "main", commit });
        expect(prd.cfg.inputs.gitRepository.syncIntervalInSeconds).toBe(300);
        expect(prd.fb.source).toEqual({ url: "https://github.com/contoso/aiplatform", ref: { branch: "main", commit } });
    });

    test("Kustomizations chained infra-controllers → infra-configs → ai → models, plus manual-secrets that never waits", async () => {
        const { cfg, fb } = await bootstrap("stg-uaenorth");
        const k = cfg.inputs.kustomizations;
        expect(Object.keys(k).sort()).toEqual(["ai", "infra-configs", "infra-controllers", "manual-secrets", "models"]);
        expect(k["infra-controllers"].path).toBe("./gitops-bootstrap/clusters/stg-uaenorth/infra-controllers");
        expect(k["infra-configs"].dependsOn).toEqual(["infra-controllers"]);
        expect(k.ai.dependsOn).toEqual(["infra-configs"]);
        expect(k.ai.path).toBe("./gitops-bootstrap/clusters/stg-uaenorth/ai");
        // Model servers: their own layer after the AI stack, with a cold start's timeout (pool from zero, driver, weights).
        expect(k.models.dependsOn).toEqual(["ai"]);
        expect(k.models.timeoutInSeconds).toBeGreaterThanOrEqual(60 * 60);
        expect(k.models.timeoutInSeconds).toBeGreaterThan(k.ai.timeoutInSeconds);
        // Secrets a person adds: applied, never waited on, and no layer depends on them.
        expect(k["manual-secrets"].wait).toBe(false);
        expect(Object.values<any>(k).some((v) => v.dependsOn.includes("manual-secrets"))).toBe(false);
        for (const [name, v] of Object.entries<any>(k)) {
            expect(v.prune).toBe(true);
            expect(v.wait).toBe(name !== "manual-secrets");
            expect(v.timeoutInSeconds).toBeGreaterThanOrEqual(name === "manual-secrets" ? 60 : 600);
        }
        expect(fb.kustomizations.find((x) => x.name === "ai")!.includes).toBe("workloads/overlays/stg-uaenorth");
        expect(fb.kustomizations.find((x) => x.name === "models")!.includes).toBe("workloads/overlays/stg-uaenorth/models");
    });

    test("every Kustomization substitutes the complete cluster-vars, GPU facts derived from the pools", async () => {
        const prd = await bootstrap("prd-uaenorth");
        for (const v of Object.values<any>(prd.cfg.inputs.kustomizations)) {
            expect(Object.keys(v.postBuild.substitute).sort()).toEqual([...mod.CLUSTER_VAR_KEYS].sort());
        }
        const vars = prd.cfg.inputs.kustomizations["infra-controllers"].postBuild.substitute;
        expect(vars.environment).toBe("prd");
        expect(vars.region).toBe("uaenorth");
        expect(vars.key_vault_url).toBe("https://kv-aip-dev-uaen.vault.azure.net/");
        expect(vars.api_server_cidr).toBe("10.30.1.0/28");
        expect(vars.gpu_nvidia_pool).toBe("h100");
        expect(vars.gpu_nvidia_resource).toBe("nvidia.com/mig-3g.47gb");
        expect(vars.gpu_nvidia_mig_config).toBe("all-3g.47gb");
        expect(vars.gpu_nvidia_taint_key).toBe("nvidia.com/gpu");
        expect(vars.gpu_amd_pool).toBe("mi300x");
        expect(vars.gpu_amd_resource).toBe("amd.com/gpu");
        const dev = await bootstrap("dev-uaenorth");
        const dv = dev.cfg.inputs.kustomizations.ai.postBuild.substitute;
        expect(dv.gpu_nvidia_resource).toBe("nvidia.com/gpu");
        expect(dv.gpu_nvidia_mig_config).toBe("all-disabled");
        expect(dv.gpu_amd_pool).toBe("");
    });

    test("private repository: an https token from Key Vault goes base64-encoded into protected settings only", async () => {
        const token = pulumi.secret("ghp_exampletoken");
        const { cfg } = await bootstrap("dev-uaenorth", { gitCredentials: { kind: "https", username: "flux", password: token } });
        expect(cfg.inputs.gitRepository.httpsUser).toBe("flux");
        // The protected settings reach the engine inside a secret envelope (never in clear in state).
        const settings = cfg.inputs.configurationProtectedSettings;
        expect(settings[SECRET_SIG]).toBe(SECRET_MARKER);
        expect(settings.value.httpsKey).toBe(Buffer.from("ghp_exampletoken").toString("base64"));
        expect(JSON.stringify(cfg.inputs.gitRepository)).not.toContain("ghp_");
    });

    test("a plain (non-secret) git token fails the deployment; ssh credentials for an https URL are a config problem", async () => {
        expect(await mod.secretProblem("ghp_plain", "gitCredentials.password")).toBe(
            "gitCredentials.password must be a secret Output (read it from Key Vault), not a plain value",
        );
        expect(await mod.secretProblem(pulumi.secret("ghp_ok"), "gitCredentials.password")).toBeUndefined();
        const problems = mod.fluxConfigProblems({
            stack: "dev-uaenorth",
            config: configOf("dev-uaenorth"),
            gitCredentials: { kind: "ssh", privateKey: pulumi.secret("k"), knownHosts: "github.com ssh-ed25519 AAAA" },
        });
        expect(problems).toEqual([`Pulumi.dev-uaenorth.yaml: aiplatform:flux.repoUrl = "https://github.com/contoso/aiplatform": ssh credentials given for an https:// repository`]);
    });

    test("config problems are reported all at once before any resource is declared", () => {
        const config = configOf("dev-uaenorth");
        const before = recorded.length;
        expect(() =>
            new mod.FluxBootstrap("flux-bad", {
                stack: "dev-uaenorth",
                config: { ...config, flux: { ...config.flux!, repoUrl: "ssh://git@github.com/contoso/aiplatform", tag: "v1.0.0" } },
                resourceGroupName: "rg",
                clusterName: "aks",
                clusterVars: OUTPUT_VARS,
            }),
        ).toThrow(/set exactly one of branch, tag or semver \(commit goes with branch\)\n.*an ssh:\/\/ repository needs gitCredentials of kind ssh/);
        expect(recorded.slice(before).filter((r) => r.type.startsWith("azure-native"))).toEqual([]);
    });

    test("an empty output-derived cluster-var is a wiring mistake; edge keys may be empty only with the edge off", () => {
        expect(mod.missingOutputVars({ ...OUTPUT_VARS, key_vault_url: "", origin_cert_secret: "" }, true)).toEqual(["key_vault_url", "origin_cert_secret"]);
        expect(mod.missingOutputVars({ ...OUTPUT_VARS, origin_cert_secret: "" }, false)).toEqual([]);
        expect(mod.missingOutputVars(OUTPUT_VARS, true)).toEqual([]);
    });

    test("cluster-vars reject values Flux cannot substitute safely", () => {
        expect(mod.clusterVarProblems({ environment: "dev", tenant_id: "a\nb", nope: "x" })).toEqual([
            `cluster-vars: tenant_id = "a\\nb" must be a single line without '\${'`,
            "cluster-vars: unknown key 'nope' (known: " + mod.CLUSTER_VAR_KEYS.join(", ") + ")",
        ]);
    });
});
