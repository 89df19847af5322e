/**
 * Test doubles for the pipeline CLI: a fake PipelineWorkspace that records every call and plays back canned engine
 * events, results and errors per stack; a fake Host with in-memory output and files; a throwaway repository with
 * the four stack files (secretsprovider set, as after initialisation); and engine event builders.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EngineEvent, OpType, PropertyDiff, StepEventMetadata } from "@pulumi/pulumi/automation";
import type { Host } from "../../automation/host";
import type {
    HistoryEntry,
    OpenStackOptions,
    PipelineWorkspace,
    PreviewRequest,
    RefreshRequest,
    StackHandle,
    UpRequest,
} from "../../automation/workspace";
import type { StackFile } from "../../config/stack-files";

export const COMMIT = "0123456789abcdef0123456789abcdef01234567";
export const OTHER_COMMIT = "fedcba9876543210fedcba9876543210fedcba98";

// ---------------------------------------------------------------------------------------------------------------
// engine events

let seq = 0;
const base = () => ({ sequence: ++seq, timestamp: 1_760_000_000 + seq });

export function urn(stack: string, type: string, name: string, project = "aiplatform"): string {
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

export interface StepOpts {
    protect?: boolean;
    diffs?: string[];
    detailedDiff?: Record<string, PropertyDiff>;
    keys?: string[];
    oldOutputs?: Record<string, unknown>;
    newOutputs?: Record<string, unknown> | null;
}

function meta(op: OpType, u: string, type: string, o: StepOpts): StepEventMetadata {
    const state = (outputs: Record<string, unknown>) => ({
        type,
        urn: u,
        id: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/${type}`,
        parent: "",
        protect: o.protect ?? false,
        inputs: {},
        outputs,
        provider: "",
    });
    return {
        op,
        urn: u,
        type,
        provider: "",
        old: op === "create" ? undefined : state(o.oldOutputs ?? {}),
        new: op === "delete" || o.newOutputs === null ? undefined : state(o.newOutputs ?? {}),
        diffs: o.diffs,
        detailedDiff: o.detailedDiff,
        keys: o.keys,
    };
}

export function pre(op: OpType, u: string, type: string, o: StepOpts = {}): EngineEvent {
    return { ...base(), resourcePreEvent: { metadata: meta(op, u, type, o), planning: true } };
}

export function outputs(op: OpType, u: string, type: string, o: StepOpts = {}): EngineEvent {
    return { ...base(), resOutputsEvent: { metadata: meta(op, u, type, o), planning: true } };
}

export function policy(policyName: string, level: "mandatory" | "warning", message: string, resourceUrn?: string): EngineEvent {
    return {
        ...base(),
        policyEvent: {
            resourceUrn,
            message,
            color: "never",
            policyName,
            policyPackName: "aiplatform-policies",
            policyPackVersion: "0.1.0",
            policyPackVersionTag: "0.1.0",
            enforcementLevel: level,
        },
    };
}

export function summary(resourceChanges: Record<string, number>): EngineEvent {
    return { ...base(), summaryEvent: { maybeCorrupt: false, durationSeconds: 3, resourceChanges, policyPacks: {} } };
}

export function diagnostic(message: string): EngineEvent {
    return { ...base(), diagnosticEvent: { message, color: "never", severity: "error" } };
}

/** An error shaped like the Automation API's CommandError: the message carries the CLI's stderr. */
export function commandError(stderr: string, name = "CommandError"): Error {
    const e = new Error(`code: 255\n stdout: \n stderr: ${stderr}\n err?: \n`);
    e.name = name;
    return e;
}

// ---------------------------------------------------------------------------------------------------------------
// fake workspace

export interface Script {
    /** Thrown by openStack (e.g. a "no stack named" CommandError). */
    openError?: Error;
    previewEvents?: EngineEvent[];
    previewError?: Error;
    upEvents?: EngineEvent[];
    upResult?: "succeeded" | "failed";
    upError?: Error;
    /** Events of the post-deploy check / drift refresh. */
    refreshEvents?: EngineEvent[];
    refreshError?: Error;
    history?: HistoryEntry[];
    tags?: Record<string, string>;
    /** Runs while the update is in flight (e.g. a SIGTERM arriving); an aborted `signal` then fails it as Pulumi does. */
    duringUp?: () => void;
}

export interface Call {
    method: "whoAmI" | "openStack" | "preview" | "up" | "previewRefresh" | "history" | "tags" | "setTag" | "removeTag";
    stack?: string;
    args?: unknown;
}

export class FakeWorkspace implements PipelineWorkspace {
    readonly calls: Call[] = [];
    readonly tags: Record<string, Record<string, string>> = {};
    whoAmIError?: Error;

    constructor(readonly scripts: Record<string, Script> = {}) {
        for (const [stack, s] of Object.entries(scripts)) this.tags[stack] = { ...(s.tags ?? {}) };
    }

    methods(stack?: string): string[] {
        return this.calls.filter((c) => stack === undefined || c.stack === stack).map((c) => c.method);
    }

    call(method: Call["method"], stack?: string): Call | undefined {
        return this.calls.find((c) => c.method === method && (stack === undefined || c.stack === stack));
    }

    async whoAmI() {
        this.calls.push({ method: "whoAmI" });
        if (this.whoAmIError) throw this.whoAmIError;
        return { user: "pipeline", url: "azblob://state?storage_account=staippulumiuaen" };
    }

    async openStack(target: StackFile, opts: OpenStackOptions): Promise<StackHandle> {
        this.calls.push({ method: "openStack", stack: target.stack, args: { ...opts, projectDir: target.projectDir } });
        const s = this.scripts[target.stack] ?? {};
        if (s.openError) throw s.openError;
        const calls = this.calls;
        const tags = (this.tags[target.stack] ??= {});
        const play = (events: EngineEvent[] | undefined, req: { onEvent: (e: EngineEvent) => void; onOutput: (t: string) => void }) => {
            req.onOutput(`Previewing ${target.stack}\n`);
            for (const e of events ?? []) req.onEvent(e);
        };
        const strip = (req: PreviewRequest | UpRequest | RefreshRequest) => {
            const { onEvent, onOutput, ...rest } = req;
            return { ...rest, hooks: typeof onEvent === "function" && typeof onOutput === "function" };
        };
        return {
            name: target.stack,
            async preview(req) {
                calls.push({ method: "preview", stack: target.stack, args: strip(req) });
                play(s.previewEvents, req);
                if (s.previewError) throw s.previewError;
                return { changeSummary: {} };
            },
            async up(req) {
                calls.push({ method: "up", stack: target.stack, args: strip(req) });
                play(s.upEvents ?? s.previewEvents, req);
                s.duringUp?.();
                if (req.signal?.aborted) throw commandError("error: update canceled");
                if (s.upError) throw s.upError;
                return { result: s.upResult ?? "succeeded", version: 7, resourceChanges: {} };
            },
            async previewRefresh(req) {
                calls.push({ method: "previewRefresh", stack: target.stack, args: strip(req) });
                play(s.refreshEvents, req);
                if (s.refreshError) throw s.refreshError;
                return { changeSummary: {} };
            },
            async history(pageSize) {
                calls.push({ method: "history", stack: target.stack, args: { pageSize } });
                return s.history ?? [];
            },
            async tags() {
                calls.push({ method: "tags", stack: target.stack });
                return { ...tags };
            },
            async setTag(key, value) {
                calls.push({ method: "setTag", stack: target.stack, args: { key, value } });
                tags[key] = value;
            },
            async removeTag(key) {
                calls.push({ method: "removeTag", stack: target.stack, args: { key } });
                delete tags[key];
            },
        };
    }
}

export function historyEntry(over: Partial<HistoryEntry> = {}): HistoryEntry {
    return {
        kind: "update",
        result: "succeeded",
        version: 12,
        message: `aiplatform pipeline up dev-uaenorth commit ${COMMIT}`,
        startTime: new Date("2026-08-20T10:00:00Z"),
        environment: { "git.head": COMMIT, "exec.kind": "auto.local" },
        ...over,
    };
}

// ---------------------------------------------------------------------------------------------------------------
// fake host

export class FakeHost implements Host {
    readonly stdout: string[] = [];
    readonly stderr: string[] = [];
    readonly progressed: string[] = [];
    readonly written = new Map<string, string>();
    readonly appended = new Map<string, string>();

    env: Record<string, string | undefined>;
    private readonly head: string | undefined;
    private readonly azSubscription: string | undefined;
    private readonly today: Date;

    /** Defaults: a GitHub Actions OIDC job at COMMIT, no az session, 2026-08-25. */
    constructor(o: { env?: Record<string, string | undefined>; head?: string | null; az?: string; today?: Date } = {}) {
        this.env = o.env ?? { ...OIDC_ENV };
        this.head = o.head === null ? undefined : (o.head ?? COMMIT);
        this.azSubscription = o.az;
        this.today = o.today ?? new Date("2026-08-25T09:30:00Z");
    }

    gitHead = async () => this.head;
    /** `git diff --name-only <from> <to> -- <paths>` answers, keyed `<from>..<to>`; a missing key: Git cannot tell. */
    readonly changedFiles = new Map<string, string[]>();
    readonly diffs: { from: string; to: string; paths: string[] }[] = [];
    gitChangedFiles = async (from: string, to: string, paths: string[]) => {
        this.diffs.push({ from, to, paths });
        return this.changedFiles.get(`${from}..${to}`);
    };
    azureCliSubscription = async () => this.azSubscription;
    readFile = (file: string) => this.written.get(file) ?? fs.readFileSync(file, "utf8");
    writeFile = (file: string, text: string) => void this.written.set(file, text);
    appendFile = (file: string, text: string) => void this.appended.set(file, (this.appended.get(file) ?? "") + text);
    progress = (chunk: string) => void this.progressed.push(chunk);
    out = (text: string) => void this.stdout.push(text);
    err = (text: string) => void this.stderr.push(text);
    now = () => this.today;
    tempDir = () => "/tmp/fake-host";
    /** requestIdToken hands out header.payload-<n>.sig (or throws this); `every` records its timers. */
    idTokenError?: Error;
    readonly tokenRequests: { url: string; bearer: string }[] = [];
    readonly timers: { ms: number; fn: () => void; stopped: boolean }[] = [];
    readonly privateFiles = new Map<string, string>();
    requestIdToken = async (url: string, bearer: string) => {
        this.tokenRequests.push({ url, bearer });
        if (this.idTokenError) throw this.idTokenError;
        return `header.payload-${this.tokenRequests.length}.sig`;
    };
    writePrivateFile = (file: string, text: string) => void this.privateFiles.set(file, text);
    every = (ms: number, fn: () => void) => {
        const timer = { ms, fn, stopped: false };
        this.timers.push(timer);
        return () => void (timer.stopped = true);
    };

    get output(): string {
        return this.stdout.join("\n");
    }
    get errors(): string {
        return this.stderr.join("\n");
    }
}

/** What a GitHub Actions job with `id-token: write` and the azure/login variables sees. */
export const OIDC_ENV: Record<string, string> = {
    ARM_USE_OIDC: "true",
    ARM_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
    ARM_TENANT_ID: "22222222-2222-2222-2222-222222222222",
    ARM_SUBSCRIPTION_ID: "33333333-3333-3333-3333-333333333333",
    ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.actions.example/oidc",
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: "opaque-request-token",
};

// ---------------------------------------------------------------------------------------------------------------
// fixture repository

const REAL_ROOT = path.resolve(__dirname, "../..");

export const KV_PROVIDER = "azurekeyvault://kv-aip-state-uaen.vault.azure.net/keys/pulumi-dev";

/**
 * A copy of the repository's project and stack files in a temp dir, each stack file initialised with the Key Vault
 * secrets provider (as `pulumi stack init --secrets-provider` leaves it). `without` leaves that line out.
 */
export function makeRepo(opts: { without?: string[]; rotation?: string } = {}): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-repo-"));
    fs.mkdirSync(path.join(root, "hub"));
    fs.copyFileSync(path.join(REAL_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    fs.copyFileSync(path.join(REAL_ROOT, "hub/Pulumi.yaml"), path.join(root, "hub/Pulumi.yaml"));
    const files: [string, string][] = [
        ["hub/Pulumi.hub-uaenorth.yaml", "hub"],
        ["Pulumi.dev-uaenorth.yaml", "dev"],
        ["Pulumi.stg-uaenorth.yaml", "stg"],
        ["Pulumi.prd-uaenorth.yaml", "prd"],
    ];
    for (const [file, key] of files) {
        let text = fs.readFileSync(path.join(REAL_ROOT, file), "utf8");
        const stack = path.basename(file).replace(/^Pulumi\.|\.yaml$/g, "");
        if (key === "dev") {
            // Edited as text, so the file keeps the real one's formatting (mixed flow styles) for rotate's diff test.
            const line = /^(\s+)rotation: .*\n/m;
            if (!line.test(text)) throw new Error(`${file}: no rotation line to edit`);
            text = text.replace(line, opts.rotation === undefined ? "" : `$1rotation: "${opts.rotation}"\n`);
        }
        if (!opts.without?.includes(stack)) {
            text = `secretsprovider: ${KV_PROVIDER.replace("pulumi-dev", `pulumi-${key}`)}\nencryptedkey: ZmFrZS1lbmNyeXB0ZWQta2V5\n${text}`;
        }
        fs.writeFileSync(path.join(root, file), text);
    }
    return root;
}
