/**
 * Traffic steering between regions (issue 18): what the edge declares with `edge.traffic` (one mocked run of the
 * component for a load-balancer owner, a DNS-only owner and a non-owner region), the cross-stack rules, and
 * `pipeline failover` acting on exactly what that run declared, against a loopback Cloudflare API.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import type { SpokeConfig } from "../../config";
import { edgeZoneProblems } from "../../config/edge-zones";
import { templateStacks } from "../../tools/scale/region-set";
import { regionStackFiles } from "../../tools/scale/stack-set";
import { FakeCloudflare } from "../pipelines/cloudflare-fake";
import { FakeHost } from "../pipelines/fakes";
import { ROOT } from "../support/scratch";

interface Recorded {
    edge: string;
    type: string;
    name: string;
    inputs: Record<string, any>;
}
const recorded: Recorded[] = [];
pulumi.runtime.setMocks(
    {
        newResource(args) {
            recorded.push({ edge: args.name.split("-")[0], type: args.type, name: args.name, inputs: args.inputs });
            return { id: `${args.name}-id`, state: args.inputs };
        },
        call(args) {
            throw new Error(`unexpected call ${args.token}`);
        },
    },
    "aiplatform",
    "prd-uaenorth",
    true,
);

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const IP = { uaenorth: "192.0.2.10", swedencentral: "192.0.2.20" };
let root: string;
let cfgs: Record<string, SpokeConfig>;

/** Stack files of two regions (tools/scale/stack-set.ts), prd steered by a load balancer, stg DNS-only. */
function writeRepo(): void {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "aiplatform-traffic-"));
    fs.mkdirSync(path.join(root, "hub"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    fs.copyFileSync(path.join(ROOT, "hub/Pulumi.yaml"), path.join(root, "hub/Pulumi.yaml"));
    for (const f of regionStackFiles(templateStacks(ROOT, "uaenorth"), "uaenorth", ["uaenorth", "swedencentral"])) {
        const doc = YAML.parse(f.text);
        if (f.stack.startsWith("prd-")) Object.assign(doc.config["aiplatform:edge"].traffic, { loadBalancer: true, accountId: ACCOUNT });
        if (f.stack.startsWith("dev-")) delete doc.config["aiplatform:edge"].traffic; // dev: one region's steering missing
        fs.writeFileSync(path.join(root, f.file), YAML.stringify(doc));
    }
}

/** What `npm run plan` would export for the declared resources of one edge (type, name inputs), as failover reads it. */
function writePlan(dir: string, stack: string, edge: string): void {
    const resources = recorded.filter((r) => r.edge === edge).map((r) => ({ urn: `urn:pulumi:${stack}::aiplatform::${r.type}::${r.name}`, custom: true, type: r.type, inputs: r.inputs, outputs: {} }));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${stack}.json`), JSON.stringify({ version: 3, deployment: { resources } }));
}

beforeAll(async () => {
    writeRepo();
    // The edge block as the program reads it (schema defaults); the files' full validation is the plan's.
    const { spokeSchema } = await import("../../config/schema");
    const { namespaceValues, readStackConfig } = await import("../../config/stack-files");
    cfgs = Object.fromEntries(["prd-uaenorth", "stg-uaenorth"].map((s) => [s, { edge: spokeSchema.shape.edge.parse(namespaceValues(readStackConfig(`Pulumi.${s}.yaml`, root)).edge) } as SpokeConfig]));
    const { createEdge } = await import("../../components/edge");
    class Parent extends pulumi.ComponentResource {
        constructor(n: string) {
            super("test:index:Parent", n, {});
        }
    }
    const declare = (edge: string, env: "prd" | "stg", location: keyof typeof IP, config: SpokeConfig["edge"]) =>
        createEdge(
            edge,
            {
                environment: env,
                location,
                namePrefix: "aip",
                config: config!,
                apiToken: pulumi.secret("token"),
                ingressPublicIp: IP[location],
                ingressInternalIp: "10.30.1.100",
                vault: { name: `kv-aip-${env}`, resourceGroupName: `rg-aip-${env}` },
                internalDns: { zoneName: "internal.ai.contoso.com", resourceGroupName: "rg-aip-hub" },
            },
            new Parent(`${edge}-parent`),
        );
    declare("prdlb", "prd", "uaenorth", cfgs["prd-uaenorth"].edge);
    declare("prdse", "prd", "swedencentral", { ...cfgs["prd-uaenorth"].edge!, zoneOwner: false, waf: false, traffic: { ...cfgs["prd-uaenorth"].edge!.traffic!, owner: false } });
    declare("stgdns", "stg", "uaenorth", cfgs["stg-uaenorth"].edge);
    await new Promise((r) => setTimeout(r, 50));
    writePlan(path.join(root, ".plan"), "prd-uaenorth", "prdlb");
    writePlan(path.join(root, ".plan"), "stg-uaenorth", "stgdns");
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const of = (edge: string, type: string) => recorded.filter((r) => r.edge === edge && r.type === `cloudflare:index/${type}`);

describe("steering declared by the edge", () => {
    it("load balancer (owner): a monitor on the health path, one pool per region on its DNS-only origin name, failover order as configured", () => {
        expect(of("prdlb", "loadBalancerMonitor:LoadBalancerMonitor").map((r) => r.inputs)).toEqual([
            expect.objectContaining({ accountId: ACCOUNT, type: "https", path: "/healthz", expectedCodes: "200", header: { Host: ["api.prd.ai.contoso.com"] } }),
        ]);
        const pools = of("prdlb", "loadBalancerPool:LoadBalancerPool").map((r) => r.inputs);
        expect(pools.map((p) => [p.name, p.origins])).toEqual([
            ["aip-prd-uaenorth-api", [{ name: "uaenorth", address: "api.uaenorth.prd.ai.contoso.com", enabled: true, header: { hosts: ["api.prd.ai.contoso.com"] } }]],
            ["aip-prd-swedencentral-api", [{ name: "swedencentral", address: "api.swedencentral.prd.ai.contoso.com", enabled: true, header: { hosts: ["api.prd.ai.contoso.com"] } }]],
        ]);
        expect(of("prdlb", "loadBalancer:LoadBalancer").map((r) => r.inputs)).toEqual([
            expect.objectContaining({ name: "api.prd.ai.contoso.com", steeringPolicy: "off", proxied: true, defaultPools: ["prdlb-pool-uaenorth-api-id", "prdlb-pool-swedencentral-api-id"], fallbackPool: "prdlb-pool-swedencentral-api-id" }),
        ]);
        // The public host is the load balancer's: the only record is this region's origin name, DNS-only on its ingress IP.
        expect(of("prdlb", "dnsRecord:DnsRecord").map((r) => r.inputs)).toEqual([expect.objectContaining({ name: "api.uaenorth.prd.ai.contoso.com", type: "A", content: IP.uaenorth, proxied: false })]);
        // The WAF/rate-limit rulesets stay with the zone's owner, unchanged.
        expect(of("prdlb", "ruleset:Ruleset").map((r) => r.inputs.phase).sort()).toEqual(["http_ratelimit", "http_request_firewall_managed"]);
    });

    it("another region of the environment declares its origin name only: no public record, steering, edge certificate, origin-pull binding or WAF", () => {
        const types = recorded.filter((r) => r.edge === "prdse" && r.type.startsWith("cloudflare:index/")).map((r) => r.type.split(":").pop());
        expect(types.sort()).toEqual(["DnsRecord", "OriginCaCertificate"]);
        expect(of("prdse", "dnsRecord:DnsRecord")[0].inputs).toMatchObject({ name: "api.swedencentral.prd.ai.contoso.com", content: IP.swedencentral, proxied: false });
    });

    it("DNS-only failover (no add-on): a proxied CNAME to the first region's origin name and a health check per region", () => {
        expect(of("stgdns", "dnsRecord:DnsRecord").map((r) => [r.inputs.name, r.inputs.type, r.inputs.content, r.inputs.proxied])).toEqual([
            ["api.uaenorth.stg.ai-nonprod.contoso.com", "A", IP.uaenorth, false],
            ["api.stg.ai-nonprod.contoso.com", "CNAME", "api.uaenorth.stg.ai-nonprod.contoso.com", true],
        ]);
        expect(of("stgdns", "healthcheck:Healthcheck").map((r) => [r.inputs.name, r.inputs.address, r.inputs.httpConfig.header])).toEqual([
            ["aip-stg-uaenorth-api", "api.uaenorth.stg.ai-nonprod.contoso.com", { Host: ["api.stg.ai-nonprod.contoso.com"] }],
            ["aip-stg-swedencentral-api", "api.swedencentral.stg.ai-nonprod.contoso.com", { Host: ["api.stg.ai-nonprod.contoso.com"] }],
        ]);
        expect(of("stgdns", "loadBalancer:LoadBalancer")).toEqual([]);
    });
});

describe("steering rules across stack files", () => {
    const edge = { zoneId: "z", domain: "ai.contoso.com" };
    const stack = (file: string, location: string, traffic?: Record<string, unknown>) => ({ file, environment: "prd", location, edge: { ...edge, traffic } });
    const steer = { regions: ["uaenorth", "swedencentral"] };
    it("two regions of one environment in one zone without edge.traffic would write the same records", () => {
        expect(edgeZoneProblems(stack("a.yaml", "uaenorth"), [stack("b.yaml", "swedencentral")]).map((p) => p.message)).toEqual([expect.stringMatching(/^b\.yaml also serves prd in zone z: both would write the same public records/)]);
    });
    it("every region lists the same regions, one owner, its own region included, an account id with the load balancer", () => {
        const problems = (self: ReturnType<typeof stack>, others: ReturnType<typeof stack>[]) => edgeZoneProblems(self, others).map((p) => `${p.path.join(".")}: ${p.message}`);
        expect(problems(stack("a.yaml", "uaenorth", { ...steer, owner: true }), [stack("b.yaml", "swedencentral", { ...steer, owner: false })])).toEqual([]);
        expect(problems(stack("a.yaml", "uaenorth", { ...steer, owner: true }), [stack("b.yaml", "swedencentral", { ...steer, owner: true })])).toEqual([expect.stringMatching(/^edge\.traffic\.owner: .*already owned by b\.yaml/)]);
        expect(problems(stack("a.yaml", "uaenorth", { regions: ["swedencentral", "uaenorth"] }), [stack("b.yaml", "swedencentral", steer)])).toEqual([expect.stringMatching(/^edge\.traffic: differs from b\.yaml's/)]);
        expect(problems(stack("a.yaml", "westeurope", steer), [])).toEqual([expect.stringMatching(/^edge\.traffic\.regions: must include this stack's own region westeurope/)]);
        expect(problems(stack("a.yaml", "uaenorth", { ...steer, loadBalancer: true }), [])).toEqual([expect.stringMatching(/^edge\.traffic\.accountId: is required with loadBalancer: true/)]);
    });
});

describe("npm run pipeline -- failover", () => {
    const TOKEN = "cf-test-token";
    let cf: FakeCloudflare;
    beforeEach(async () => {
        cf = new FakeCloudflare(TOKEN);
        await cf.start();
        cf.state.pools = [
            { id: "pool-uae", name: "aip-prd-uaenorth-api", enabled: true, healthy: false },
            { id: "pool-sdc", name: "aip-prd-swedencentral-api", enabled: true, healthy: true },
        ];
        cf.state.loadBalancers = [{ id: "lb-1", name: "api.prd.ai.contoso.com", default_pools: ["pool-uae", "pool-sdc"], fallback_pool: "pool-sdc" }];
        cf.state.healthchecks = [
            { id: "hc-1", name: "aip-stg-uaenorth-api", status: "unhealthy" },
            { id: "hc-2", name: "aip-stg-swedencentral-api", status: "healthy" },
        ];
        cf.state.records = [{ id: "rec-1", name: "api.stg.ai-nonprod.contoso.com", type: "CNAME", content: "api.uaenorth.stg.ai-nonprod.contoso.com" }];
    });
    afterEach(() => cf.stop());

    const run = async (args: string[], env: Record<string, string> = { CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_API_BASE: cf.base }) => {
        const { main } = await import("../../automation/cli");
        const host = new FakeHost({ env });
        const code = await main(["failover", ...args], { host, root, workspace: () => { throw new Error("failover must not open a Pulumi workspace"); } });
        return { code, host };
    };

    it("dry run without a token: the steps against the plan's objects, nothing touched", async () => {
        const { code, host } = await run(["--from", "uaenorth", "--to", "swedencentral"], {});
        expect(code).toBe(0);
        expect(host.output).toContain(`failover prd: uaenorth → swedencentral (Cloudflare load balancer; steering owned by prd-uaenorth, plan ${path.join(root, ".plan", "prd-uaenorth.json")})`);
        expect(host.output).toContain("1. check swedencentral is healthy: load-balancer pool(s) aip-prd-swedencentral-api");
        expect(host.output).toContain("2. load balancer api.prd.ai.contoso.com: default pools [aip-prd-uaenorth-api, aip-prd-swedencentral-api] → [aip-prd-swedencentral-api, aip-prd-uaenorth-api]");
        expect(host.output).toContain("3. aiplatform:edge.traffic.regions [uaenorth, swedencentral] → [swedencentral, uaenorth] in Pulumi.prd-swedencentral.yaml, Pulumi.prd-uaenorth.yaml");
        expect(host.output).toMatch(/dry run: nothing changed; swedencentral's health not checked/);
        expect(cf.requests).toEqual([]);
        expect(host.written.size).toBe(0);
    });

    it("--apply: checks the target pool's health, puts it first on the load balancer, writes the order into both regions' stack files", async () => {
        const { code, host } = await run(["--from", "uaenorth", "--to", "swedencentral", "--apply"]);
        expect(host.errors).toBe("");
        expect(code).toBe(0);
        expect(cf.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
            `GET /accounts/${ACCOUNT}/load_balancers/pools`,
            `GET /accounts/${ACCOUNT}/load_balancers/pools/pool-sdc/health`,
            `GET /accounts/${ACCOUNT}/load_balancers/pools`,
            `GET /zones/${cfgs["prd-uaenorth"].edge!.zoneId}/load_balancers`,
            `PATCH /zones/${cfgs["prd-uaenorth"].edge!.zoneId}/load_balancers/lb-1`,
        ]);
        expect(cf.state.loadBalancers[0].default_pools).toEqual(["pool-sdc", "pool-uae"]);
        for (const f of ["Pulumi.prd-uaenorth.yaml", "Pulumi.prd-swedencentral.yaml"]) {
            expect(YAML.parse(host.written.get(path.join(root, f))!).config["aiplatform:edge"].traffic.regions).toEqual(["swedencentral", "uaenorth"]);
        }
        expect(cf.problems).toEqual([]);
    });

    it("refuses (exit 15) when the target is not healthy, and changes nothing", async () => {
        cf.state.pools[1].healthy = false;
        const { code, host } = await run(["--from", "uaenorth", "--to", "swedencentral", "--apply"]);
        expect(code).toBe(15);
        expect(host.errors).toContain("pipeline: failover refused: pool aip-prd-swedencentral-api is not healthy (api.swedencentral.prd.ai.contoso.com/healthz)");
        expect(cf.requests.filter((r) => r.method !== "GET")).toEqual([]);
        expect(host.written.size).toBe(0);
    });

    it("DNS-only (stg): the target's health check must be healthy, then the failover CNAME moves", async () => {
        const { code } = await run(["--env", "stg", "--from", "uaenorth", "--to", "swedencentral", "--apply"]);
        expect(code).toBe(0);
        expect(cf.state.records[0].content).toBe("api.swedencentral.stg.ai-nonprod.contoso.com");
        expect(cf.problems).toEqual([]);
    });

    it.each([
        ["a region outside the steering", ["--from", "uaenorth", "--to", "westeurope"], 2, /--to 'westeurope' is not a region of prd's steering \(Pulumi\.prd-uaenorth\.yaml: aiplatform:edge\.traffic\.regions = \[uaenorth, swedencentral\]\)/],
        ["--to where users already go", ["--from", "swedencentral", "--to", "uaenorth"], 2, /prd already sends users to uaenorth first \(Pulumi\.prd-uaenorth\.yaml: .*\): nothing to fail over/],
        ["no --to", ["--from", "uaenorth"], 2, /failover needs both --from <region> and --to <region>/],
        ["an unknown environment", ["--env", "qa", "--from", "uaenorth", "--to", "swedencentral"], 2, /--env 'qa' is not an environment; one of: dev, stg, prd/],
        ["an environment in one region", ["--env", "dev", "--from", "uaenorth", "--to", "swedencentral"], 2, /no stack file steers dev between regions/],
        ["no plan", ["--from", "uaenorth", "--to", "swedencentral", "--plan-dir", "/nonexistent"], 2, /no plan of prd-uaenorth in \/nonexistent: run npm run plan -- --stack prd-uaenorth first/],
    ])("%s: exit %s with one line", async (_, args, exit, message) => {
        const { code, host } = await run(args as string[]);
        expect(code).toBe(exit);
        expect(host.errors).toMatch(message as RegExp);
        expect(host.errors).not.toMatch(/\n\s+at /);
    });

    it("a rejected token exits 16 without printing it", async () => {
        const { code, host } = await run(["--from", "uaenorth", "--to", "swedencentral", "--apply"], { CLOUDFLARE_API_TOKEN: "wrong-token", CLOUDFLARE_API_BASE: cf.base });
        expect(code).toBe(16);
        expect(host.errors).toMatch(/Cloudflare API: GET \/accounts\/[0-9a-f]+\/load_balancers\/pools: rejected the token \(HTTP 403\)/);
        expect(host.errors).not.toContain("wrong-token");
    });
});
