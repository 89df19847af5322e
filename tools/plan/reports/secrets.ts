/**
 * Plan report: the secrets rule on every planned stack. The reporter sees the plan's secret values (the recorded
 * registrations keep their envelopes) and fails the plan (exit 1) if any of them reaches a stack output or the
 * export JSON in plaintext. It also lists each Key Vault secret the stack writes with its content type and days to
 * expiry (never a value), and fails on a Key Vault secret without content type or expiry.
 */
import { isSecretEnvelope, SECRET_SIG } from "../monitor";
import type { Reporter } from "../reports";

const VAULT_SECRET = "azure-native:keyvault:Secret";
const DAY_MS = 86_400_000;
/** Shorter values could match by accident; the platform's secrets are all longer. */
const MIN_LENGTH = 12;

function collect(v: unknown, secret: Set<string>, open: Set<string>, inSecret = false): void {
    if (isSecretEnvelope(v)) return collect(v.value, secret, open, true);
    if (typeof v === "string") (inSecret ? secret : open).add(v);
    else if (Array.isArray(v)) v.forEach((x) => collect(x, secret, open, inSecret));
    else if (v && typeof v === "object") Object.values(v).forEach((x) => collect(x, secret, open, inSecret));
}

const report: Reporter = ({ planned, exported }) => {
    const values = new Set<string>();
    for (const r of planned.resources) {
        const secret = new Set<string>();
        const open = new Set<string>();
        collect(r.inputs, secret, open);
        const outputOpen = new Set<string>();
        collect(r.outputs, secret, outputOpen);
        // A whole output object marked secret also carries fields its inputs declare in the open (content type).
        for (const s of secret) if (!open.has(s) && s.length >= MIN_LENGTH && s !== SECRET_SIG) values.add(s);
    }
    const lines: string[] = [];
    let failures = 0;
    const haystacks: Record<string, string> = {
        "stack outputs": JSON.stringify(exported.deployment.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs ?? {}),
        "plan JSON": JSON.stringify(exported),
    };
    for (const [where, text] of Object.entries(haystacks)) {
        const leaked = [...values].filter((v) => text.includes(v)).length;
        if (leaked) {
            failures += leaked;
            lines.push(`LEAK: ${leaked} secret value(s) in plaintext in the ${where}: wrap them in pulumi.secret / keep them out of outputs`);
        }
    }

    const secrets = exported.deployment.resources.filter((r) => r.type === VAULT_SECRET);
    for (const s of secrets) {
        const i = s.inputs as any;
        const expires = i.properties?.attributes?.expires as number | undefined;
        const contentType = i.properties?.contentType as string | undefined;
        const left = expires !== undefined ? Math.floor((expires * 1000 - planned.now.getTime()) / DAY_MS) : undefined;
        lines.push(`${i.vaultName}/${i.secretName}: ${contentType ?? "NO CONTENT TYPE"}, ${expires !== undefined ? `expires ${new Date(expires * 1000).toISOString().slice(0, 10)} (${left} days)` : "NO EXPIRY"}`);
        if (!contentType || expires === undefined) failures++;
        else if (left! < 0) {
            // Key Vault refuses reads of an expired secret: ESO stops syncing it and the workloads that need it fail.
            failures++;
            lines.push(`  EXPIRED ${-left!} days ago: set aiplatform:keyVault.rotation to today's date to regenerate the platform's secrets (docs/runbooks/secret-rotation.md)`);
        }
    }
    if (!values.size && !secrets.length) return undefined;
    lines.unshift(`${values.size} secret value(s) held as Pulumi secrets; none in plaintext in outputs or the plan JSON${failures ? " — except as listed" : ""}`);
    return { title: "secrets: values stay secret, vault entries carry content type and expiry", lines, failures, data: { secretValues: values.size, vaultSecrets: secrets.length } };
};

export default report;
