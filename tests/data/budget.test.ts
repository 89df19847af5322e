/**
 * One monthly budget per environment from config: amount, contacts, actual + forecast thresholds, scoped to the
 * environment's resource groups (spoke and AKS node group).
 */
import { budgetNotifications } from "../../components/cost";
import { PLAN_NOW } from "../support/plan";
import { cfgOf, clusterOf, one, SPOKES, T } from "./support";

describe.each(SPOKES)("budget in %s", (stack) => {
    const cfg = cfgOf(stack);

    it("carries the configured amount and monthly grain at subscription scope", () => {
        const b = one(stack, T.budget).inputs as any;
        expect(b).toMatchObject({
            budgetName: `budget-aip-${cfg.environment}-uaen`,
            amount: cfg.budget!.monthlyAmount,
            category: "Cost",
            timeGrain: "Monthly",
        });
        expect(b.scope).toMatch(/^\/subscriptions\/[0-9a-f-]{36}$/);
    });

    // Issue 14 §9: a literal month is rejected by a first deploy in a later month and cannot be moved afterwards.
    it("starts in the month of the first deploy (the plan's now) and ignores the start afterwards", () => {
        const b = one(stack, T.budget);
        const month = PLAN_NOW.toISOString().slice(0, 7);
        expect((b.inputs as any).timePeriod).toEqual({ startDate: `${month}-01T00:00:00Z` });
        expect(b.ignoreChanges).toEqual(["timePeriod.startDate"]);
    });

    it("counts the spoke group and the AKS node group", () => {
        const b = one(stack, T.budget).inputs as any;
        expect(b.filter.dimensions).toEqual({
            name: "ResourceGroupName",
            operator: "In",
            values: [`rg-aip-${cfg.environment}-uaen`, (clusterOf(stack).inputs as any).nodeResourceGroup],
        });
    });

    it("alerts the contacts on actual spend at each threshold and on forecast at 100 %", () => {
        const n = (one(stack, T.budget).inputs as any).notifications;
        const keys = [...cfg.budget!.thresholds.map((t) => `actual-${t}`), "forecast-100"].sort();
        expect(Object.keys(n).sort()).toEqual(keys);
        for (const [key, v] of Object.entries(n) as [string, any][]) {
            expect(v).toMatchObject({ enabled: true, operator: "GreaterThanOrEqualTo", contactEmails: cfg.budget!.contactEmails });
            expect(v.thresholdType).toBe(key.startsWith("forecast") ? "Forecasted" : "Actual");
        }
    });
});

it("refuses more notifications than Azure accepts", () => {
    expect(() => budgetNotifications([50, 80, 100, 120, 150], ["a@b.c"])).toThrow(/at most 5 notifications/);
    expect(Object.keys(budgetNotifications([80, 100, 120], ["a@b.c"]))).toHaveLength(4);
});
