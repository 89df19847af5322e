import { parseImage, registryAllowed } from "../../lib/images";
import { containersOf, podRule } from "../../lib/kubernetes";
import { known } from "../../lib/values";

/** The platform's own registries (ACR, with cache rules for upstream images) and Microsoft's. */
export const DEFAULT_ALLOWED_REGISTRIES = ["*.azurecr.io", "mcr.microsoft.com"];

export const k8sAllowedRegistries = podRule({
    name: "k8s-allowed-registries",
    description:
        "Images come only from allowed registries (config allowedRegistries: host names, *.suffix wildcards or " +
        "registry/path prefixes; default *.azurecr.io and mcr.microsoft.com). Matches Azure Policy " +
        "febd0533-8e55-448f-b837-bd0e06f16469 (containers should only use allowed images).",
    enforcementLevel: "mandatory",
    exemptNamespaces: [],
    configSchema: {
        allowedRegistries: { type: "array", items: { type: "string" }, default: DEFAULT_ALLOWED_REGISTRIES, description: "Registries (or registry/path prefixes) images may come from." },
    },
    check: (view, report, config) => {
        const allowed: string[] = config.allowedRegistries ?? [];
        for (const { label, container } of containersOf(view.spec)) {
            const image = known(() => container.image);
            if (typeof image !== "string" || image === "") continue;
            const ref = parseImage(image);
            if (!registryAllowed(ref, allowed)) report(`${label}: pull "${image}" through an allowed registry (${allowed.join(", ")}), e.g. an ACR cache rule; ${ref.registry} is not allowed`);
        }
    },
});
