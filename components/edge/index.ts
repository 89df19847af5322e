/**
 * Edge: everything between the Internet and the public ingress, per environment.
 *
 *   users ──TLS (edge certificate)──▶ Cloudflare (WAF, rate limit, HSTS) ──TLS (Origin CA cert) + client cert──▶
 *   public ingress IP (NSG: 443 from Cloudflare ranges only) ──▶ nginx-public (default cert from Key Vault via ESO,
 *   verifies the origin-pull client certificate)
 *
 * Declared here, all through an explicit Cloudflare provider whose token is a Pulumi secret:
 * - proxied A records `<label>.<env>.<domain>` → the public ingress IP (an Output of the network, never a literal);
 * - an advanced edge certificate for `*.<env>.<domain>` (Universal SSL covers only one label below the zone);
 * - the origin certificate as code: ECDSA P-256 key and CSR (@pulumi/tls) → Cloudflare Origin CA certificate →
 *   Key Vault secrets (PEM, content type, expiry = rotation + validity). Changing `edge.rotation` replaces the key
 *   (a `replacementTrigger`), and with it the CSR, the certificate and the secret values (new versions);
 * - per-hostname Authenticated Origin Pulls with OUR client certificate (own CA, @pulumi/tls): with Cloudflare's
 *   shared zone-level certificate any Cloudflare customer could reach the origin through their own zone; with ours
 *   only requests for our hostnames, from our zone, pass NGINX's `ssl_verify_client`. The CA goes to Key Vault too;
 * - the zone's security floor (zone-settings.ts) and, in the one stack that owns them, WAF/rate-limit rulesets;
 * - with `edge.traffic` (several regions serve the environment, traffic.ts): this region's DNS-only origin name, and in
 *   the steering's owner the load balancer (or failover record) and health probes in place of the A records; the
 *   hostname-level objects (edge certificate, per-hostname origin pulls) are the owner's too;
 * - `*.<env>` in the hub's private zone for internal hosts → the internal ingress IP.
 * Private keys and certificates are secret everywhere (state, plan JSON, outputs); outputs carry names and dates.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { Environment } from "../../config/schema";
import { expiryFrom, vaultSecret } from "../secrets/vault-secret";
import { EDGE_SECRET_NAMES, type EdgeConfig, environmentDomain, originHostname, publicHostnames, steeringSpec } from "./names";
import { declareSteering } from "./traffic";
import { wafRulesets } from "./waf";
import { ZONE_SETTINGS } from "./zone-settings";

export * from "./cloudflare-ips";
export * from "./names";
export * from "./traffic";
export { cloudflareApiToken } from "./token";

export interface EdgeArgs {
    /** dev | stg | prd: the middle label of every public host (`api.<env>.<domain>`). */
    environment: Environment;
    /** Azure region of this stack: its origin name under `edge.traffic` (`api.<region>.<env>.<domain>`). */
    location: string;
    /** aiplatform:namePrefix: the steering's account-wide names (pools, health checks). */
    namePrefix: string;
    /** `aiplatform:edge` from stack config (zone, domain, host labels, certificate validity, rotation date, waf). */
    config: EdgeConfig;
    /** Cloudflare API token as a secret Output (`cloudflareApiToken()`); given to this component's own provider only. */
    apiToken: pulumi.Output<string>;
    /** Public ingress IP address (SpokeNetwork.ingressPublicIpAddress): target of the proxied A records. */
    ingressPublicIp: pulumi.Input<string>;
    /** Internal ingress load balancer IP (SpokeNetwork.ingressInternalIp): target of `*.<env>.<hub internal zone>`. */
    ingressInternalIp: pulumi.Input<string>;
    /** Key Vault receiving the origin certificate, its key and the origin-pull CA (Secrets.vaultName / resource group). */
    vault: { name: pulumi.Input<string>; resourceGroupName: pulumi.Input<string> };
    /**
     * The hub's private DNS zone for internal hosts (hub output; the network owns it and its VNet links, so spokes
     * resolve it through the firewall's DNS proxy). This component adds `*.<env>` to it.
     */
    internalDns: { zoneName: pulumi.Input<string>; resourceGroupName: pulumi.Input<string> };
}

export interface EdgeOutputs {
    /** Public host names published through Cloudflare. */
    publicHostnames: string[];
    /** Domain of the environment's internal hosts, `<env>.<hub internal zone>` (cluster-vars internal_dns_zone). */
    internalDomain: pulumi.Output<string>;
    /** Key Vault secret names the cluster's ExternalSecrets read (cluster-vars origin_cert_secret / origin_key_secret). */
    secretNames: typeof EDGE_SECRET_NAMES;
    /** ARM ids of those Key Vault secrets, by name: ESO's per-secret grant scopes. */
    secretIds: Record<string, pulumi.Output<string>>;
    /** When Cloudflare says the origin certificate expires (ISO 8601). */
    originCertificateExpiresOn: pulumi.Output<string>;
    /** Expiry written to the Key Vault secrets: rotation + certValidityDays (ISO 8601); alerts key off this date. */
    secretsExpireOn: string;
    /** Cloudflare id of the origin certificate (for revocation in the rotation runbook). */
    originCertificateId: pulumi.Output<string>;
}

/** ECDSA P-256 everywhere: Cloudflare's Origin CA issues `origin-ecc` for it; small keys, fast handshakes. */
const KEY = { algorithm: "ECDSA", ecdsaCurve: "P256" } as const;
/** Certificate material never appears in clear in state, the plan JSON or logs (public parts included: simpler to audit). */
const PEM_SECRET = { certRequest: ["certRequestPem"], cert: ["certPem"], origin: ["certificate", "csr"] };
const PEM_CONTENT_TYPE = "application/x-pem-file";
/** Origin-pull CA validity: 20 years, longer than the longest Origin CA validity (5475 days). */
export const ORIGIN_PULL_CA_VALIDITY_HOURS = 20 * 365 * 24;

/** Internal hostnames of an environment live under `<env>.<hub internal zone>` (e.g. dev.internal.ai.contoso.com). */
export function internalDomainOf(environment: string, hubInternalZone: string): string {
    return `${environment}.${hubInternalZone}`;
}

export function createEdge(name: string, args: EdgeArgs, parent: pulumi.Resource): EdgeOutputs {
    const cfg = args.config;
    const hosts = publicHostnames(args.environment, cfg);
    const envDomain = environmentDomain(args.environment, cfg.domain);
    const zoneId = cfg.zoneId;
    const validityHours = cfg.certValidityDays * 24;
    const secretsExpire = expiryFrom(cfg.rotation, cfg.certValidityDays);

    // The ONLY Cloudflare credentials any resource below uses; no default provider, no ambient environment.
    const provider = new cloudflare.Provider(`${name}-cloudflare`, { apiToken: args.apiToken }, { parent });
    const cf = { parent, provider };

    // --- DNS: proxied (orange-cloud) A records; TTL 1 = automatic, the only TTL Cloudflare accepts for proxied records.
    // With edge.traffic the public hosts belong to the steering (its owner declares them), and each region publishes
    // its origin name instead: DNS-only, since pools and the failover CNAME must resolve to the origin itself.
    const traffic = cfg.traffic;
    const hostnameOwner = !traffic || traffic.owner;
    const records = new Map<string, pulumi.Resource>();
    for (const label of traffic ? cfg.hostnames : []) {
        new cloudflare.DnsRecord(
            `${name}-origin-${label}`,
            {
                zoneId,
                name: originHostname(label, args.location, args.environment, cfg.domain),
                type: "A",
                content: args.ingressPublicIp,
                proxied: false,
                ttl: 60,
                comment: `aiplatform ${args.environment} ${args.location}: origin for steering (managed by Pulumi)`,
            },
            cf,
        );
    }
    if (traffic?.owner) {
        const steered = declareSteering(name, { spec: steeringSpec(args.namePrefix, args.environment, cfg, traffic), environment: args.environment, zoneId }, cf);
        for (const [host, r] of steered) records.set(host, r);
    }
    (traffic ? [] : cfg.hostnames).forEach((label, i) => {
        records.set(
            hosts[i],
            new cloudflare.DnsRecord(
                `${name}-dns-${label}`,
                {
                    zoneId,
                    name: hosts[i],
                    type: "A",
                    content: args.ingressPublicIp,
                    proxied: true,
                    ttl: 1,
                    comment: `aiplatform ${args.environment}: public ingress (managed by Pulumi)`,
                },
                cf,
            ),
        );
    });

    // --- Edge certificate for the environment's subdomain (hosts must include the zone apex): one per environment.
    if (hostnameOwner) new cloudflare.CertificatePack(
        `${name}-edge-cert`,
        {
            zoneId,
            type: "advanced",
            hosts: [cfg.domain, `*.${envDomain}`],
            certificateAuthority: "google",
            validationMethod: "txt",
            validityDays: 90,
            cloudflareBranding: false,
        },
        cf,
    );

    // --- Origin certificate: key → CSR → Cloudflare Origin CA → Key Vault.
    const originKey = new tls.PrivateKey(
        `${name}-origin-key`,
        KEY,
        // tls.PrivateKey has no keepers: the rotation date in config replaces the key, which replaces the CSR
        // (privateKeyPem forces a new CSR) and the certificate (csr forces a new Origin CA certificate).
        { parent, replacementTrigger: cfg.rotation },
    );
    const originCsr = new tls.CertRequest(
        `${name}-origin-csr`,
        {
            privateKeyPem: originKey.privateKeyPem,
            dnsNames: hosts,
            subject: { commonName: hosts[0], organization: "aiplatform", organizationalUnit: args.environment },
        },
        { parent, additionalSecretOutputs: PEM_SECRET.certRequest },
    );
    const originCert = new cloudflare.OriginCaCertificate(
        `${name}-origin-cert`,
        { csr: originCsr.certRequestPem, hostnames: hosts, requestType: "origin-ecc", requestedValidity: cfg.certValidityDays },
        // Deleting an Origin CA certificate revokes it. On rotation the old one would be revoked in the same update,
        // minutes before External Secrets hands NGINX the new one; keep it and revoke it by the runbook instead
        // (README, Edge: rotation), after the cluster serves the new certificate.
        { ...cf, additionalSecretOutputs: PEM_SECRET.origin, retainOnDelete: true },
    );

    const vaultTarget = { vaultName: args.vault.name, resourceGroupName: args.vault.resourceGroupName };
    const certSecret = vaultSecret(
        `${name}-origin-cert-secret`,
        { ...vaultTarget, secretName: EDGE_SECRET_NAMES.originCert, value: originCert.certificate, contentType: PEM_CONTENT_TYPE, expiresOn: secretsExpire },
        parent,
    );
    const keySecret = vaultSecret(
        `${name}-origin-key-secret`,
        { ...vaultTarget, secretName: EDGE_SECRET_NAMES.originKey, value: originKey.privateKeyPemPkcs8, contentType: PEM_CONTENT_TYPE, expiresOn: secretsExpire },
        parent,
    );

    // --- Authenticated Origin Pulls, per hostname, with our own client certificate.
    // The CA is long-lived and does NOT follow edge.rotation: NGINX trusts it, so replacing it together with the client
    // certificate would break origin pulls until External Secrets syncs the new CA. Rotating the client certificate
    // under a stable CA is hitless. Replacing the CA itself is the runbook's two-step procedure (README, Edge).
    const pullCaKey = new tls.PrivateKey(`${name}-origin-pull-ca-key`, KEY, { parent });
    const pullCa = new tls.SelfSignedCert(
        `${name}-origin-pull-ca`,
        {
            privateKeyPem: pullCaKey.privateKeyPem,
            isCaCertificate: true,
            // Outlives any client certificate it signs (certValidityDays is at most 15 years).
            validityPeriodHours: ORIGIN_PULL_CA_VALIDITY_HOURS,
            allowedUses: ["cert_signing", "crl_signing"],
            subject: { commonName: `aiplatform ${args.environment} origin-pull CA`, organization: "aiplatform" },
        },
        { parent, additionalSecretOutputs: PEM_SECRET.cert },
    );
    const pullClientKey = new tls.PrivateKey(`${name}-origin-pull-key`, KEY, { parent, replacementTrigger: cfg.rotation });
    const pullClientCsr = new tls.CertRequest(
        `${name}-origin-pull-csr`,
        { privateKeyPem: pullClientKey.privateKeyPem, subject: { commonName: `cloudflare-origin-pull.${envDomain}`, organization: "aiplatform" } },
        { parent, additionalSecretOutputs: PEM_SECRET.certRequest },
    );
    const pullClientCert = new tls.LocallySignedCert(
        `${name}-origin-pull-cert`,
        {
            certRequestPem: pullClientCsr.certRequestPem,
            caCertPem: pullCa.certPem,
            caPrivateKeyPem: pullCaKey.privateKeyPem,
            validityPeriodHours: validityHours,
            allowedUses: ["digital_signature", "client_auth"],
        },
        { parent, additionalSecretOutputs: PEM_SECRET.cert },
    );
    // Per-hostname origin pulls are hostname-level: with edge.traffic only the steering's owner uploads and binds them
    // (see README "Traffic steering" for what the other regions' NGINX must then trust).
    const hostnameCert = hostnameOwner
        ? new cloudflare.AuthenticatedOriginPullsHostnameCertificate(
              `${name}-origin-pull-upload`,
              { zoneId, certificate: pullClientCert.certPem, privateKey: pullClientKey.privateKeyPem },
              { ...cf, additionalSecretOutputs: ["certificate", "privateKey"] },
          )
        : undefined;
    (hostnameCert ? cfg.hostnames : []).forEach((label, i) => {
        new cloudflare.AuthenticatedOriginPulls(
            `${name}-origin-pull-${label}`,
            { zoneId, configs: [{ hostname: hosts[i], certId: hostnameCert!.id, enabled: true }] },
            // Cloudflare binds per-hostname AOP to a hostname of the zone: the record must exist first.
            { ...cf, dependsOn: [records.get(hosts[i])!] },
        );
    });
    // Same expiry as the origin certificate: for the long-lived CA it is a review date, moved on at every rotation.
    const pullCaSecret = vaultSecret(
        `${name}-origin-pull-ca-secret`,
        { ...vaultTarget, secretName: EDGE_SECRET_NAMES.originPullCa, value: pullCa.certPem, contentType: PEM_CONTENT_TYPE, expiresOn: secretsExpire },
        parent,
    );

    // --- The zone's security floor (zone-settings.ts), written by the zone's one owner (edge.zoneOwner).
    for (const s of cfg.zoneOwner ? ZONE_SETTINGS : []) {
        new cloudflare.ZoneSetting(
            `${name}-zone-${s.id.replace(/_/g, "-")}`,
            { zoneId, settingId: s.id, value: s.value },
            // Zone-wide: destroying the owning environment must not reset the zone the other environment still serves.
            { ...cf, retainOnDelete: true },
        );
    }

    // --- WAF and rate limiting: zone entry-point rulesets, owned by the one stack with edge.waf (see waf.ts).
    if (cfg.waf) {
        for (const r of wafRulesets(cfg.domain)) {
            new cloudflare.Ruleset(
                `${name}-${r.role}`,
                { zoneId, kind: "zone", phase: r.phase, name: r.name, description: r.description, rules: r.rules },
                cf,
            );
        }
    }

    // --- Internal hosts: `*.<env>` in the hub's private zone (network owns the zone and its VNet links) → the
    // internal ingress, so `<name>.<env>.<zone>` reaches nginx-internal; cert-manager's internal CA issues their certificates.
    new privatedns.PrivateRecordSet(
        `${name}-internal-wildcard`,
        {
            privateZoneName: args.internalDns.zoneName,
            resourceGroupName: args.internalDns.resourceGroupName,
            recordType: "A",
            relativeRecordSetName: `*.${args.environment}`,
            ttl: 300,
            aRecords: [{ ipv4Address: args.ingressInternalIp }],
        },
        { parent },
    );

    return {
        publicHostnames: hosts,
        internalDomain: pulumi.output(args.internalDns.zoneName).apply((z) => internalDomainOf(args.environment, z)),
        secretNames: EDGE_SECRET_NAMES,
        secretIds: { [EDGE_SECRET_NAMES.originCert]: certSecret.id, [EDGE_SECRET_NAMES.originKey]: keySecret.id, [EDGE_SECRET_NAMES.originPullCa]: pullCaSecret.id },
        originCertificateExpiresOn: originCert.expiresOn,
        secretsExpireOn: secretsExpire.toISOString(),
        originCertificateId: originCert.id,
    };
}

export class Edge extends pulumi.ComponentResource implements EdgeOutputs {
    public readonly publicHostnames: string[];
    public readonly internalDomain: pulumi.Output<string>;
    public readonly secretNames: typeof EDGE_SECRET_NAMES;
    public readonly secretIds: Record<string, pulumi.Output<string>>;
    public readonly originCertificateExpiresOn: pulumi.Output<string>;
    public readonly secretsExpireOn: string;
    public readonly originCertificateId: pulumi.Output<string>;

    constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:edge:Edge", name, {}, opts);
        const out = createEdge(name, args, this);
        this.publicHostnames = out.publicHostnames;
        this.internalDomain = out.internalDomain;
        this.secretNames = out.secretNames;
        this.secretIds = out.secretIds;
        this.originCertificateExpiresOn = out.originCertificateExpiresOn;
        this.secretsExpireOn = out.secretsExpireOn;
        this.originCertificateId = out.originCertificateId;
        this.registerOutputs({ ...out });
    }
}
