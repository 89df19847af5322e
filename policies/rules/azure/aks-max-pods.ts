import { advisoryPoolRule } from "../../lib/azure";
import { expect } from "../../lib/values";

export const aksMaxPods = advisoryPoolRule(
    "aks-max-pods",
    "Every pool allows at least 50 pods per node (maxPods unset means 30 with Azure CNI). Matches Checkov CKV_AZURE_168.",
    (pool, report) => expect(report, () => typeof pool.maxPods === "number" && pool.maxPods >= 50, "set maxPods to 50 or more"),
);
