/**
 * A Pulumi mock monitor that answers like a deployment would and records every registration as the engine would
 * store it: the request's properties with secret envelopes intact (never the unwrapped values), parent, protect,
 * dependencies and provider, plus the outputs it returned.
 */
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { createHash } from "crypto";
import { AddressBook, armId, azureName, callResult, computedOutputs } from "./arm";

// Generated protobuf modules without type declarations; these are the ones MockMonitor itself uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const resproto = require("@pulumi/pulumi/proto/resource_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
// The runtime's state store is internal (no typings); setMocks() flips the same feature flags on it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const state = require("@pulumi/pulumi/runtime/state");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structproto = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [require.resolve("@pulumi/pulumi")] }));

export const SECRET_SIG = rpc.specialSecretSig;
export const SIG_KEY = rpc.specialSigKey;

export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    /** Read, not managed (StackReference, `.get()`): the engine stores these with `external: true`. */
    external: boolean;
    id?: string;
    parent?: string;
    protect: boolean;
    provider?: string;
    /** Package version the SDK reports for the resource's provider (for default provider references). */
    version?: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    /** Inputs as sent, secrets as `{ [SIG_KEY]: SECRET_SIG, value }` envelopes. */
    inputs: Record<string, unknown>;
    /** Outputs as returned (and for components/stack, as registered), secrets as envelopes. */
    outputs: Record<string, unknown>;
    additionalSecretOutputs: string[];
    replaceOnChanges: string[];
    ignoreChanges: string[];
    deleteBeforeReplace: boolean;
    /** The `replacementTrigger` option (e.g. a rotation date): a change replaces the resource. */
    replacementTrigger?: unknown;
    /** `retainOnDelete`: deleting it from the stack leaves the cloud resource in place. */
    retainOnDelete?: boolean;
}

export function isSecretEnvelope(v: unknown): v is { value?: unknown } {
    return typeof v === "object" && v !== null && (v as any)[SIG_KEY] === SECRET_SIG;
}

function envelope(value: unknown) {
    return { [SIG_KEY]: SECRET_SIG, value };
}

/** Deterministic stand-ins for values other providers compute (random strings, keys, certificates). */
function otherProviderOutputs(type: string, inputs: Record<string, any>, name: string): Record<string, unknown> {
    const hex = (seed: string, n: number) => {
        let out = "";
        for (let i = 0; out.length < n; i++) out += createHash("sha256").update(`${seed}:${i}`).digest("base64url");
        return out.slice(0, n);
    };
    switch (type) {
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString":
            return { result: hex(`${type}:${name}:${JSON.stringify(inputs.keepers ?? {})}`, inputs.length ?? 16) };
        case "random:index/randomUuid:RandomUuid":
            return { result: createHash("sha1").update(name).digest("hex").replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, "$1-$2-$3-$4-$5") };
        case "tls:index/privateKey:PrivateKey":
            return {
                privateKeyPem: `-----BEGIN EC PRIVATE KEY-----\n${hex(`key:${name}`, 64)}\n-----END EC PRIVATE KEY-----\n`,
                privateKeyPemPkcs8: `-----BEGIN PRIVATE KEY-----\n${hex(`key8:${name}`, 64)}\n-----END PRIVATE KEY-----\n`,
                publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${hex(`pub:${name}`, 64)}\n-----END PUBLIC KEY-----\n`,
            };
        case "tls:index/certRequest:CertRequest":
            return { certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----\n${hex(`csr:${name}`, 64)}\n-----END CERTIFICATE REQUEST-----\n` };
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/locallySignedCert:LocallySignedCert":
            return { certPem: `-----BEGIN CERTIFICATE-----\n${hex(`cert:${name}`, 64)}\n-----END CERTIFICATE-----\n` };
        default:
            return {};
    }
}

/** The URN the engine would assign (same scheme as MockMonitor's private newUrn). */
function urnOf(parent: string, type: string, name: string): string {
    const qualified = parent ? `${parent.split("::")[2].split("$").pop()}$${type}` : type;
    return `urn:pulumi:${settings.getStack()}::${settings.getProject()}::${qualified}::${name}`;
}

export interface PlanMonitorOptions {
    /** Outputs answered for `pulumi:pulumi:StackReference` resources, by referenced stack name. */
    stackReferences: Record<string, Record<string, unknown>>;
    location: string;
    /** Fixed "now" so time-derived values (certificate expiry) are reproducible. */
    now: Date;
}

export class PlanMonitor extends MockMonitor {
    readonly records: RecordedResource[] = [];
    private readonly byUrn = new Map<string, RecordedResource>();
    private readonly book = new AddressBook();

    constructor(private readonly options: PlanMonitorOptions) {
        super({
            newResource: () => {
                throw new Error("PlanMonitor answers registrations itself");
            },
            call: (args) => callResult(args.token, args.inputs),
        });
    }

    private answer(type: string, name: string, inputs: Record<string, any>, custom: boolean, importId: string): { id?: string; state: Record<string, unknown> } {
        if (type === "pulumi:pulumi:StackReference") {
            const refName = String(inputs.name);
            const outputs = this.options.stackReferences[refName];
            if (!outputs) throw new Error(`StackReference '${refName}': no such stack in this plan (planned: ${Object.keys(this.options.stackReferences).join(", ") || "none"})`);
            return { id: refName, state: { name: refName, outputs, secretOutputNames: [] } };
        }
        if (!custom) return { state: {} };
        if (type.startsWith("azure-native:")) {
            const id = importId || armId(type, inputs, name);
            const [, mod, cls] = type.split(":");
            const azName = azureName(`${mod}:${cls}`, inputs, name);
            return { id, state: computedOutputs(type, inputs, id, azName, this.book, this.options.location) };
        }
        if (type.startsWith("pulumi:providers:")) return { id: createHash("sha1").update(name).digest("hex").slice(0, 32), state: inputs };
        const extra = type === "cloudflare:index/originCaCertificate:OriginCaCertificate"
            ? {
                  certificate: `-----BEGIN CERTIFICATE-----\n${createHash("sha256").update(name).digest("base64")}\n-----END CERTIFICATE-----\n`,
                  expiresOn: new Date(this.options.now.getTime() + Number(inputs.requestedValidity ?? 365) * 86400_000).toISOString(),
              }
            : otherProviderOutputs(type, inputs, name);
        return { id: `${name}-${createHash("sha1").update(type + name).digest("hex").slice(0, 8)}`, state: { ...inputs, ...extra } };
    }

    async registerResource(req: any, callback: (err: any, resp?: any) => void): Promise<void> {
        try {
            const type: string = req.getType();
            const name: string = req.getName();
            const rawInputs: Record<string, unknown> = req.getObject()?.toJavaScript() ?? {};
            const inputs = rpc.deserializeProperties(req.getObject());
            const result = this.answer(type, name, inputs, req.getCustom(), req.getImportid());
            // The engine keeps an output secret when its input was secret, and applies additionalSecretOutputs.
            const secretKeys = new Set([...Object.keys(rawInputs).filter((k) => isSecretEnvelope(rawInputs[k])), ...req.getAdditionalsecretoutputsList()]);
            const outState: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(result.state)) outState[k] = secretKeys.has(k) && v !== undefined ? envelope(v) : v;
            const serializedState = await rpc.serializeProperties("", outState);
            const urn = urnOf(req.getParent(), type, name);
            this.resources.set(urn, { urn, id: result.id ?? null, state: serializedState });

            const propertyDependencies: Record<string, string[]> = {};
            req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
                propertyDependencies[key] = deps.getUrnsList();
            });
            const record: RecordedResource = {
                urn,
                type,
                name,
                custom: req.getCustom(),
                external: false,
                id: result.id,
                parent: req.getParent() || undefined,
                protect: req.getProtect() === true,
                provider: req.getProvider() || undefined,
                version: req.getVersion() || undefined,
                dependencies: req.getDependenciesList(),
                propertyDependencies,
                inputs: rawInputs,
                outputs: serializedState,
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                replaceOnChanges: req.getReplaceonchangesList(),
                ignoreChanges: req.getIgnorechangesList(),
                deleteBeforeReplace: req.getDeletebeforereplace() === true,
                replacementTrigger: req.hasReplacementTrigger() ? req.getReplacementTrigger().toJavaScript() : undefined,
                retainOnDelete: req.hasRetainondelete() ? req.getRetainondelete() : undefined,
            };
            this.records.push(record);
            this.byUrn.set(urn, record);

            const response = new resproto.RegisterResourceResponse();
            response.setUrn(urn);
            response.setId(result.id ?? "");
            response.setObject(structproto.Struct.fromJavaScript(serializedState));
            callback(null, response);
        } catch (err) {
            callback(err);
        }
    }

    /** Reads (`StackReference`, `.get()`): answered like registrations but not recorded as declared resources. */
    async readResource(req: any, callback: (err: any, resp?: any) => void): Promise<void> {
        try {
            const type: string = req.getType();
            const name: string = req.getName();
            const inputs = req.getProperties()?.toJavaScript() ?? {};
            const result = this.answer(type, name, rpc.deserializeProperties(req.getProperties()), true, req.getId());
            const serializedState = await rpc.serializeProperties("", result.state);
            const urn = urnOf(req.getParent(), type, name);
            this.resources.set(urn, { urn, id: result.id ?? null, state: serializedState });
            this.records.push({
                urn,
                type,
                name,
                custom: true,
                external: true,
                id: result.id,
                parent: req.getParent() || undefined,
                protect: false,
                provider: req.getProvider() || undefined,
                version: req.getVersion() || undefined,
                dependencies: req.getDependenciesList(),
                propertyDependencies: {},
                inputs,
                outputs: serializedState,
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                replaceOnChanges: [],
                ignoreChanges: [],
                deleteBeforeReplace: false,
            });
            const response = new resproto.ReadResourceResponse();
            response.setUrn(urn);
            response.setProperties(structproto.Struct.fromJavaScript(serializedState));
            callback(null, response);
        } catch (err) {
            callback(err);
        }
    }

    registerResourceOutputs(req: any, callback: (err: any, resp?: any) => void): void {
        const record = this.byUrn.get(req.getUrn());
        if (record) record.outputs = req.getOutputs()?.toJavaScript() ?? {};
        super.registerResourceOutputs(req, callback);
    }
}

/** Installs `monitor` as the runtime's monitor for one stack, with the feature set `pulumi.runtime.setMocks` enables. */
export function useMonitor(monitor: PlanMonitor, project: string, stack: string): void {
    settings.setMockOptions(monitor, project, stack, false, "organization");
    const store = state.getStore();
    store.supportsSecrets = true;
    store.supportsResourceReferences = true;
    store.supportsOutputValues = false;
    store.supportsDeletedWith = true;
    store.supportsReplaceWith = true;
    store.supportsAliasSpecs = true;
    store.supportsTransforms = true;
    store.supportsInvokeTransforms = true;
    store.supportsParameterization = true;
    store.supportsResourceHooks = true;
    store.supportsErrorHooks = true;
    store.supportsInvokeDependsOn = false;
}
