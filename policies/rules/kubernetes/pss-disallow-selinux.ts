import { containersOf, type Obj } from "../../lib/kubernetes";
import { pssRule } from "../../lib/pss";
import { expect } from "../../lib/values";
import type { ReportViolation } from "@pulumi/policy";

export const SELINUX_TYPES = ["container_t", "container_init_t", "container_kvm_t"];

/** The allowed SELinux types at a version: upstream adds container_engine_t in 1.31. */
function selinuxTypes(minor: number): string[] {
    return minor >= 31 ? [...SELINUX_TYPES, "container_engine_t"] : SELINUX_TYPES;
}

function checkOptions(read: () => Obj | undefined, where: string, report: ReportViolation, types: string[]): void {
    expect(report, () => {
        const type = read()?.type;
        return type === undefined || type === "" || types.includes(type);
    }, `${where}: set securityContext.seLinuxOptions.type to one of ${types.join(", ")} (or remove it)`);
    for (const field of ["user", "role"]) {
        expect(report, () => { const v = read()?.[field]; return v === undefined || v === ""; }, `${where}: remove securityContext.seLinuxOptions.${field}`);
    }
}

export const pssDisallowSelinux = pssRule({
    name: "pss-disallow-selinux",
    description:
        "PSS baseline \"SELinux\": seLinuxOptions.type is unset or container_t/container_init_t/container_kvm_t, and " +
        "seLinuxOptions.user and role are unset, for the pod and every container; container_engine_t is allowed too from " +
        "1.31, as upstream. Matches Kyverno disallow-selinux, Azure " +
        "Policy e1e6c427-07d9-46ab-9689-bfa85431e636.",
    enforcementLevel: "mandatory",
    check: (view, report, _config, minor) => {
        const types = selinuxTypes(minor);
        checkOptions(() => view.spec.securityContext?.seLinuxOptions, "pod", report, types);
        for (const { label, container } of containersOf(view.spec)) checkOptions(() => container.securityContext?.seLinuxOptions, label, report, types);
    },
});
