/**
 * Kubernetes workload rules on every pod-bearing kind: a compliant object of each kind passes every rule; single
 * mutations fire exactly the owning rule; pack config moves or tunes rules.
 */
import { evaluateKubernetesObjects, kubernetesType } from "../../tools/policy/evaluate";
import { UNKNOWN_STRING } from "../../policies/lib/values";
import { parseImage, registryAllowed } from "../../policies/lib/images";

const container = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    image: "acraip.azurecr.io/vllm/vllm-openai:v0.10.1",
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
    resources: { requests: { cpu: "2", memory: "8Gi" }, limits: { memory: "8Gi" } },
    readinessProbe: { httpGet: { path: "/health", port: 8000 } },
    livenessProbe: { httpGet: { path: "/health", port: 8000 } },
    ...extra,
});

const podSpec = (extra: Record<string, unknown> = {}) => ({
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
    containers: [container("vllm")],
    volumes: [{ name: "cache", emptyDir: {} }, { name: "models", persistentVolumeClaim: { claimName: "models" } }],
    ...extra,
});

function deployment(spec = podSpec()): any {
    return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "vllm", namespace: "ai-serving" }, spec: { replicas: 1, template: { metadata: { labels: { app: "vllm" } }, spec } } };
}

function gpuDeployment(): any {
    const d = deployment(podSpec({
        containers: [container("vllm", { resources: { requests: { cpu: "8", memory: "64Gi", "nvidia.com/mig-3g.47gb": 1 }, limits: { memory: "64Gi", "nvidia.com/mig-3g.47gb": 1 } } })],
        tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
    }));
    return d;
}

const cronJob = (): any => ({
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "snapshot", namespace: "qdrant" },
    spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: { spec: podSpec({ restartPolicy: "OnFailure", containers: [container("snap", { readinessProbe: undefined, livenessProbe: undefined })] }) } } } },
});

const inferenceService = (): any => ({
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    metadata: { name: "llama", namespace: "ai-serving" },
    spec: {
        predictor: {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            tolerations: [{ key: "amd.com/gpu", operator: "Exists", effect: "NoSchedule" }],
            model: {
                modelFormat: { name: "huggingface" },
                image: "acraip.azurecr.io/kserve/huggingfaceserver:v0.15.2",
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                resources: { requests: { cpu: "8", memory: "64Gi", "amd.com/gpu": "1" }, limits: { memory: "64Gi", "amd.com/gpu": "1" } },
            },
        },
    },
});

const workflow = (): any => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "WorkflowTemplate",
    metadata: { name: "embed", namespace: "argo" },
    spec: {
        securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
        templates: [
            { name: "main", steps: [[{ name: "embed", template: "embed" }]] },
            { name: "embed", container: container("embed", { readinessProbe: undefined, livenessProbe: undefined, image: "acraip.azurecr.io/pipelines/embed:1.2.0" }) },
        ],
    },
});

const ALL = () => [deployment(), gpuDeployment(), cronJob(), inferenceService(), workflow()];

const fired = (objects: object[], config?: any) => [...new Set(evaluateKubernetesObjects(objects, config ? { config } : {}).violations.map((v) => v.policyName))].sort();

describe("compliant objects of every pod-bearing kind", () => {
    test("pass every rule of the pack", () => {
        const report = evaluateKubernetesObjects(ALL());
        expect(report.violations).toEqual([]);
        expect(report.resources).toBe(5);
    });

    test("objects without pods (ConfigMap, Service, HelmRelease) are never flagged", () => {
        const report = evaluateKubernetesObjects([
            { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { image: "nginx:latest" } },
            { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { ports: [{ port: 80 }] } },
            { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", metadata: { name: "h" }, spec: { values: { hostNetwork: true } } },
        ]);
        expect(report.violations).toEqual([]);
    });
});

type K8sMutation = [string, () => any, (o: any) => void, string[]];
const tpl = (o: any) => o.spec.template.spec;

const MUTATIONS: K8sMutation[] = [
    ["image :latest", deployment, (o) => (tpl(o).containers[0].image = "acraip.azurecr.io/vllm/vllm-openai:latest"), ["k8s-image-pinned"]],
    ["image without tag", deployment, (o) => (tpl(o).containers[0].image = "acraip.azurecr.io/vllm/vllm-openai"), ["k8s-image-pinned"]],
    ["image from Docker Hub", deployment, (o) => (tpl(o).containers[0].image = "vllm/vllm-openai:v0.10.1"), ["k8s-allowed-registries"]],
    ["image from a look-alike host", deployment, (o) => (tpl(o).containers[0].image = "acraip.azurecr.io.evil.com/x:1"), ["k8s-allowed-registries"]],
    ["no CPU request", deployment, (o) => delete tpl(o).containers[0].resources.requests.cpu, ["k8s-requests-limits"]],
    ["no memory limit on an init container", deployment, (o) => (tpl(o).initContainers = [container("init", { resources: { requests: { cpu: "100m", memory: "64Mi" } } })]), ["k8s-requests-limits"]],
    ["no readiness probe (advisory)", deployment, (o) => delete tpl(o).containers[0].readinessProbe, ["k8s-probes"]],
    ["GPU request without toleration", gpuDeployment, (o) => delete tpl(o).tolerations, ["k8s-gpu-toleration"]],
    ["GPU request tolerating the wrong vendor", gpuDeployment, (o) => (tpl(o).tolerations = [{ key: "amd.com/gpu", operator: "Exists", effect: "NoSchedule" }]), ["k8s-gpu-toleration"]],
    ["KServe GPU model without toleration", inferenceService, (o) => delete o.spec.predictor.tolerations, ["k8s-gpu-toleration"]],
    ["KServe model image :latest", inferenceService, (o) => (o.spec.predictor.model.image = "acraip.azurecr.io/kserve/huggingfaceserver:latest"), ["k8s-image-pinned"]],
    ["KServe privileged model container", inferenceService, (o) => (o.spec.predictor.model.securityContext.privileged = true), ["pss-disallow-privileged-containers"]],
    ["Argo step as root", workflow, (o) => (o.spec.templates[1].container.securityContext.runAsUser = 0), ["pss-require-run-as-non-root-user"]],
    ["Argo step with hostPath volume", workflow, (o) => (o.spec.volumes = [{ name: "h", hostPath: { path: "/" } }]), ["pss-disallow-host-path", "pss-restrict-volume-types"]],
    ["CronJob with host network", cronJob, (o) => (o.spec.jobTemplate.spec.template.spec.hostNetwork = true), ["pss-disallow-host-namespaces"]],
    ["CronJob without resources", cronJob, (o) => delete o.spec.jobTemplate.spec.template.spec.containers[0].resources, ["k8s-requests-limits"]],
    ["privilege escalation", deployment, (o) => (tpl(o).containers[0].securityContext.allowPrivilegeEscalation = true), ["pss-disallow-privilege-escalation"]],
    ["seccomp Unconfined", deployment, (o) => (tpl(o).securityContext.seccompProfile.type = "Unconfined"), ["pss-restrict-seccomp", "pss-restrict-seccomp-strict"]],
    ["hostPort 8080", deployment, (o) => (tpl(o).containers[0].ports = [{ containerPort: 8000, hostPort: 8080 }]), ["pss-disallow-host-ports"]],
    ["NET_RAW added", deployment, (o) => (tpl(o).containers[0].securityContext.capabilities.add = ["NET_RAW"]), ["pss-disallow-capabilities", "pss-disallow-capabilities-strict"]],
    ["AppArmor unconfined annotation", deployment, (o) => (o.spec.template.metadata.annotations = { "container.apparmor.security.beta.kubernetes.io/vllm": "unconfined" }), ["pss-restrict-apparmor-profiles"]],
    ["AppArmor Unconfined field", deployment, (o) => (tpl(o).securityContext.appArmorProfile = { type: "Unconfined" }), ["pss-restrict-apparmor-profiles"]],
    ["unsafe sysctl", deployment, (o) => (tpl(o).securityContext.sysctls = [{ name: "kernel.msgmax", value: "1" }]), ["pss-restrict-sysctls"]],
];

describe("single mutations fire the owning rule", () => {
    test.each(MUTATIONS)("%s", (_t, make, mutate, expected) => {
        const o = make();
        mutate(o);
        expect(fired([o])).toEqual(expected);
    });

    test("messages locate the container", () => {
        const o = deployment();
        tpl(o).containers[0].image = "nginx";
        const messages = evaluateKubernetesObjects([o]).violations.map((v) => v.message);
        expect(messages).toContain('spec.template.spec.containers[0] (vllm): pin image "nginx" to a version tag or digest (not latest)');
    });
});

describe("shapes that must not fire", () => {
    test.each([
        ["digest-pinned image", (o: any) => (tpl(o).containers[0].image = "acraip.azurecr.io/vllm/vllm-openai@sha256:" + "a".repeat(64))],
        ["registry with port and tag", (o: any) => (tpl(o).containers[0].image = "acraip.azurecr.io:443/vllm/vllm-openai:v1")],
        ["toleration by key with Equal operator", (o: any) => (tpl(o).tolerations = [{ key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" }])],
        ["toleration of every taint", (o: any) => (tpl(o).tolerations = [{ operator: "Exists" }])],
        ["GPU limit of 0", (o: any) => { delete tpl(o).tolerations; tpl(o).containers[0].resources.limits["nvidia.com/mig-3g.47gb"] = 0; tpl(o).containers[0].resources.requests["nvidia.com/mig-3g.47gb"] = "0"; }],
        ["computed image", (o: any) => (tpl(o).containers[0].image = UNKNOWN_STRING)],
        ["computed tolerations", (o: any) => (tpl(o).tolerations = UNKNOWN_STRING)],
        ["computed security context", (o: any) => (tpl(o).containers[0].securityContext = UNKNOWN_STRING)],
    ])("%s", (_t, mutate) => {
        const o = gpuDeployment();
        mutate(o);
        expect(evaluateKubernetesObjects([o]).violations).toEqual([]);
    });
});

describe("pack config", () => {
    test("exemptNamespaces: kube-system is exempt from PSS by default, not from image rules", () => {
        const o = deployment(podSpec({ hostNetwork: true, containers: [container("agent", { image: "mcr.microsoft.com/agent" })] }));
        o.metadata.namespace = "kube-system";
        expect(fired([o])).toEqual(["k8s-image-pinned"]);
    });

    test("exemptNamespaces can be changed per rule", () => {
        const o = deployment(podSpec({ hostNetwork: true }));
        o.metadata.namespace = "gpu-operator";
        expect(fired([o])).toEqual(["pss-disallow-host-namespaces"]);
        expect(fired([o], { "pss-disallow-host-namespaces": { exemptNamespaces: ["gpu-operator"] } })).toEqual([]);
    });

    test("allowedRegistries replaces the default list", () => {
        const o = deployment();
        tpl(o).containers[0].image = "ghcr.io/myorg/tool:1.0";
        expect(fired([o])).toEqual(["k8s-allowed-registries"]);
        expect(fired([o], { "k8s-allowed-registries": { allowedRegistries: ["ghcr.io/myorg"] } })).toEqual([]);
        expect(fired([o], { "k8s-allowed-registries": { allowedRegistries: ["ghcr.io/other"] } })).toEqual(["k8s-allowed-registries"]);
    });

    test("requireCpuLimit adds the CPU limit", () => {
        expect(fired([deployment()], { "k8s-requests-limits": { requireCpuLimit: true } })).toEqual(["k8s-requests-limits"]);
    });

    test("allowedHostPorts admits a range", () => {
        const o = deployment();
        tpl(o).containers[0].ports = [{ containerPort: 5500, hostPort: 5500 }];
        expect(fired([o])).toEqual(["pss-disallow-host-ports"]);
        expect(fired([o], { "pss-disallow-host-ports": { allowedHostPorts: ["5000-6000"] } })).toEqual([]);
    });
});

describe("evaluateKubernetesObjects inputs", () => {
    test("kind: List and <Kind>List are flattened", () => {
        const bad = deployment();
        tpl(bad).containers[0].image = "acraip.azurecr.io/x:latest";
        const report = evaluateKubernetesObjects([{ apiVersion: "v1", kind: "List", items: [deployment(), { apiVersion: "apps/v1", kind: "DeploymentList", items: [bad] }] }]);
        expect(report.resources).toBe(2);
        expect(report.violations.map((v) => v.policyName)).toEqual(["k8s-image-pinned"]);
    });

    test("synthetic URNs carry source, type and namespace/name", () => {
        const o = deployment();
        tpl(o).containers[0].image = "acraip.azurecr.io/x:latest";
        const v = evaluateKubernetesObjects([o], { source: "workloads/overlays/prd" }).violations[0];
        expect(v.urn).toBe("urn:pulumi:workloads/overlays/prd::manifests::kubernetes:apps/v1:Deployment::ai-serving/vllm");
        expect(v.type).toBe("kubernetes:apps/v1:Deployment");
        expect(v.name).toBe("ai-serving/vllm");
    });

    test("an object without apiVersion/kind is refused", () => {
        expect(() => evaluateKubernetesObjects([{ metadata: { name: "x" } }])).toThrow(/object #1 has no apiVersion\/kind/);
    });

    test("type tokens", () => {
        expect(kubernetesType("v1", "Pod")).toBe("kubernetes:core/v1:Pod");
        expect(kubernetesType("serving.kserve.io/v1beta1", "InferenceService")).toBe("kubernetes:serving.kserve.io/v1beta1:InferenceService");
    });
});

describe("image references", () => {
    test.each([
        ["nginx", { registry: "docker.io", repository: "nginx" }],
        ["nginx:1.27", { registry: "docker.io", repository: "nginx", tag: "1.27" }],
        ["localhost:5000/app:1", { registry: "localhost:5000", repository: "app", tag: "1" }],
        ["ghcr.io/org/app@sha256:abc", { registry: "ghcr.io", repository: "org/app", digest: "sha256:abc" }],
        ["acr.azurecr.io/a/b:1.0@sha256:abc", { registry: "acr.azurecr.io", repository: "a/b", tag: "1.0", digest: "sha256:abc" }],
    ])("%s", (image, expected) => {
        expect(parseImage(image)).toEqual(expected);
    });

    test("registry patterns", () => {
        expect(registryAllowed(parseImage("x.azurecr.io/a:1"), ["*.azurecr.io"])).toBe(true);
        expect(registryAllowed(parseImage("azurecr.io/a:1"), ["*.azurecr.io"])).toBe(false);
        expect(registryAllowed(parseImage("ghcr.io/myorgx/a:1"), ["ghcr.io/myorg"])).toBe(false);
        expect(registryAllowed(parseImage("mcr.microsoft.com/a:1"), ["mcr.microsoft.com"])).toBe(true);
    });
});
