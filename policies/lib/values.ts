/**
 * Reading resource properties that may be unknown.
 *
 * CrossGuard hands a rule its props wrapped in `unknownCheckingProxy`: touching a value that is computed during
 * preview throws `UnknownValueError`, and the analyzer then drops the whole rule for that resource. Our rules
 * instead decide field by field: each check runs in `expect`/`known`, and a check that touches an unknown value
 * is silent ("can't tell yet") while the rule's other checks still run. The in-process evaluator
 * (tools/policy/evaluate.ts) wraps props in the same proxy, so rules behave identically in both places.
 */
import { ReportViolation, UnknownValueError } from "@pulumi/policy";

/** Pulumi's sentinels for computed values (@pulumi/policy proxy.js); the string one is what the engine sends. */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Marker returned by `known` when a value can't be known yet. */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Maybe<T> = T | typeof UNKNOWN;

export function isUnknownSentinel(v: unknown): boolean {
    return typeof v === "string" && UNKNOWN_SENTINELS.has(v);
}

/** Reads a value; UNKNOWN if it (or anything on the way to it) is computed. */
export function known<T>(read: () => T): Maybe<T> {
    try {
        const v = read();
        return isUnknownSentinel(v) ? UNKNOWN : v;
    } catch (e) {
        if (e instanceof UnknownValueError) return UNKNOWN;
        throw e;
    }
}

/**
 * Reports `message` when `ok()` returns false. A check that touches an unknown value stays silent.
 * `ok` may also return a string: the message to report instead (for checks whose message names the culprit).
 */
export function expect(report: ReportViolation, ok: () => boolean | string, message: string): void {
    const result = known(ok);
    if (result === UNKNOWN || result === true) return;
    report(typeof result === "string" ? result : message);
}

/**
 * The elements of a list property, each read on its own so that one computed element doesn't hide the others.
 * An unknown or absent list yields no elements.
 */
export function elements<T>(read: () => readonly T[] | undefined | null): T[] {
    const list = known(read);
    if (list === UNKNOWN || !Array.isArray(list)) return [];
    const out: T[] = [];
    for (let i = 0; i < list.length; i++) {
        const item = known(() => list[i]);
        if (item !== UNKNOWN && item !== undefined && item !== null) out.push(item);
    }
    return out;
}

/** Whether the list (when known) has an unknown element or is itself unknown: a rule that needs all of it can't tell. */
export function hasUnknown(read: () => readonly unknown[] | undefined | null): boolean {
    const list = known(read);
    if (list === UNKNOWN) return true;
    if (!Array.isArray(list)) return false;
    for (let i = 0; i < list.length; i++) if (known(() => list[i]) === UNKNOWN) return true;
    return false;
}

/** The entries of a map property; a computed value comes back as UNKNOWN, a computed map as no entries. */
export function entries<T>(read: () => Record<string, T> | undefined | null): [string, Maybe<T>][] {
    const map = known(read);
    if (map === UNKNOWN || map === null || typeof map !== "object") return [];
    return Object.keys(map).map((k) => [k, known(() => (map as Record<string, T>)[k])]);
}

/**
 * Runs `check` on each element of an inline list (pools, NSG rules, subnets), its messages prefixed with
 * `<list>[i] (<name>): `. A computed list or element is skipped; the others are still checked.
 */
export function eachNamed<T extends object>(
    read: () => readonly T[] | undefined | null,
    list: string,
    report: ReportViolation,
    check: (item: T, report: ReportViolation) => void,
): void {
    const items = known(read);
    if (items === UNKNOWN || !Array.isArray(items)) return;
    items.forEach((_, i) => {
        const item = known(() => items[i]);
        if (item === UNKNOWN || !item) return;
        const name = known(() => (item as { name?: unknown }).name);
        check(item, (message) => report(`${list}[${i}] (${typeof name === "string" ? name : "unnamed"}): ${message}`));
    });
}
