import { parseKubernetesType } from "../../lib/kubernetes";
import type { ResourceRule } from "../../lib/rule";

export const esoNoNamespacedSecretStore: ResourceRule = {
    name: "eso-no-namespaced-secret-store",
    description:
        "No namespaced External Secrets SecretStore: a store a namespace brings itself (azurekv without " +
        "serviceAccountRef) authenticates as whatever identity ESO's controller holds and bypasses the " +
        "ClusterSecretStore's namespace conditions. Platform rule (issue 22 §2); Kyverno restrict-secret-stores " +
        "enforces the same at admission.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const t = parseKubernetesType(args.type);
        if (t?.group !== "external-secrets.io" || t.kind !== "SecretStore") return;
        report("remove this SecretStore: read Key Vault through ClusterSecretStore azure-key-vault (its conditions decide which namespaces may)");
    },
};
