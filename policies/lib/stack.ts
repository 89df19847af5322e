/**
 * Whole-stack helpers: finding which resource another one points at.
 *
 * A reference is decided by ARM id when both ids are known (the offline plan and `pulumi up`), else by the
 * engine's property dependencies (what `pulumi preview` knows while ids are still computed). When neither can
 * tell, the answer is UNKNOWN and the calling rule stays silent.
 */
import type { PolicyResource } from "@pulumi/policy";
import { sameArmId } from "./azure";
import { known, UNKNOWN, type Maybe } from "./values";

/** The resource's ARM id as its outputs carry it; UNKNOWN while computed. */
export function armIdOf(resource: PolicyResource): Maybe<string | undefined> {
    const id = known(() => resource.props.id as unknown);
    if (id === UNKNOWN) return UNKNOWN;
    return typeof id === "string" && id !== "" ? id : undefined;
}

/**
 * Whether `value`, read from `holder`'s property `property`, refers to `target`.
 */
export function refersTo(holder: PolicyResource, property: string, value: Maybe<unknown>, target: PolicyResource): Maybe<boolean> {
    const targetId = armIdOf(target);
    if (typeof value === "string" && typeof targetId === "string") return sameArmId(value, targetId);
    const deps = holder.propertyDependencies?.[property];
    if (deps && deps.length > 0) return deps.some((d) => d.urn === target.urn);
    return UNKNOWN;
}

/** Reads `props[property]` as a list of objects, each element UNKNOWN when computed. */
export function objectsOf(resource: PolicyResource, property: string): Maybe<Maybe<Record<string, unknown>>[]> {
    const list = known(() => resource.props[property] as unknown);
    if (list === UNKNOWN) return UNKNOWN;
    if (!Array.isArray(list)) return [];
    return list.map((_, i) => known(() => list[i] as Record<string, unknown>));
}

export function ofType(resources: readonly PolicyResource[], ...types: string[]): PolicyResource[] {
    return resources.filter((r) => types.includes(r.type));
}

/**
 * Whether some `holder` points at `target` through its property `property` (a single value): true, false, or UNKNOWN
 * when no holder matches and at least one couldn't tell.
 */
export function pointedAtBy(target: PolicyResource, holders: readonly PolicyResource[], property: string): Maybe<boolean> {
    let undecided = false;
    for (const h of holders) {
        const hit = refersTo(h, property, known(() => h.props[property] as unknown), target);
        if (hit === true) return true;
        if (hit === UNKNOWN) undecided = true;
    }
    return undecided ? UNKNOWN : false;
}
