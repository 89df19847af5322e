/**
 * The API groups Kubernetes itself serves, besides the core group "": no CRD installs them (the order model) and
 * kubernetes-models models each (schema validation).
 */
export const KUBERNETES_GROUPS: ReadonlySet<string> = new Set([
    "apps",
    "batch",
    "policy",
    "autoscaling",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "node.k8s.io",
    "certificates.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "resource.k8s.io",
]);
