import { pssRule, userNamespaced } from "../../lib/pss";
import { checkProcMount } from "./pss-disallow-proc-mount";

export const pssDisallowProcMountStrict = pssRule({
    name: "pss-disallow-proc-mount-strict",
    description:
        "PSS restricted \"/proc Mount Type\" (since 1.35): procMount stays unset or Default even in a user-namespaced pod " +
        "(hostUsers: false), which baseline allows from 1.35 (upstream procMount_restricted). Pods with host users are " +
        "left to pss-disallow-proc-mount, so one violation is reported once.",
    enforcementLevel: "mandatory",
    since: 35,
    check: (view, report) => {
        if (userNamespaced(view.spec)) checkProcMount(view.spec, report);
    },
});
