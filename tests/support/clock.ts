/**
 * The date freshness tests measure vendored snapshots against: the committed HEAD's date, not today's. A snapshot
 * that has gone stale fails the first commit made after its horizon (so new work must refresh it), while a checkout
 * of an older commit keeps passing its own tests on any later day. Outside a git checkout: today.
 */
import { execFileSync } from "child_process";
import { ROOT } from "./scratch";

let cached: Date | undefined;

export function freshnessNow(): Date {
    if (cached) return cached;
    try {
        const iso = execFileSync("git", ["log", "-1", "--format=%cI"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
        cached = iso ? new Date(iso) : new Date();
    } catch {
        cached = new Date();
    }
    return cached;
}
