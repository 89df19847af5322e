/**
 * SIGINT/SIGTERM handling for the pipeline CLI. A killed Pulumi CLI leaves the stack locked (and, mid-update,
 * pending operations in the state); a Pulumi CLI that receives one SIGINT stops starting resource operations,
 * waits for those in flight, writes the state and releases the lock. So the first signal is passed on as exactly
 * one SIGINT (the Automation API's `signal`), no further stack is started, and the CLI waits; a second signal exits
 * at once (the runbook docs/runbooks/cancelled-deployment.md then says how to unlock safely).
 *
 * Ctrl-C in a terminal reaches Pulumi directly (same process group): forwarding it as well would be Pulumi's
 * "second Ctrl-C", which terminates without cleanup, so then the CLI only stops starting stacks.
 */
import { EXIT } from "./exit-codes";

export class Cancellation {
    private readonly controller = new AbortController();
    private received?: string;

    /** Given to every Pulumi operation; aborting it sends the Pulumi CLI one SIGINT. */
    get signal(): AbortSignal {
        return this.controller.signal;
    }

    /** A signal arrived: start no further stack, and report the run as cancelled. */
    get requested(): boolean {
        return this.received !== undefined;
    }

    /** What the CLI prints; `pulumiHasIt`: the signal also reached Pulumi itself (terminal Ctrl-C). */
    request(signal: string, pulumiHasIt: boolean): string {
        this.received = signal;
        if (!pulumiHasIt) this.controller.abort(signal);
        return `pipeline: ${signal}: asking Pulumi to stop after the resource operations in flight and release the stack's lock; waiting (a second signal exits at once and may leave the stack locked)`;
    }
}

interface SignalSource {
    on(event: "SIGINT" | "SIGTERM", listener: () => void): unknown;
}

/** Wires SIGINT/SIGTERM of `proc` to a Cancellation; `exit` runs on the second signal. */
export function cancelOnSignals(proc: SignalSource, err: (line: string) => void, exit: (code: number) => void, terminal: boolean): Cancellation {
    const c = new Cancellation();
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
        proc.on(sig, () => {
            if (c.requested) {
                err(`pipeline: ${sig} again: exiting now; if the stack stays locked follow docs/runbooks/cancelled-deployment.md`);
                exit(EXIT.cancelled);
                return;
            }
            err(c.request(sig, sig === "SIGINT" && terminal));
        });
    }
    return c;
}
