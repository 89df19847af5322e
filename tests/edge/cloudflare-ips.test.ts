/**
 * The vendored Cloudflare ranges: well-formed, one family each, no overlaps, and fresh. Freshness is measured at the
 * commit's date (tests/support/clock.ts), so a commit made after the horizon fails until the list is refreshed
 * (README, Edge: "Cloudflare ranges refresh") while an older checkout keeps passing on any day.
 */
import {
    CLOUDFLARE_IPS_MAX_AGE_DAYS,
    CLOUDFLARE_IPS_SOURCE,
    cloudflareIpv4Ranges,
    cloudflareIpv6Ranges,
    cloudflareRangesAgeDays,
    isCloudflareAddress,
    rangeProblems,
} from "../../components/edge/cloudflare-ips";
import { freshnessNow } from "../support/clock";

describe("Cloudflare published ranges (components/edge/cloudflare-ips.ts)", () => {
    it(`were compared with the published list less than ${CLOUDFLARE_IPS_MAX_AGE_DAYS} days ago`, () => {
        const age = cloudflareRangesAgeDays(freshnessNow());
        if (age > CLOUDFLARE_IPS_MAX_AGE_DAYS || age < 0) {
            throw new Error(
                `config/upstream/cloudflare-ips.ts was retrieved on ${CLOUDFLARE_IPS_SOURCE.retrieved} (${age} days ago; allowed ${CLOUDFLARE_IPS_MAX_AGE_DAYS}): ` +
                    `compare it with ${CLOUDFLARE_IPS_SOURCE.endpoints.join(" and ")}, update the lists and 'retrieved', then run npx tsx tools/gitops/generate.ts`,
            );
        }
    });

    it("name their source", () => {
        expect(CLOUDFLARE_IPS_SOURCE.source).toMatch(/^https:\/\/www\.cloudflare\.com\/ips/);
        expect(CLOUDFLARE_IPS_SOURCE.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    });

    it("are canonical, non-overlapping CIDRs of the right family", () => {
        expect(cloudflareIpv4Ranges().length).toBeGreaterThan(10);
        expect(cloudflareIpv6Ranges().length).toBeGreaterThan(5);
        expect(rangeProblems(cloudflareIpv4Ranges(), "ipv4")).toEqual([]);
        expect(rangeProblems(cloudflareIpv6Ranges(), "ipv6")).toEqual([]);
    });

    it("the range checker catches host bits, overlaps, duplicates and the wrong family", () => {
        expect(rangeProblems(["10.0.0.1/8"], "ipv4")).toEqual(["10.0.0.1/8: host bits set (network is 10.0.0.0/8)"]);
        expect(rangeProblems(["104.16.0.0/13", "104.20.0.0/16"], "ipv4")).toEqual(["104.16.0.0/13 and 104.20.0.0/16 overlap"]);
        expect(rangeProblems(["1.1.1.0/24", "1.1.1.0/24"], "ipv4")).toEqual(["1.1.1.0/24: listed twice"]);
        expect(rangeProblems(["2606:4700::/32"], "ipv4")).toEqual(["2606:4700::/32: not ipv4"]);
        expect(rangeProblems(["nonsense"], "ipv4")).toEqual(["nonsense: not a CIDR"]);
    });

    it("callers get copies, not the vendored arrays", () => {
        const a = cloudflareIpv4Ranges();
        a.push("0.0.0.0/0");
        expect(cloudflareIpv4Ranges()).not.toContain("0.0.0.0/0");
    });

    it("classifies addresses", () => {
        expect(isCloudflareAddress("104.16.1.1")).toBe(true);
        expect(isCloudflareAddress("2606:4700::1111")).toBe(true);
        expect(isCloudflareAddress("20.46.1.1")).toBe(false);
        expect(isCloudflareAddress("8.8.8.8")).toBe(false);
    });
});

describe("tools/edge/refresh-cloudflare-ips.ts (the refresh the freshness test asks for)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { diffRanges, parseList, rewriteVendored } = require("../../tools/edge/refresh-cloudflare-ips") as typeof import("../../tools/edge/refresh-cloudflare-ips");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require("fs") as typeof import("fs");
    const vendored = fs.readFileSync(require.resolve("../../config/upstream/cloudflare-ips"), "utf8");

    it("parses Cloudflare's one-CIDR-per-line lists and diffs them", () => {
        expect(parseList("173.245.48.0/20\n103.21.244.0/22\n\n")).toEqual(["173.245.48.0/20", "103.21.244.0/22"]);
        expect(diffRanges(["a", "b"], ["b", "c"])).toEqual({ added: ["c"], removed: ["a"] });
    });

    it("rewrites only the lists and the retrieval date of the vendored file", () => {
        const v4 = [...cloudflareIpv4Ranges().slice(1), "192.0.2.0/24"];
        const out = rewriteVendored(vendored, v4, cloudflareIpv6Ranges(), "2031-01-02");
        expect(out).toContain('retrieved: "2031-01-02"');
        expect(out).toContain('"192.0.2.0/24",');
        expect(out).not.toContain(`"${cloudflareIpv4Ranges()[0]}"`);
        expect(out).toContain('source: "https://www.cloudflare.com/ips/"');
        expect(out.split("\n").slice(0, 8)).toEqual(vendored.split("\n").slice(0, 8));
    });
});
