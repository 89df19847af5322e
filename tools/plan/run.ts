/**
 * Runs one stack's real program under the plan monitor with the stack's real YAML config, in this process.
 * Stacks run one after another (the Pulumi runtime is process-global); the hub runs first so its outputs can
 * answer the spokes' StackReference.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { setPlanNow } from "../../config/clock";
import { ConfigError } from "../../config/problems";
import { CONFIG_NAMESPACE, isSecureValue, namespaceValues, readStackConfig, SECRET_PLACEHOLDER, type StackFile } from "../../config/stack-files";
import { PlanMonitor, type RecordedResource, useMonitor } from "./monitor";

export interface PlannedStack {
    stack: StackFile;
    /** The stack's raw `aiplatform:*` config values (validated by the program itself). */
    config: Record<string, unknown>;
    resources: RecordedResource[];
    /** Stack outputs as registered, secrets as envelopes. */
    outputs: Record<string, unknown>;
    /** Fully qualified name other stacks use to reference this one. */
    qualifiedName: string;
    now: Date;
}

/** A failure in the program itself (not its config): a bug or an unexpected provider answer. */
export class ProgramError extends Error {
    constructor(
        readonly stack: string,
        readonly causes: string[],
        /** The causes' stack traces, for --verbose (`stack` is the stack's name). */
        readonly traces: string[] = [],
    ) {
        super(`${stack}: the program failed:\n  ${causes.join("\n  ")}`);
        this.name = "ProgramError";
    }
}

/** Stack config as the Pulumi CLI hands it to a program: strings as-is, structured values as JSON. */
function runtimeConfig(file: string): { values: Record<string, string>; secretKeys: string[] } {
    const raw = readStackConfig(file);
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, v] of Object.entries(raw)) {
        if (isSecureValue(v)) {
            // Ciphertext needs the stack's secrets provider; the offline plan stands in a marked-secret placeholder.
            values[key] = SECRET_PLACEHOLDER;
            secretKeys.push(key);
        } else {
            values[key] = typeof v === "string" ? v : JSON.stringify(v);
        }
    }
    return { values, secretKeys };
}

export function qualifiedStackName(sf: StackFile): string {
    return `organization/${sf.project}/${sf.stack}`;
}

export interface PlanOptions {
    /** Keep stack traces while the program runs (the CLI's --verbose); by default errors carry their messages only. */
    traces?: boolean;
}

/**
 * Stops stack-trace capture until the returned function is called. The SDK records a full stack trace for every
 * promise it tracks and every resource it registers (leak diagnostics, source positions sent to the engine); the
 * offline plan uses neither, and capturing + formatting them was ~25% of planning time and much of its garbage.
 * Errors raised meanwhile keep their name and message, which is all the plan reports.
 */
function muteStackTraces(): () => void {
    const { stackTraceLimit, prepareStackTrace } = Error;
    Error.stackTraceLimit = 0;
    // Resource.callsites() raises the limit to Infinity for its own trace: give it the frameless form too.
    Error.prepareStackTrace = (err: Error) => (err.message ? `${err.name}: ${err.message}` : err.name);
    return () => {
        Error.stackTraceLimit = stackTraceLimit;
        Error.prepareStackTrace = prepareStackTrace;
    };
}

/** Plans one stack. Throws ConfigError for invalid config, ProgramError for anything else the program raised. */
export async function planStack(sf: StackFile, stackReferences: Record<string, Record<string, unknown>>, now = new Date(), opts: PlanOptions = {}): Promise<PlannedStack> {
    const { values, secretKeys } = runtimeConfig(sf.file);
    const location = String(namespaceValues(readStackConfig(sf.file)).location ?? "uaenorth");
    const monitor = new PlanMonitor({ stackReferences, location, now });
    // Config rules judge support windows and the budget's first month against the plan's now, not the wall clock.
    setPlanNow(now);
    useMonitor(monitor, sf.project, sf.stack);
    pulumi.runtime.setAllConfig(values, secretKeys);

    const failures: unknown[] = [];
    const onRejection = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", onRejection);
    const restoreTraces = opts.traces ? undefined : muteStackTraces();
    let outputs: Record<string, unknown> = {};
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const program: () => Promise<Record<string, unknown>> = require(path.join(sf.projectDir, "index.ts"));
        await pulumi.runtime.runInPulumiStack(program);
        await pulumi.runtime.disconnect();
        const stackRecord = monitor.records.find((r) => r.type === "pulumi:pulumi:Stack");
        outputs = stackRecord?.outputs ?? {};
    } catch (e) {
        failures.unshift(e);
    } finally {
        // Let registrations still in flight settle so their failures are attributed to this stack.
        await new Promise((r) => setImmediate(r));
        process.off("unhandledRejection", onRejection);
        restoreTraces?.();
    }
    const configError = failures.find((f): f is ConfigError => f instanceof ConfigError);
    if (configError) throw configError;
    if (failures.length) {
        throw new ProgramError(
            sf.stack,
            [...new Set(failures.map((f) => (f instanceof Error ? f.message : String(f))))],
            failures.map((f) => (f instanceof Error ? (f.stack ?? f.message) : String(f))),
        );
    }
    return {
        stack: sf,
        config: Object.fromEntries(Object.entries(readStackConfig(sf.file)).filter(([k]) => k.startsWith(CONFIG_NAMESPACE + ":"))),
        resources: monitor.records,
        outputs,
        qualifiedName: qualifiedStackName(sf),
        now,
    };
}
