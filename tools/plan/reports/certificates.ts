/**
 * Plan report: the origin certificate of each spoke and how many days it has left, counted from the plan's "now".
 *
 * Two dates per certificate:
 * - `expiresOn` as Cloudflare's Origin CA answers it (in the offline plan: issued now, so now + requested validity);
 * - the Key Vault expiry written with the secrets, `edge.rotation` + `edge.certValidityDays`: the certificate was
 *   issued on (or just after) the rotation date, so this is the date the deployed certificate runs out — the one
 *   the expiry alert watches and the one this report counts down.
 * Fewer than WARN_DAYS left: a warning line; expired: a failure (the plan exits 1), naming the key to change.
 */
import { isSecretEnvelope } from "../monitor";
import type { ExportResource } from "../export";
import type { Reporter } from "../reports";

const ORIGIN_CERT = "cloudflare:index/originCaCertificate:OriginCaCertificate";
const VAULT_SECRET = "azure-native:keyvault:Secret";
/** Matches the secret names in components/edge/names.ts. */
const ORIGIN_CERT_SECRET = "edge-origin-cert";
export const WARN_DAYS = 30;
const DAY_MS = 86_400_000;

function plain(v: unknown): unknown {
    return isSecretEnvelope(v) ? undefined : v;
}

function name(r: ExportResource): string {
    return r.urn.split("::").pop()!;
}

const report: Reporter = ({ planned, exported }) => {
    const resources = exported.deployment.resources;
    const certs = resources.filter((r) => r.type === ORIGIN_CERT);
    if (!certs.length) return undefined;
    const now = planned.now;
    const days = (iso: string) => Math.floor((Date.parse(iso) - now.getTime()) / DAY_MS);
    const vaultSecret = resources.find((r) => r.type === VAULT_SECRET && (r.inputs as any).secretName === ORIGIN_CERT_SECRET);
    const rotation = (planned.config["aiplatform:edge"] as { rotation?: string } | undefined)?.rotation;

    const lines: string[] = [];
    const data: Record<string, unknown>[] = [];
    let failures = 0;
    for (const cert of certs) {
        const hosts = (plain(cert.inputs.hostnames) as string[] | undefined) ?? [];
        const validity = plain(cert.inputs.requestedValidity) as number | undefined;
        const issuedExpiry = plain(cert.outputs.expiresOn) as string | undefined;
        const vaultEpoch = (plain((vaultSecret?.inputs as any)?.properties) as any)?.attributes?.expires as number | undefined;
        const vaultExpiry = vaultEpoch !== undefined ? new Date(vaultEpoch * 1000).toISOString() : undefined;
        // The deployed certificate's end of life; without a vault entry, fall back to what the CA answered.
        const effective = vaultExpiry ?? issuedExpiry;
        const left = effective ? days(effective) : undefined;
        lines.push(`${name(cert)}: ${hosts.join(", ")} (Origin CA, ${validity ?? "?"}-day validity)`);
        if (issuedExpiry) lines.push(`  if issued by this plan: expires ${issuedExpiry.slice(0, 10)} (${days(issuedExpiry)} days)`);
        if (vaultExpiry) lines.push(`  deployed (rotation ${rotation ?? "?"} + ${validity ?? "?"} days): expires ${vaultExpiry.slice(0, 10)} — ${left} days to expiry`);
        if (left !== undefined && left <= 0) {
            failures++;
            lines.push(`  EXPIRED: set aiplatform:edge.rotation to today's date in Pulumi.${planned.stack.stack}.yaml to issue a new key and certificate`);
        } else if (left !== undefined && left < WARN_DAYS) {
            lines.push(`  WARNING: fewer than ${WARN_DAYS} days left: rotate now (aiplatform:edge.rotation)`);
        }
        data.push({ resource: name(cert), hosts, validityDays: validity, issuedExpiresOn: issuedExpiry, vaultExpiresOn: vaultExpiry, daysToExpiry: left });
    }
    return { title: "certificates (origin, days to expiry)", lines, failures, data };
};

export default report;
