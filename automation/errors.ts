/**
 * Errors the pipeline CLI turns into one line and an exit code. `classifyError` maps what the Pulumi CLI (through
 * the Automation API's CommandError, whose message carries the command's stderr) or the host reports onto the
 * documented exit codes; anything unrecognised is an operation failure with the first `error:` line of stderr.
 */
import { EXIT, type ExitCode } from "./exit-codes";

export class PipelineError extends Error {
    constructor(
        readonly code: ExitCode,
        message: string,
        readonly cause?: unknown,
    ) {
        super(message);
        this.name = "PipelineError";
    }
}

interface Rule {
    code: ExitCode;
    test: RegExp;
    explain: (m: string) => string;
}

/** First match wins: the backend and lock rules come before the Azure ones because their messages can mention Azure. */
const RULES: Rule[] = [
    {
        code: EXIT.noPulumiCli,
        test: /spawn pulumi ENOENT|Command failed with ENOENT: pulumi|pulumi: (command )?not found/,
        explain: () => "the Pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/) or use pulumi/actions' setup in CI",
    },
    {
        code: EXIT.locked,
        test: /the stack is currently locked by|\[409\] Conflict: Another update is currently in progress|ConcurrentUpdateError/,
        explain: (m) => `the stack is locked by another update (${firstMatchLine(m, /locked by|409/) ?? "concurrent update"}); retry when it finishes`,
    },
    {
        code: EXIT.noBackend,
        test: /PULUMI_ACCESS_TOKEN must be set|problem logging in|not logged in|unable to open bucket|error: could not (find|read) (the )?current (cloud|backend)|getting user info/i,
        explain: () =>
            "not logged in to the state backend: set PULUMI_BACKEND_URL=azblob://<container>?storage_account=<account> (README: state backend) and make sure this identity can read it",
    },
    {
        code: EXIT.noBackend,
        test: /passphrase must be set with PULUMI_CONFIG_PASSPHRASE|incorrect passphrase|secrets provider.*(not|un)supported/i,
        explain: () =>
            "the stack would use a passphrase secrets provider: initialise it with the Key Vault provider (README: state backend, `secretsprovider: azurekeyvault://…`)",
    },
    {
        code: EXIT.badInput,
        test: /no stack named .* found|StackNotFoundError/,
        explain: (m) => `${firstMatchLine(m, /no stack named/) ?? "stack not found"} in the backend: create it once with --create (README: state backend)`,
    },
    {
        code: EXIT.noAzureCredentials,
        test: /DefaultAzureCredential|ClientAssertionCredential|WorkloadIdentityCredential|AADSTS\d+|Please run 'az login'|az login|could not acquire access token|obtaining Azure (CLI )?(credentials|token)|building (AzureRM )?(client|account|auth config)|No subscription found|unable to get (an )?Azure (access )?token|OIDC token/i,
        explain: (m) =>
            `Azure rejected or lacked credentials: ${firstMatchLine(m, /AADSTS|credential|az login|token|subscription/i) ?? "authentication failed"}`,
    },
];

function firstMatchLine(message: string, re: RegExp): string | undefined {
    const line = message.split(/\r?\n/).find((l) => re.test(l));
    return line ? clean(line) : undefined;
}

function clean(line: string): string {
    return line.replace(/^\s*((stderr|stdout|err\?):\s*)?(error:\s*)*/i, "").replace(/\s+/g, " ").trim().slice(0, 300);
}

/** The first `error:` line of a Pulumi CommandError (stderr), else its first non-empty line. */
export function firstErrorLine(message: string): string {
    const lines = message.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    const err = lines.find((l) => /^error:/i.test(l) && !/^error: update failed$/i.test(l));
    const useful = lines.find((l) => !/^(code|stdout|stderr|err\?):/.test(l));
    return clean(err ?? useful ?? lines[0] ?? "unknown error");
}

export function classifyError(e: unknown): PipelineError {
    if (e instanceof PipelineError) return e;
    const name = e instanceof Error ? e.name : "";
    const message = e instanceof Error ? `${name}: ${e.message}` : String(e);
    for (const rule of RULES) {
        if (rule.test.test(message)) return new PipelineError(rule.code, rule.explain(message), e);
    }
    return new PipelineError(EXIT.operationFailed, `the Pulumi operation failed: ${firstErrorLine(e instanceof Error ? e.message : message)}`, e);
}
