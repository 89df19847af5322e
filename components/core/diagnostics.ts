/**
 * One way to send a resource's logs and metrics to Log Analytics, so components don't repeat the plumbing.
 */
import * as insights from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";

export interface DiagnosticsArgs {
    /** ARM id of the resource whose logs are collected. */
    resourceId: pulumi.Input<string>;
    workspaceId: pulumi.Input<string>;
    /** Category groups (allLogs, audit); default allLogs. Ignored when `categories` is given. */
    categoryGroups?: string[];
    /** Explicit log categories, for resource types without category groups (e.g. AKS audit + autoscaler). */
    categories?: string[];
    /** Collect AllMetrics too; default true. */
    metrics?: boolean;
}

export function diagnosticSettings(name: string, args: DiagnosticsArgs, parent: pulumi.Resource): insights.DiagnosticSetting {
    const logs = args.categories
        ? args.categories.map((category) => ({ category, enabled: true }))
        : (args.categoryGroups ?? ["allLogs"]).map((categoryGroup) => ({ categoryGroup, enabled: true }));
    return new insights.DiagnosticSetting(
        `${name}-diag`,
        {
            name: "to-log-analytics",
            resourceUri: args.resourceId,
            workspaceId: args.workspaceId,
            logAnalyticsDestinationType: "Dedicated",
            logs,
            metrics: args.metrics === false ? [] : [{ category: "AllMetrics", enabled: true }],
        },
        { parent },
    );
}
