/**
 * Builds the file `pulumi stack export` would write after deploying the plan (version 3): every resource with its
 * inputs, outputs, parent, protect, dependencies and provider reference. Secret values stay envelopes and their
 * plaintext never reaches the file.
 */
import { isSecretEnvelope, SECRET_SIG, SIG_KEY, type RecordedResource } from "./monitor";
import type { PlannedStack } from "./run";

/** What an export holds where a secret was: the envelope, with ciphertext we cannot produce offline. */
export const REDACTED_CIPHERTEXT = "offline-plan:redacted";

export function redactSecrets(value: unknown): unknown {
    if (isSecretEnvelope(value)) return { [SIG_KEY]: SECRET_SIG, ciphertext: REDACTED_CIPHERTEXT };
    if (Array.isArray(value)) return value.map(redactSecrets);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
    return value;
}

function packageOf(type: string): string {
    return type.split(":")[0];
}

export interface ExportResource {
    urn: string;
    custom: boolean;
    external?: boolean;
    id?: string;
    type: string;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
    parent?: string;
    protect?: boolean;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    provider?: string;
    additionalSecretOutputs?: string[];
    ignoreChanges?: string[];
    replaceOnChanges?: string[];
    deleteBeforeReplace?: boolean;
    replacementTrigger?: unknown;
    retainOnDelete?: boolean;
}

export interface StackExport {
    version: 3;
    deployment: {
        manifest: { time: string; magic: string; version: string };
        secrets_providers: { type: string; state: Record<string, unknown> };
        resources: ExportResource[];
    };
}

export function buildExport(planned: PlannedStack, sdkVersion: string): StackExport {
    const { stack, project } = planned.stack;
    const providers = new Map<string, ExportResource>();
    // Custom resources without an explicit provider use the engine's default provider for their package.
    const defaultProvider = (r: RecordedResource): string => {
        const pkg = packageOf(r.type);
        const version = r.version ?? "0.0.0";
        const urn = `urn:pulumi:${stack}::${project}::pulumi:providers:${pkg}::default_${version.replace(/\./g, "_")}`;
        if (!providers.has(urn)) {
            providers.set(urn, {
                urn,
                custom: true,
                id: `${pkg}-default-provider`,
                type: `pulumi:providers:${pkg}`,
                inputs: { version },
                outputs: { version },
            });
        }
        return `${urn}::${pkg}-default-provider`;
    };
    const resources: ExportResource[] = planned.resources.map((r) => {
        const out: ExportResource = {
            urn: r.urn,
            custom: r.custom,
            ...(r.external ? { external: true } : {}),
            ...(r.id ? { id: r.id } : {}),
            type: r.type,
            inputs: redactSecrets(r.inputs) as Record<string, unknown>,
            outputs: redactSecrets(r.outputs) as Record<string, unknown>,
            ...(r.parent ? { parent: r.parent } : {}),
            ...(r.protect ? { protect: true } : {}),
            ...(r.dependencies.length ? { dependencies: r.dependencies } : {}),
            ...(Object.keys(r.propertyDependencies).length ? { propertyDependencies: r.propertyDependencies } : {}),
            ...(r.additionalSecretOutputs.length ? { additionalSecretOutputs: r.additionalSecretOutputs } : {}),
            ...(r.ignoreChanges.length ? { ignoreChanges: r.ignoreChanges } : {}),
            ...(r.replaceOnChanges.length ? { replaceOnChanges: r.replaceOnChanges } : {}),
            ...(r.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
            ...(r.replacementTrigger !== undefined ? { replacementTrigger: redactSecrets(r.replacementTrigger) } : {}),
            ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
        };
        if (r.custom && !r.type.startsWith("pulumi:")) out.provider = r.provider ?? defaultProvider(r);
        return out;
    });
    // Like the engine: the stack first, then providers, then everything else in registration order.
    const [root, ...rest] = resources;
    return {
        version: 3,
        deployment: {
            manifest: { time: planned.now.toISOString(), magic: "offline-plan", version: `v${sdkVersion}` },
            secrets_providers: { type: "offline-plan", state: {} },
            resources: [root, ...providers.values(), ...rest],
        },
    };
}
