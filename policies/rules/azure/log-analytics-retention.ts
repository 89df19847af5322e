import { validateResourceOfType } from "@pulumi/policy";
import { Workspace } from "@pulumi/azure-native/operationalinsights";
import { environmentOf } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect, UNKNOWN } from "../../lib/values";

export const logAnalyticsRetention: ResourceRule = {
    name: "log-analytics-retention",
    description:
        "Log Analytics keeps logs at least 30 days, 90 in prd (retentionInDays; unset means 30). No direct Checkov or Azure " +
        "Policy check; mirrors the 90-day log retention that CIS Azure asks of activity and flow logs.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(Workspace, (ws, _args, report) => {
        const env = environmentOf(ws);
        if (env === UNKNOWN) return;
        const min = env === "prd" ? 90 : 30;
        expect(report, () => (ws.retentionInDays ?? 30) >= min, `set retentionInDays to ${min} or more${env === "prd" ? " (prd)" : ""}`);
    }),
};
