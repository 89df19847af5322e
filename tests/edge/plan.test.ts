/**
 * The edge in each spoke's offline plan (the real program, real stack config; .plan-test/ from jest's globalSetup):
 * DNS records on the network's public IP output, the certificate chain key → CSR → Origin CA → Key Vault with no
 * plaintext anywhere, zone settings, origin pulls, WAF ownership, the explicit provider, the NSG's Cloudflare-only
 * 443 rule, the internal record and the certificates report.
 */
import * as fs from "fs";
import * as path from "path";
import { cloudflareIpv4Ranges } from "../../components/edge/cloudflare-ips";
import { EDGE_SECRET_NAMES, originHostname, publicHostnames } from "../../components/edge/names";
import { ZONE_SETTINGS } from "../../components/edge/zone-settings";
import { expiryFrom } from "../../components/secrets/vault-secret";
import { validateSpokeConfig } from "../../config";
import type { SpokeConfig } from "../../config/schema";
import { namespaceValues, readStackConfig } from "../../config/stack-files";
import type { ExportResource } from "../../tools/plan/export";
import { loadPlan, loadSummary, ofType, one, PLAN_DIR, resources, SPOKES, stackOutputs } from "../support/plan";

const SIG = "4dabf18193072939515e22adb298388d";
const isSecret = (v: any) => v && typeof v === "object" && v[SIG] === "1b47061264138c4ac30d75fd1eb44270";
const nameOf = (r: ExportResource) => r.urn.split("::").pop()!;

function configOf(stack: string): SpokeConfig {
    const file = `Pulumi.${stack}.yaml`;
    return validateSpokeConfig(stack, file, namespaceValues(readStackConfig(file)));
}

describe.each(SPOKES)("%s: edge in the plan", (stack) => {
    const cfg = configOf(stack);
    const edge = cfg.edge!;
    const hosts = publicHostnames(cfg.environment, edge);
    const cf = () => resources(stack).filter((r) => r.type.startsWith("cloudflare:"));
    const byName = (type: string, name: string) => one(stack, type, name);

    it("is one Edge component under the stack", () => {
        const comp = one(stack, "aiplatform:edge:Edge", "edge");
        expect(comp.parent).toMatch(/pulumi:pulumi:Stack::/);
        for (const r of cf()) expect(r.parent).toBe(comp.urn);
    });

    it("uses only its explicit Cloudflare provider, whose token input is a secret", () => {
        const provider = one(stack, "pulumi:providers:cloudflare", "edge-cloudflare");
        expect(isSecret(provider.inputs.apiToken)).toBe(true);
        expect(cf().length).toBeGreaterThan(edge.zoneOwner ? 10 : 3);
        for (const r of cf()) expect(r.provider).toBe(`${provider.urn}::${provider.id}`);
        expect(ofType(stack, "pulumi:providers:cloudflare")).toHaveLength(1);
    });

    it("publishes each host as an A record on the network's public ingress IP output (proxied; with traffic steering, the region's DNS-only origin name)", () => {
        const pip = resources(stack).filter((r) => r.type === "azure-native:network:PublicIPAddress" && /ingress/.test(nameOf(r)));
        expect(pip).toHaveLength(1);
        const records = ofType(stack, "cloudflare:index/dnsRecord:DnsRecord").filter((r) => r.inputs.type === "A");
        const steered = edge.traffic !== undefined;
        const names = steered ? edge.hostnames.map((l) => originHostname(l, cfg.location, cfg.environment, edge.domain)) : hosts;
        expect(records.map((r) => r.inputs.name).sort()).toEqual([...names].sort());
        for (const r of records) {
            // a DNS-only origin name carries a real TTL (60 s: failover moves quickly); a proxied record is "automatic" (1)
            expect(r.inputs).toMatchObject({ zoneId: edge.zoneId, type: "A", proxied: !steered, ttl: steered ? 60 : 1 });
            expect(r.inputs.content).toBe(pip[0].outputs.ipAddress);
            // Not a literal: the value flows from the network's public IP resource.
            expect(r.propertyDependencies?.content?.some((d) => d.startsWith(pip[0].urn.split("::").slice(0, 3).join("::")))).toBe(true);
        }
    });

    it("issues the edge certificate for the environment's subdomain", () => {
        const pack = byName("cloudflare:index/certificatePack:CertificatePack", "edge-edge-cert");
        expect(pack.inputs).toMatchObject({ zoneId: edge.zoneId, type: "advanced", hosts: [edge.domain, `*.${cfg.environment}.${edge.domain}`] });
    });

    it("chains key → CSR → Origin CA certificate, ECDSA P-256, replaced when edge.rotation changes", () => {
        const key = byName("tls:index/privateKey:PrivateKey", "edge-origin-key");
        expect(key.inputs).toMatchObject({ algorithm: "ECDSA", ecdsaCurve: "P256" });
        expect(key.replacementTrigger).toBe(edge.rotation);
        const csr = byName("tls:index/certRequest:CertRequest", "edge-origin-csr");
        expect(isSecret(csr.inputs.privateKeyPem)).toBe(true);
        expect(csr.propertyDependencies?.privateKeyPem).toEqual([key.urn]);
        expect(csr.inputs.dnsNames).toEqual(hosts);
        const cert = byName("cloudflare:index/originCaCertificate:OriginCaCertificate", "edge-origin-cert");
        expect(cert.inputs).toMatchObject({ hostnames: hosts, requestType: "origin-ecc", requestedValidity: edge.certValidityDays });
        expect(isSecret(cert.inputs.csr)).toBe(true);
        expect(cert.propertyDependencies?.csr).toEqual([csr.urn]);
        expect(isSecret(cert.outputs.certificate)).toBe(true);
        expect(cert.retainOnDelete).toBe(true);
    });

    it("stores certificate and key in the spoke's Key Vault as PEM secrets expiring at rotation + validity", () => {
        const vault = ofType(stack, "azure-native:keyvault:Vault");
        expect(vault).toHaveLength(1);
        const expires = Math.floor(expiryFrom(edge.rotation, edge.certValidityDays).getTime() / 1000);
        const sources: Record<string, string> = {
            [EDGE_SECRET_NAMES.originCert]: byName("cloudflare:index/originCaCertificate:OriginCaCertificate", "edge-origin-cert").urn,
            [EDGE_SECRET_NAMES.originKey]: byName("tls:index/privateKey:PrivateKey", "edge-origin-key").urn,
            [EDGE_SECRET_NAMES.originPullCa]: byName("tls:index/selfSignedCert:SelfSignedCert", "edge-origin-pull-ca").urn,
        };
        for (const [secretName, source] of Object.entries(sources)) {
            const s = ofType(stack, "azure-native:keyvault:Secret").find((r) => r.inputs.secretName === secretName)!;
            expect(s).toBeDefined();
            expect(s.inputs.vaultName).toBe(vault[0].outputs.name);
            const props = s.inputs.properties as any;
            expect(isSecret(props.value)).toBe(true);
            expect(props.contentType).toBe("application/x-pem-file");
            expect(props.attributes).toEqual({ enabled: true, expires });
            expect(s.propertyDependencies?.properties).toContain(source);
        }
    });

    it("lets no private key, certificate, CSR or token reach the plan JSON or the printed plan", () => {
        const json = fs.readFileSync(path.join(PLAN_DIR, `${stack}.json`), "utf8");
        const log = fs.readFileSync(path.join(PLAN_DIR, "cli.log"), "utf8");
        // The keys' public halves (publicKeyPem) are public by definition; every other PEM block is a secret.
        expect(json).toMatch(/-----BEGIN PUBLIC KEY-----/);
        for (const text of [json, log]) {
            expect(text).not.toMatch(/-----BEGIN (?!PUBLIC KEY-----)/);
            expect(text).not.toContain("no Cloudflare API token was supplied");
        }
        expect(JSON.stringify(stackOutputs(stack))).not.toMatch(/BEGIN|PRIVATE/);
    });

    it("the zone's owner sets its security floor, retained when the environment is destroyed; others leave the zone alone", () => {
        const settings = ofType(stack, "cloudflare:index/zoneSetting:ZoneSetting");
        if (!edge.zoneOwner) {
            expect(settings).toEqual([]);
            return;
        }
        expect(Object.fromEntries(settings.map((s) => [s.inputs.settingId, s.inputs.value]))).toEqual(Object.fromEntries(ZONE_SETTINGS.map((s) => [s.id, s.value])));
        expect(Object.fromEntries(settings.map((s) => [s.inputs.settingId, s.inputs.value]))).toMatchObject({
            ssl: "strict",
            min_tls_version: "1.2",
            always_use_https: "on",
            security_header: { strict_transport_security: { enabled: true, max_age: 31536000, include_subdomains: true } },
        });
        for (const s of settings) {
            expect(s.inputs.zoneId).toBe(edge.zoneId);
            expect(s.retainOnDelete).toBe(true);
        }
    });

    it("turns on Authenticated Origin Pulls per host with the uploaded client certificate of its own CA", () => {
        const upload = byName("cloudflare:index/authenticatedOriginPullsHostnameCertificate:AuthenticatedOriginPullsHostnameCertificate", "edge-origin-pull-upload");
        expect(isSecret(upload.inputs.privateKey)).toBe(true);
        const client = byName("tls:index/locallySignedCert:LocallySignedCert", "edge-origin-pull-cert");
        expect(client.inputs.allowedUses).toEqual(["digital_signature", "client_auth"]);
        expect(upload.propertyDependencies?.certificate).toEqual([client.urn]);
        expect(byName("tls:index/privateKey:PrivateKey", "edge-origin-pull-key").replacementTrigger).toBe(edge.rotation);
        // The CA stays across rotations (NGINX trusts it), so only the client certificate is replaced.
        expect(byName("tls:index/privateKey:PrivateKey", "edge-origin-pull-ca-key").replacementTrigger).toBeUndefined();
        const aop = ofType(stack, "cloudflare:index/authenticatedOriginPulls:AuthenticatedOriginPulls");
        expect(aop.map((a) => (a.inputs.configs as any[])[0].hostname).sort()).toEqual([...hosts].sort());
        for (const a of aop) {
            expect((a.inputs.configs as any[])[0]).toMatchObject({ enabled: true, certId: upload.id });
            expect(a.propertyDependencies?.configs).toContain(upload.urn);
        }
    });

    it(`runs the zone's WAF and rate limiting only where edge.waf is set (${edge.waf ? "here" : "not here"})`, () => {
        const rulesets = ofType(stack, "cloudflare:index/ruleset:Ruleset");
        if (!edge.waf) return expect(rulesets).toEqual([]);
        expect(rulesets.map((r) => r.inputs.phase).sort()).toEqual(["http_ratelimit", "http_request_firewall_managed"]);
        const managed = rulesets.find((r) => r.inputs.phase === "http_request_firewall_managed")!;
        expect((managed.inputs.rules as any[]).map((r) => r.actionParameters.id)).toEqual(["efb7b8c949ac4650a09736fc376e9aee", "4814384a9e5d4991b9815dcfc25d2f1f"]);
        for (const r of rulesets) expect(r.inputs).toMatchObject({ zoneId: edge.zoneId, kind: "zone" });
    });

    it("admits 443 on the public ingress subnet only from Cloudflare's ranges", () => {
        const nsg = ofType(stack, "azure-native:network:NetworkSecurityGroup").find((n) => (n.inputs.securityRules as any[] | undefined)?.some((r) => r.name === "allow-cloudflare-https"));
        expect(nsg).toBeDefined();
        const inboundAllows = (nsg!.inputs.securityRules as any[]).filter((r) => r.direction === "Inbound" && r.access === "Allow");
        const cfRule = inboundAllows.find((r) => r.name === "allow-cloudflare-https");
        expect(cfRule).toMatchObject({ protocol: "Tcp", destinationPortRange: "443", sourceAddressPrefixes: cloudflareIpv4Ranges() });
        // Every other inbound allow is from inside (the VNet/pods) or Azure's probes, never from the Internet.
        const inside = new Set([cfg.network.addressSpace, cfg.network.podCidr, "AzureLoadBalancer", "VirtualNetwork"]);
        for (const r of inboundAllows.filter((x) => x !== cfRule)) {
            const sources: string[] = r.sourceAddressPrefixes ?? [r.sourceAddressPrefix];
            expect(sources.every((s) => inside.has(s))).toBe(true);
        }
    });

    it("points *.<env> of the hub's internal zone at the internal ingress IP", () => {
        const rec = byName("azure-native:privatedns:PrivateRecordSet", "edge-internal-wildcard");
        expect(rec.inputs).toMatchObject({ recordType: "A", relativeRecordSetName: `*.${cfg.environment}`, ttl: 300 });
        expect(rec.inputs.aRecords).toEqual([{ ipv4Address: stackOutputs(stack).ingressInternalIp }]);
        const hubZones = stackOutputs("hub-uaenorth").privateDnsZoneNames;
        expect(rec.inputs.privateZoneName).toBe(hubZones.internal);
    });

    it("exports names and dates only", () => {
        const out = stackOutputs(stack).edge;
        expect(out).toMatchObject({ hostnames: hosts, secretNames: EDGE_SECRET_NAMES, secretsExpireOn: expiryFrom(edge.rotation, edge.certValidityDays).toISOString() });
        expect(out.internalDomain).toBe(`${cfg.environment}.${stackOutputs("hub-uaenorth").privateDnsZoneNames.internal}`);
    });

    it("the certificates report counts the days to expiry from the plan's now", () => {
        const rep = loadSummary().stacks.find((s) => s.stack === stack)!.reports.find((r) => r.title.startsWith("certificates"))!;
        expect(rep.failures).toBe(0);
        const now = Date.parse(loadPlan(stack).deployment.manifest.time);
        const expected = Math.floor((expiryFrom(edge.rotation, edge.certValidityDays).getTime() - now) / 86_400_000);
        expect(rep.data).toEqual([expect.objectContaining({ hosts, validityDays: edge.certValidityDays, daysToExpiry: expected })]);
        expect(rep.lines.join("\n")).toContain(`${expected} days to expiry`);
    });
});

describe("the hub has no edge", () => {
    it("declares no Cloudflare resources", () => {
        expect(resources("hub-uaenorth").filter((r) => r.type.startsWith("cloudflare:") || r.type === "pulumi:providers:cloudflare")).toEqual([]);
    });
});
