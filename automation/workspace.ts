/**
 * The small surface of the Automation API the pipeline commands use. `local-workspace.ts` implements it with
 * `LocalWorkspace` against the real backend; tests implement it with a fake that records every call and returns
 * canned previews, refreshes and histories. Commands never import `@pulumi/pulumi/automation` directly.
 */
import type { EngineEvent, OpMap, UpdateKind, UpdateResult } from "@pulumi/pulumi/automation";
import type { StackFile } from "../config/stack-files";

export type { EngineEvent, OpMap };

/** Progress callbacks: Pulumi's own text output and the structured engine events. */
export interface EngineHooks {
    onOutput: (text: string) => void;
    onEvent: (event: EngineEvent) => void;
}

/**
 * Cancellation: aborting sends the Pulumi CLI one SIGINT (the Automation API's `signal`), which stops starting new
 * resource operations, waits for those in flight, writes the state and releases the stack's lock.
 */
export interface Cancellable {
    signal?: AbortSignal;
}

export interface PreviewRequest extends EngineHooks, Cancellable {
    /** Absolute paths of policy packs to run (`--policy-pack`). */
    policyPacks: string[];
    /** Absolute paths of their JSON configs, one per pack in the same order (`--policy-pack-config`). */
    policyPackConfigs: string[];
    /** Refresh the state from Azure before previewing. */
    refresh: boolean;
    message: string;
}

export type UpRequest = PreviewRequest;

/**
 * A preview-only refresh (`pulumi refresh --preview-only`): what a refresh would change, state untouched. The
 * Automation API's `previewRefresh` runs exactly `refresh({ previewOnly: true })` but returns the preview's change
 * summary rather than the stack's last update.
 */
export interface RefreshRequest extends EngineHooks, Cancellable {
    /** Make the CLI fail when the refresh finds changes (drift); the events still describe them. */
    expectNoChanges: boolean;
    message: string;
}

export interface PreviewOutcome {
    changeSummary: OpMap;
}

export interface UpOutcome {
    result: UpdateResult;
    version: number;
    resourceChanges: OpMap;
}

export interface RefreshOutcome {
    changeSummary: OpMap;
}

/** One entry of `pulumi stack history`, newest first. `environment` holds the update metadata (git.head, ...). */
export interface HistoryEntry {
    kind: UpdateKind;
    result: UpdateResult;
    version: number;
    message: string;
    startTime: Date;
    environment: Record<string, string>;
}

export interface StackHandle {
    readonly name: string;
    preview(req: PreviewRequest): Promise<PreviewOutcome>;
    up(req: UpRequest): Promise<UpOutcome>;
    previewRefresh(req: RefreshRequest): Promise<RefreshOutcome>;
    /** Newest first. */
    history(pageSize: number): Promise<HistoryEntry[]>;
    /** All stack tags (a missing tag is simply absent). */
    tags(): Promise<Record<string, string>>;
    setTag(key: string, value: string): Promise<void>;
    /** Removes a tag; a tag that is not there is not an error. */
    removeTag(key: string): Promise<void>;
}

export interface OpenStackOptions {
    /** Create the stack in the backend when it does not exist yet. */
    create: boolean;
    /** Secrets provider for a stack being created (azurekeyvault://...). */
    secretsProvider?: string;
}

export interface PipelineWorkspace {
    /** Who the backend says we are; throws when not logged in. */
    whoAmI(): Promise<{ user: string; url?: string }>;
    /** Select (or, with `create`, create) the stack of a repository stack file in its project directory. */
    openStack(target: StackFile, opts: OpenStackOptions): Promise<StackHandle>;
}
