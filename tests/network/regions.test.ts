/**
 * Multi-region address plan (issue 18): every region has its own block, holding its hub and every spoke block its
 * hub allocates, and no address of any stack of any region overlaps another's — read from every stack file of the
 * repository with the config's own CIDR library (ipaddr.js).
 */
import { type Cidr, contains, overlaps, parseCidr } from "../../config/address-plan";
import { listStacks, namespaceValues, readStackConfig } from "../../config/stack-files";
import { ConfigError, validateHubConfig } from "../../config";
import { hubProblems } from "../support/config";

const cidr = (text: string) => parseCidr(text) as Cidr;
const stacks = listStacks().map((sf) => ({ sf, values: namespaceValues(readStackConfig(sf.file)) as Record<string, any> }));
const hubs = stacks.filter((s) => s.sf.kind === "hub");

describe("address plan across regions", () => {
    test("there are at least two regions, each with its hub and a prd spoke", () => {
        const regions = hubs.map((h) => h.values.location);
        expect(regions.length).toBeGreaterThanOrEqual(2);
        for (const r of regions) expect(stacks.some((s) => s.sf.stack === `prd-${r}`)).toBe(true);
    });

    test("each region's block holds its hub VNet and every spoke block its hub allocates; region blocks are disjoint", () => {
        const blocks = hubs.map((h) => ({ hub: h.sf.stack, block: cidr(h.values.network.regionBlock) }));
        for (const { values } of hubs) {
            const block = cidr(values.network.regionBlock);
            for (const text of [values.network.addressSpace, ...Object.values<string>(values.spokes)]) expect([block.text, contains(block, cidr(text))]).toEqual([block.text, true]);
        }
        for (let i = 0; i < blocks.length; i++) for (let j = i + 1; j < blocks.length; j++) expect([blocks[i].hub, blocks[j].hub, overlaps(blocks[i].block, blocks[j].block)]).toEqual([blocks[i].hub, blocks[j].hub, false]);
    });

    test("no VNet of any stack of any region overlaps another, and overlay ranges touch none", () => {
        const vnets = stacks.map((s) => ({ file: s.sf.file, c: cidr(s.values.network.addressSpace) }));
        for (let i = 0; i < vnets.length; i++) {
            for (let j = i + 1; j < vnets.length; j++) expect([vnets[i].file, vnets[j].file, overlaps(vnets[i].c, vnets[j].c)]).toEqual([vnets[i].file, vnets[j].file, false]);
        }
        for (const s of stacks.filter((x) => x.sf.kind === "spoke")) {
            for (const r of [s.values.network.podCidr, s.values.network.serviceCidr]) for (const v of vnets) expect(overlaps(cidr(r), v.c)).toBe(false);
        }
    });

    test("a spoke's VNet lies in its own hub's region block", () => {
        for (const s of stacks.filter((x) => x.sf.kind === "spoke")) {
            const hub = hubs.find((h) => s.values.hubStack.endsWith(`/${h.sf.stack}`))!;
            expect(hub.values.location).toBe(s.values.location);
            expect(contains(cidr(hub.values.network.regionBlock), cidr(s.values.network.addressSpace))).toBe(true);
        }
    });
});

describe("region block rules", () => {
    test("a region block that overlaps another hub's is refused, naming that file", () => {
        expect(hubProblems((r) => (r.network.regionBlock = "10.32.0.0/12"))).toEqual(
            expect.arrayContaining([expect.stringMatching(/aiplatform:network\.regionBlock = "10\.32\.0\.0\/12": \(10\.32\.0\.0\/12\) does not contain aiplatform:network\.addressSpace/)]),
        );
        expect(hubProblems((r) => (r.network.regionBlock = "10.0.0.0/10")).join("\n")).toMatch(/overlaps aiplatform:network\.regionBlock of hub\/Pulumi\.hub-swedencentral\.yaml \(10\.32\.0\.0\/11\)/);
    });
    test("a spoke block outside the region block is refused", () => {
        expect(hubProblems((r) => (r.spokes["prd-uaenorth"] = "10.40.0.0/16")).join("\n")).toMatch(/does not contain aiplatform:spokes\.prd-uaenorth \(10\.40\.0\.0\/16\)/);
    });
    test("with a second hub in the repository, a hub without a region block is refused", () => {
        expect(hubProblems((r) => delete r.network.regionBlock).join("\n")).toMatch(/aiplatform:network\.regionBlock.*is required: hub\/Pulumi\.hub-swedencentral\.yaml also define a hub/);
    });
});

describe("shared private DNS: exactly one hub owns the privatelink zones", () => {
    const sweden = () => namespaceValues(readStackConfig("hub/Pulumi.hub-swedencentral.yaml")) as Record<string, any>;
    const swedenProblems = (mutate: (r: Record<string, any>) => void) => {
        const raw = sweden();
        mutate(raw);
        try {
            validateHubConfig("hub-swedencentral", "hub/Pulumi.hub-swedencentral.yaml", raw);
            return [];
        } catch (e) {
            return (e as ConfigError).messages;
        }
    };
    test("the committed hubs agree: hub-swedencentral names hub-uaenorth, which owns them", () => {
        expect(swedenProblems(() => {})).toEqual([]);
        expect(sweden().privateDnsZonesHub).toBe("hub-uaenorth");
    });
    test("two owners are refused, naming the other hub's file", () => {
        expect(swedenProblems((r) => delete r.privateDnsZonesHub).join("\n")).toMatch(/aiplatform:privateDnsZonesHub.*is unset here and in hub\/Pulumi\.hub-uaenorth\.yaml/);
    });
    test("naming a hub that does not own the zones is refused", () => {
        expect(hubProblems((r) => (r.privateDnsZonesHub = "hub-swedencentral")).join("\n")).toMatch(/names no hub that owns the zones \(owners: none\)/);
    });
});
