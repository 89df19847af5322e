/**
 * Issue 22 §14: SIGINT/SIGTERM during a deployment. The first signal becomes exactly one SIGINT to the Pulumi CLI
 * (so it finishes the operations in flight, saves state and releases the lock), no further stack starts, and the
 * run exits 12; a second signal exits at once. A terminal Ctrl-C already reached Pulumi, so it is not forwarded.
 */
import { EventEmitter } from "events";
import * as path from "path";
import { Cancellation, cancelOnSignals } from "../../automation/cancel";
import { main } from "../../automation/cli";
import { TAGS } from "../../automation/commands";
import { EXIT } from "../../automation/exit-codes";
import { FakeHost, FakeWorkspace, makeRepo } from "./fakes";

describe("cancelOnSignals", () => {
    const setup = (terminal: boolean) => {
        const proc = new EventEmitter();
        const lines: string[] = [];
        const exits: number[] = [];
        const c = cancelOnSignals(proc as never, (l) => void lines.push(l), (code) => void exits.push(code), terminal);
        return { proc, lines, exits, c };
    };

    it("SIGTERM (a cancelled CI job): forwards one SIGINT to Pulumi and waits; a second signal exits 12 at once", () => {
        const { proc, lines, exits, c } = setup(false);
        proc.emit("SIGTERM");
        expect(c.requested).toBe(true);
        expect(c.signal.aborted).toBe(true);
        expect(exits).toEqual([]);
        expect(lines[0]).toMatch(/^pipeline: SIGTERM: asking Pulumi to stop after the resource operations in flight and release the stack's lock; waiting/);
        proc.emit("SIGINT");
        expect(exits).toEqual([EXIT.cancelled]);
        expect(lines[1]).toContain("docs/runbooks/cancelled-deployment.md");
    });

    it("Ctrl-C in a terminal already reached Pulumi: not forwarded (a second SIGINT would make Pulumi quit without cleanup)", () => {
        const { proc, c } = setup(true);
        proc.emit("SIGINT");
        expect(c.requested).toBe(true);
        expect(c.signal.aborted).toBe(false);
    });
});

describe("a cancelled `up`", () => {
    it("passes the signal to the update, reports exit 12, starts no further stack and leaves nothing marked verified", async () => {
        const root = makeRepo();
        const cancellation = new Cancellation();
        const ws = new FakeWorkspace({ "dev-uaenorth": { duringUp: () => void cancellation.request("SIGTERM", false) } });
        const host = new FakeHost();
        const code = await main(["up", "--stack", "dev-uaenorth", "--stack", "stg-uaenorth", "--summary-dir", path.join(root, ".pipeline")], {
            host,
            root,
            workspace: () => ws,
            cancellation,
        });
        expect(code).toBe(EXIT.cancelled);
        expect((ws.call("up", "dev-uaenorth")!.args as { signal?: AbortSignal }).signal).toBe(cancellation.signal);
        expect(ws.methods("stg-uaenorth")).toEqual([]);
        expect(ws.tags["dev-uaenorth"][TAGS.verifiedCommit]).toBeUndefined();
        expect(host.errors).toContain(
            "pipeline: dev-uaenorth: update failed: cancelled: Pulumi was asked to stop after the operations in flight and release the lock (runbook: docs/runbooks/cancelled-deployment.md)",
        );
        expect(host.errors).toContain("pipeline: cancelled: stg-uaenorth not started");
    });
});
