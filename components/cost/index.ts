/**
 * Budget: one monthly Consumption budget per environment. It sits at subscription scope, filtered to the
 * environment's resource groups (the spoke group and the AKS node group, where the GPU VMs are billed), because a
 * resource-group budget cannot see the node group. Alerts go to the config's contacts on actual spend at each
 * threshold and on forecast spend reaching 100 %.
 */
import * as consumption from "@pulumi/azure-native/consumption";
import * as pulumi from "@pulumi/pulumi";
import type { Namer } from "../core/naming";
import { subscriptionIdOf } from "../rbac/roles";

export interface BudgetArgs {
    names: Namer;
    /** Names of the groups whose cost counts (spoke group, AKS node group). */
    resourceGroupNames: pulumi.Input<string>[];
    /** Monthly amount in the billing currency (budget.monthlyAmount). */
    monthlyAmount: number;
    /** Alert recipients (budget.contactEmails). */
    contactEmails: string[];
    /** Percent thresholds for actual spend (budget.thresholds); forecast alerts at 100 %. */
    thresholds: number[];
    /** First day of the first budget month, YYYY-MM-01: firstDayOfMonth(now) at the first deploy (see createBudget). */
    startDate: string;
}

export interface BudgetOutputs {
    budgetName: string;
    /** Notification keys and thresholds, e.g. actual-80 → 80 (plan summary, tests). */
    notifications: Record<string, { threshold: number; thresholdType: "Actual" | "Forecasted" }>;
}

/** YYYY-MM-01 of `now`'s month (UTC): Azure rejects a budget whose start lies in a past month. */
export function firstDayOfMonth(now: Date): string {
    return `${now.toISOString().slice(0, 7)}-01`;
}

/** Notification map Azure expects: at most 5 entries; keys are free text. */
export function budgetNotifications(thresholds: number[], contactEmails: string[]) {
    const entries: [string, { threshold: number; thresholdType: "Actual" | "Forecasted" }][] = [
        ...[...new Set(thresholds)].sort((a, b) => a - b).map((t) => [`actual-${t}`, { threshold: t, thresholdType: "Actual" as const }] as [string, { threshold: number; thresholdType: "Actual" }]),
        ["forecast-100", { threshold: 100, thresholdType: "Forecasted" }],
    ];
    if (entries.length > 5) throw new Error(`a budget takes at most 5 notifications; ${entries.length} requested (budget.thresholds)`);
    return Object.fromEntries(
        entries.map(([key, n]) => [key, { ...n, enabled: true, operator: "GreaterThanOrEqualTo", contactEmails, locale: "en-us" }]),
    );
}

export function createBudget(name: string, args: BudgetArgs, parent: pulumi.Resource): BudgetOutputs {
    const budgetName = args.names.of("budget");
    const notifications = budgetNotifications(args.thresholds, args.contactEmails);
    new consumption.Budget(
        `${name}-budget`,
        {
            budgetName,
            scope: pulumi.interpolate`/subscriptions/${subscriptionIdOf(parent)}`,
            amount: args.monthlyAmount,
            category: "Cost",
            timeGrain: "Monthly",
            timePeriod: { startDate: `${args.startDate}T00:00:00Z` },
            filter: { dimensions: { name: "ResourceGroupName", operator: "In", values: args.resourceGroupNames } },
            notifications,
        },
        // The start is the month of the first deploy; Azure refuses to move it later (and a later month each run
        // would be a diff every month), so after creation the derived value is ignored.
        { parent, ignoreChanges: ["timePeriod.startDate"] },
    );
    return {
        budgetName,
        notifications: Object.fromEntries(Object.entries(notifications).map(([k, n]) => [k, { threshold: n.threshold, thresholdType: n.thresholdType }])),
    };
}

export class Budget extends pulumi.ComponentResource implements BudgetOutputs {
    public readonly budgetName: string;
    public readonly notifications: BudgetOutputs["notifications"];

    constructor(name: string, args: BudgetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:cost:Budget", name, {}, opts);
        const out = createBudget(name, args, this);
        this.budgetName = out.budgetName;
        this.notifications = out.notifications;
        this.registerOutputs({ budgetName: out.budgetName });
    }
}
