import { parseImage } from "../../lib/images";
import { ALL_CONTAINER_KINDS, containersOf, podRule } from "../../lib/kubernetes";
import { known } from "../../lib/values";

export const k8sImagePinned = podRule({
    name: "k8s-image-pinned",
    description:
        "Images name a fixed version: a tag other than latest, or a digest (a bare name means :latest). Matches Checkov " +
        "CKV_K8S_14, Azure Policy 021f8078-41a0-40e6-81b6-c6597da9f3ee (container images should not include latest tag).",
    enforcementLevel: "mandatory",
    exemptNamespaces: [],
    check: (view, report) => {
        for (const { label, container } of containersOf(view.spec, ALL_CONTAINER_KINDS)) {
            const image = known(() => container.image);
            if (typeof image !== "string" || image === "") continue;
            const ref = parseImage(image);
            if (ref.digest) continue;
            if (ref.tag === undefined || ref.tag === "latest") report(`${label}: pin image "${image}" to a version tag or digest (not latest)`);
        }
    },
});
