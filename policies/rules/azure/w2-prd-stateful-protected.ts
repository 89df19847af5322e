import { environmentOf } from "../../lib/azure";
import type { StackRule } from "../../lib/rule";
import { ofType } from "../../lib/stack";

export const PROTECTED_IN_PRD = [
    "azure-native:containerservice:ManagedCluster",
    "azure-native:keyvault:Vault",
    "azure-native:storage:StorageAccount",
    "azure-native:containerregistry:Registry",
];

export const w2PrdStatefulProtected: StackRule = {
    name: "w2-prd-stateful-protected",
    description:
        "In prd, the cluster, Key Vault, storage accounts and registries carry the protect resource option so no " +
        "destroy or replacement removes them by accident. Platform rule (the stack transformation in " +
        "components/core/stack-defaults.ts sets it).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const r of ofType(args.resources, ...PROTECTED_IN_PRD)) {
            if (environmentOf(r.props) === "prd" && r.opts.protect !== true) {
                report("set the resource option protect: true (prd stateful resource)", r.urn);
            }
        }
    },
};
