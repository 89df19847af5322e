/**
 * Compares the host lists of config/upstream/egress-hosts.ts with their sources and reports what changed, so a
 * person can update the file (the sources are documentation tables and JSON, not one format to regenerate from):
 * - Docker Hub: docker/docs allow-list.md (raw.githubusercontent.com);
 * - ghcr.io: the GitHub Meta API (api.github.com/meta, `domains.packages`);
 * - Hugging Face: https://huggingface.co/.well-known/meta.json (the machine-readable list hub-docs points to);
 * - the rest: each source page, checked for every listed host.
 *
 *   npx tsx tools/gitops/refresh-egress-hosts.ts
 *
 * Exit codes: 0 every listed host still appears in its source · 1 differences (printed, one line each) ·
 * 2 a source could not be read (offline: says which; the file is never written).
 */
import { EGRESS_HOSTS, type HostFact } from "../../config/upstream/egress-hosts";

/** A URL the host list can be checked against (the first http(s) URL of `source`), or undefined ("none published"). */
export function sourceUrl(fact: HostFact): string | undefined {
    const m = /https:\/\/\S+/.exec(fact.source);
    if (!m) return undefined;
    return m[0].replace(/[),]+$/, "").replace(/^https:\/\/github\.com\/([^/]+\/[^/]+)\/blob\//, "https://raw.githubusercontent.com/$1/");
}

/** Hosts of `fact` that `text` no longer mentions (wildcards by their suffix). */
export function missingHosts(fact: HostFact, text: string): string[] {
    return fact.hosts.filter((h) => !text.includes(h.replace(/^\*\./, "")));
}

async function main(): Promise<number> {
    const facts: [string, HostFact][] = [...Object.entries(EGRESS_HOSTS.registries), ["huggingface", EGRESS_HOSTS.huggingface], ["ubuntuArchive", EGRESS_HOSTS.ubuntuArchive]];
    let differences = 0;
    let unreadable = 0;
    for (const [name, fact] of facts) {
        const url = name === "huggingface" ? "https://huggingface.co/.well-known/meta.json" : name === "ghcr.io" ? "https://api.github.com/meta" : sourceUrl(fact);
        if (!url) {
            console.log(`${name}: no published source (${fact.source}); nothing to compare`);
            continue;
        }
        let text: string;
        try {
            const res = await fetch(url);
            if (!res.ok) throw new Error(`HTTP ${res.status}`);
            text = await res.text();
        } catch (e) {
            console.error(`${name}: cannot read ${url} (${(e as Error).message})`);
            unreadable++;
            continue;
        }
        for (const h of missingHosts(fact, text)) {
            console.log(`${name}: ${h} is listed in config/upstream/egress-hosts.ts but no longer appears in ${url}`);
            differences++;
        }
    }
    if (unreadable) return 2;
    if (!differences) console.log(`every host still appears in its source; set retrieved: "${new Date().toISOString().slice(0, 10)}" in config/upstream/egress-hosts.ts`);
    return differences ? 1 : 0;
}

if (require.main === module) {
    main().then((code) => process.exit(code));
}
