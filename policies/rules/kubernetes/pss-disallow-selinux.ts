import { containersOf, podRule, type Obj } from "../../lib/kubernetes";
import { expect } from "../../lib/values";
import type { ReportViolation } from "@pulumi/policy";

export const SELINUX_TYPES = ["container_t", "container_init_t", "container_kvm_t"];

function checkOptions(read: () => Obj | undefined, where: string, report: ReportViolation): void {
    expect(report, () => {
        const type = read()?.type;
        return type === undefined || SELINUX_TYPES.includes(type);
    }, `${where}: set securityContext.seLinuxOptions.type to one of ${SELINUX_TYPES.join(", ")} (or remove it)`);
    for (const field of ["user", "role"]) {
        expect(report, () => read()?.[field] === undefined, `${where}: remove securityContext.seLinuxOptions.${field}`);
    }
}

export const pssDisallowSelinux = podRule({
    name: "pss-disallow-selinux",
    description:
        "PSS baseline \"SELinux\": seLinuxOptions.type is unset or container_t/container_init_t/container_kvm_t, and " +
        "seLinuxOptions.user and role are unset, for the pod and every container. Matches Kyverno disallow-selinux, Azure " +
        "Policy e1e6c427-07d9-46ab-9689-bfa85431e636.",
    enforcementLevel: "mandatory",
    check: (view, report) => {
        checkOptions(() => view.spec.securityContext?.seLinuxOptions, "pod", report);
        for (const { label, container } of containersOf(view.spec)) checkOptions(() => container.securityContext?.seLinuxOptions, label, report);
    },
});
