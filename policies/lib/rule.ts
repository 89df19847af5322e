/**
 * The shape of a rule in this pack: a plain CrossGuard policy object whose default enforcement level is always
 * spelled out (pack config moves it to mandatory/advisory/disabled per stack).
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export type DefaultLevel = "mandatory" | "advisory";

export type ResourceRule = ResourceValidationPolicy & { enforcementLevel: DefaultLevel };
export type StackRule = StackValidationPolicy & { enforcementLevel: DefaultLevel };
export type Rule = ResourceRule | StackRule;

export function isStackRule(rule: Rule): rule is StackRule {
    return typeof (rule as StackRule).validateStack === "function";
}
