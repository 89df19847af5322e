import { parseKubernetesType } from "../../lib/kubernetes";
import type { ResourceRule } from "../../lib/rule";
import { known, UNKNOWN } from "../../lib/values";

export const esoStoreExplicitIdentity: ResourceRule = {
    name: "eso-store-explicit-identity",
    description:
        "An Azure Key Vault ClusterSecretStore with workload identity names its ServiceAccount " +
        "(provider.azurekv.serviceAccountRef with namespace): without it ESO falls back to its controller pod's own " +
        "identity, which any other store could borrow. Platform rule (issue 22 §2).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const t = parseKubernetesType(args.type);
        if (t?.group !== "external-secrets.io" || t.kind !== "ClusterSecretStore") return;
        const azurekv = known(() => args.props.spec?.provider?.azurekv);
        if (azurekv === UNKNOWN || !azurekv || azurekv.authType !== "WorkloadIdentity") return;
        const ref = azurekv.serviceAccountRef;
        if (!ref?.name || !ref?.namespace) report("set spec.provider.azurekv.serviceAccountRef.name and .namespace: the store's own ServiceAccount, never the controller's ambient identity");
    },
};
