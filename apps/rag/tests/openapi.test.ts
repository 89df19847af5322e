/**
 * The vendored OpenAPI documents the stand-ins check against: where each came from, that it is fresh, and that it is
 * the version this app actually runs against (the Qdrant client and image, the TEI image).
 */
import * as fs from "fs";
import * as path from "path";
import { freshnessNow } from "../../../tests/support/clock";

const ROOT = path.join(__dirname, "..", "..", "..");
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");
const sources = JSON.parse(read("apps/rag/tests/openapi/sources.json")) as { horizonDays: number; specs: Record<string, { ref: string }> };
interface Vendored { source: string; commit: string; ref: string; version: string; retrieved: string }
const vendored = (name: string) => (JSON.parse(read(`apps/rag/tests/openapi/${name}.json`)) as { "x-vendored": Vendored })["x-vendored"];

/** Each pin the documents must agree with: what runs, where it is declared, and the document's version. */
export function pinProblems(files: { pkg: string; qdrantRelease: string; tei: string }, specs: Record<string, Vendored>): string[] {
    const client = (JSON.parse(files.pkg) as { dependencies: Record<string, string> }).dependencies["@qdrant/js-client-rest"];
    const image = /^\s+tag: (v[\d.]+)$/m.exec(files.qdrantRelease)?.[1];
    const tei = /text-embeddings-inference:cpu-(\d+\.\d+)/.exec(files.tei)?.[1];
    const out: string[] = [];
    if (specs.qdrant.ref !== `v${client}`) out.push(`apps/rag/package.json: @qdrant/js-client-rest ${client}, but the Qdrant OpenAPI document is of ${specs.qdrant.ref} (${specs.qdrant.source}): re-vendor it`);
    if (image !== specs.qdrant.ref) out.push(`workloads/base/qdrant/release.yaml: image tag ${image}, but the Qdrant OpenAPI document is of ${specs.qdrant.ref} (${specs.qdrant.source})`);
    if (!tei || !specs.tei.version.startsWith(`${tei}.`)) out.push(`workloads/base/rag/tei.yaml: TEI image cpu-${tei}, but the TEI OpenAPI document is of ${specs.tei.version} (${specs.tei.source})`);
    return out;
}

const specs = Object.fromEntries(Object.keys(sources.specs).map((n) => [n, vendored(n)]));
const files = () => ({ pkg: read("apps/rag/package.json"), qdrantRelease: read("workloads/base/qdrant/release.yaml"), tei: read("workloads/base/rag/tei.yaml") });

test("each document records its upstream commit, version and date, and is within its horizon", () => {
    const now = freshnessNow().getTime();
    for (const [name, v] of Object.entries(specs)) {
        expect({ name, commit: v.commit, source: v.source }).toEqual({ name, commit: expect.stringMatching(/^[0-9a-f]{40}$/), source: expect.stringContaining(v.commit) });
        const age = (now - Date.parse(v.retrieved)) / 86_400_000;
        expect({ name, stale: age > sources.horizonDays }).toEqual({ name, stale: false });
    }
});

test("the documents are of the versions that run; a bumped client or image without a re-vendored document fails", () => {
    expect(pinProblems(files(), specs)).toEqual([]);
    const bumped = { ...files(), pkg: files().pkg.replace('"@qdrant/js-client-rest": "1.19.0"', '"@qdrant/js-client-rest": "1.20.0"') };
    expect(pinProblems(bumped, specs)).toEqual([expect.stringMatching(/^apps\/rag\/package.json: @qdrant\/js-client-rest 1.20.0, but the Qdrant OpenAPI document is of v1.19.0/)]);
});
