import { containersOf } from "../../lib/kubernetes";
import { pssRule } from "../../lib/pss";
import { entries, expect, UNKNOWN } from "../../lib/values";

const ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";
const allowedAnnotation = (v: string): boolean => v === "runtime/default" || v.startsWith("localhost/");

export const pssRestrictApparmorProfiles = pssRule({
    name: "pss-restrict-apparmor-profiles",
    description:
        "PSS baseline \"AppArmor\": AppArmor profiles are runtime/default or localhost/* (annotation " +
        "container.apparmor.security.beta.kubernetes.io/*) and securityContext.appArmorProfile.type is RuntimeDefault or " +
        "Localhost where set. Matches Kyverno restrict-apparmor-profiles, Azure Policy 511f5417-5d12-434d-ab2e-816901e72a5e.",
    enforcementLevel: "mandatory",
    check: (view, report) => {
        for (const [key, value] of entries(() => view.annotations)) {
            if (!key.startsWith(ANNOTATION_PREFIX) || value === UNKNOWN) continue;
            if (typeof value !== "string" || !allowedAnnotation(value)) report(`set annotation ${key} to runtime/default or localhost/<profile> (not ${String(value)})`);
        }
        const typeOk = (t: unknown) => t === undefined || t === "RuntimeDefault" || t === "Localhost";
        expect(report, () => typeOk(view.spec.securityContext?.appArmorProfile?.type), "set securityContext.appArmorProfile.type: RuntimeDefault (or Localhost)");
        for (const { label, container } of containersOf(view.spec)) {
            expect(report, () => typeOk(container.securityContext?.appArmorProfile?.type), `${label}: set securityContext.appArmorProfile.type: RuntimeDefault (or Localhost)`);
        }
    },
});
