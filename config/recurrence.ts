/**
 * Config schedules are 5-field cron (`0 20 * * 1-5`); Logic Apps recurrence triggers take a weekly schedule of
 * hours, minutes and week days in a Windows time zone. This converts the subset that maps exactly and explains
 * anything else, so config validation can reject it before a resource is declared.
 */

export const WEEK_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;
export type WeekDay = (typeof WEEK_DAYS)[number];

/** The `recurrence` of a Logic Apps Recurrence trigger (Workflow Definition Language). */
export interface Recurrence {
    frequency: "Week";
    interval: 1;
    timeZone: string;
    schedule: { hours: number[]; minutes: number[]; weekDays: WeekDay[] };
}

function numbers(field: string, min: number, max: number, what: string): number[] | string {
    const out = new Set<number>();
    for (const part of field.split(",")) {
        const m = /^(\d+)(?:-(\d+))?$/.exec(part);
        if (!m) return `${what} '${part}' must be a number, a range a-b or a comma list (no steps or names)`;
        const a = Number(m[1]);
        const b = m[2] === undefined ? a : Number(m[2]);
        if (a < min || b > max || a > b) return `${what} '${part}' must lie within ${min}-${max}`;
        for (let i = a; i <= b; i++) out.add(i);
    }
    return [...out].sort((x, y) => x - y);
}

/**
 * Converts `cron` to a weekly recurrence in `timeZone`, or returns why it cannot: day-of-month and month must be
 * `*` (out-of-hours schedules are weekly), minutes and hours are numbers, ranges or lists, week days 0-7 (0 and 7
 * are Sunday) or `*`.
 */
export function cronToRecurrence(cron: string, timeZone: string): Recurrence | string {
    const fields = cron.trim().split(/\s+/);
    if (fields.length !== 5) return `'${cron}' is not a 5-field cron expression`;
    const [min, hour, dom, month, dow] = fields;
    if (dom !== "*" || month !== "*") return `day-of-month and month must be '*' (schedules are weekly); got '${dom} ${month}'`;
    const minutes = numbers(min, 0, 59, "minute");
    if (typeof minutes === "string") return minutes;
    const hours = numbers(hour, 0, 23, "hour");
    if (typeof hours === "string") return hours;
    const days = dow === "*" ? [0, 1, 2, 3, 4, 5, 6] : numbers(dow, 0, 7, "day of week");
    if (typeof days === "string") return days;
    const weekDays = [...new Set(days.map((d) => WEEK_DAYS[d % 7]))].sort((a, b) => WEEK_DAYS.indexOf(a) - WEEK_DAYS.indexOf(b));
    return { frequency: "Week", interval: 1, timeZone, schedule: { hours, minutes, weekDays } };
}
