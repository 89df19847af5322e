/**
 * `npx tsx tools/edge/refresh-cloudflare-ips.ts [--write]`
 *
 * Compares the vendored Cloudflare ranges (config/upstream/cloudflare-ips.ts) with the published lists
 * (https://www.cloudflare.com/ips-v4, https://www.cloudflare.com/ips-v6) and prints what changed.
 * With --write it rewrites the vendored file (lists in Cloudflare's order, `retrieved` = today); then run
 * `npx tsx tools/gitops/generate.ts` so the nginx-public allow-list follows, and commit both. The NSG rule and the
 * ingress route table read the same list through components/edge/cloudflare-ips.ts at the next `pulumi up`.
 *
 * Exit codes: 0 up to date (or written) · 1 the published list differs (without --write) · 2 fetch or parse failure.
 */
import * as fs from "fs";
import * as path from "path";
import { rangeProblems } from "../../components/edge/cloudflare-ips";
import { CLOUDFLARE_IPS } from "../../config/upstream/cloudflare-ips";
import { REPO_ROOT } from "../../config/stack-files";
import { helpAsked } from "../cli-help";

const VENDORED = path.join(REPO_ROOT, "config/upstream/cloudflare-ips.ts");
const URLS = { ipv4: "https://www.cloudflare.com/ips-v4", ipv6: "https://www.cloudflare.com/ips-v6" } as const;

/** Ranges only in `published` (added) and only in `vendored` (removed). */
export function diffRanges(vendored: readonly string[], published: readonly string[]): { added: string[]; removed: string[] } {
    return { added: published.filter((r) => !vendored.includes(r)), removed: vendored.filter((r) => !published.includes(r)) };
}

/** One CIDR per non-empty line, as Cloudflare serves them. */
export function parseList(text: string): string[] {
    return text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean);
}

/** The vendored file with new lists and retrieval date; everything else (header, source) kept. */
export function rewriteVendored(source: string, ipv4: string[], ipv6: string[], retrieved: string): string {
    const list = (items: string[], indent: string) => `[\n${items.map((i) => `${indent}    "${i}",`).join("\n")}\n${indent}]`;
    return source
        .replace(/retrieved: "\d{4}-\d{2}-\d{2}"/, `retrieved: "${retrieved}"`)
        .replace(/ipv4: \[[^\]]*\]/, `ipv4: ${list(ipv4, "    ")}`)
        .replace(/ipv6: \[[^\]]*\]/, `ipv6: ${list(ipv6, "    ")}`);
}

async function fetchList(url: string): Promise<string[]> {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return parseList(await res.text());
}

export async function main(argv: string[]): Promise<number> {
    if (helpAsked(argv)) {
        console.log("usage: node --import tsx tools/edge/refresh-cloudflare-ips.ts [--write]   (compare the vendored Cloudflare ranges with cloudflare.com/ips; --write updates them)");
        return 0;
    }
    const write = argv.includes("--write");
    let ipv4: string[];
    let ipv6: string[];
    try {
        [ipv4, ipv6] = await Promise.all([fetchList(URLS.ipv4), fetchList(URLS.ipv6)]);
    } catch (e) {
        console.error(`refresh-cloudflare-ips: ${(e as Error).message}`);
        return 2;
    }
    const problems = [...rangeProblems(ipv4, "ipv4"), ...rangeProblems(ipv6, "ipv6")];
    if (problems.length || !ipv4.length || !ipv6.length) {
        console.error(`refresh-cloudflare-ips: the published lists look wrong, not using them:\n  ${problems.join("\n  ") || "empty list"}`);
        return 2;
    }
    const d4 = diffRanges(CLOUDFLARE_IPS.ipv4, ipv4);
    const d6 = diffRanges(CLOUDFLARE_IPS.ipv6, ipv6);
    const changed = [...d4.added, ...d4.removed, ...d6.added, ...d6.removed].length > 0;
    for (const [fam, d] of [["ipv4", d4], ["ipv6", d6]] as const) {
        for (const r of d.added) console.log(`+ ${fam} ${r}`);
        for (const r of d.removed) console.log(`- ${fam} ${r}`);
    }
    const today = new Date().toISOString().slice(0, 10);
    if (!write) {
        console.log(changed ? "the published ranges differ: rerun with --write" : `up to date (vendored list retrieved ${CLOUDFLARE_IPS.retrieved}); rerun with --write to record today's check`);
        return changed ? 1 : 0;
    }
    fs.writeFileSync(VENDORED, rewriteVendored(fs.readFileSync(VENDORED, "utf8"), ipv4, ipv6, today));
    console.log(`wrote ${path.relative(REPO_ROOT, VENDORED)} (retrieved ${today}); now run: npx tsx tools/gitops/generate.ts`);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
