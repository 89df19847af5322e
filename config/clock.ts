/**
 * The "now" config rules judge time-bound facts against (Kubernetes support windows, the budget's first month).
 * A real `pulumi up` uses the wall clock; the offline plan sets its own now (`--now`, or the time it started) so a
 * plan is reproducible and a test can ask "would this deploy on that day".
 */
let fixed: Date | undefined;

export function setPlanNow(now: Date | undefined): void {
    fixed = now;
}

export function planNow(): Date {
    return fixed ?? new Date();
}
