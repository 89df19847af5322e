import { pssRule } from "../../lib/pss";
import { elements } from "../../lib/values";

export const RESTRICTED_VOLUME_TYPES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

export const pssRestrictVolumeTypes = pssRule({
    name: "pss-restrict-volume-types",
    description:
        "PSS restricted \"Volume Types\": volumes are only configMap, csi, downwardAPI, emptyDir, ephemeral, " +
        "persistentVolumeClaim, projected or secret. Matches Kyverno restrict-volume-types, Azure Policy " +
        "16697877-1118-4fb1-9b65-9898ec2509ec.",
    enforcementLevel: "mandatory",
    check: (view, report) => {
        elements(() => view.spec.volumes as Record<string, unknown>[]).forEach((v, i) => {
            const other = Object.keys(v).filter((k) => k !== "name" && !RESTRICTED_VOLUME_TYPES.includes(k));
            if (other.length > 0) report(`volumes[${i}]: replace the ${other.join(", ")} volume (allowed: ${RESTRICTED_VOLUME_TYPES.join(", ")})`);
        });
    },
});
