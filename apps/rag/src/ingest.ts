/**
 * Ingestion: documents under a folder → chunks → TEI embeddings → Qdrant points, with the chunking, ids and payload
 * of ./collection (the query side reads the same). The Argo `embed-documents` workflow runs this with the data lake
 * prefix downloaded to a folder: `node build/src/ingest.js --collection handbook --dir /work/docs`.
 */
import * as fs from "fs";
import * as path from "path";
import { checkCollectionName, chunk, DOCUMENT_SUFFIXES, pointId, type Chunk } from "./collection";
import { INGEST_ENV, loadConfig } from "./config";
import { storeDeps } from "./deps";
import { configOrExit } from "./main";
import type { Store } from "./store";
import type { Embedder } from "./tei";

const BATCH = 32;

export function readDocuments(dir: string): Chunk[] {
    const files = (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((d) => d.isFile() && DOCUMENT_SUFFIXES.includes(path.extname(d.name)))
        .map((d) => path.join(d.parentPath, d.name))
        .sort();
    // Sources are recorded relative to the folder: the same document keeps its point ids wherever it was downloaded.
    return files.flatMap((f) => chunk(path.relative(dir, f), fs.readFileSync(f, "utf8")));
}

export async function ingest(d: { embedder: Embedder; store: Store }, collection: string, chunks: Chunk[]): Promise<number> {
    const bad = checkCollectionName(collection) ?? (chunks.length ? undefined : "no .md/.txt documents to ingest");
    if (bad) throw new Error(bad);
    const model = await d.embedder.model();
    for (let start = 0; start < chunks.length; start += BATCH) {
        const batch = chunks.slice(start, start + BATCH);
        const vectors = await d.embedder.embed(batch.map((c) => c.text));
        if (start === 0) await d.store.ensureCollection(collection, vectors[0].length, model);
        await d.store.upsert(collection, batch.map((c, i) => ({ id: pointId(c.source, c.offset), vector: vectors[i], payload: { ...c, model } })));
    }
    return chunks.length;
}

function args(argv: string[]): { collection: string; dir: string } {
    const get = (flag: string) => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : undefined; };
    const collection = get("--collection");
    const dir = get("--dir");
    if (!collection || !dir || !fs.existsSync(dir)) {
        console.error(`usage: ingest --collection <name> --dir <folder>${dir && !fs.existsSync(dir) ? ` (no folder ${dir})` : ""}`);
        process.exit(2);
    }
    return { collection, dir };
}

if (require.main === module) {
    const { collection, dir } = args(process.argv.slice(2));
    const config = configOrExit(() => loadConfig(process.env, INGEST_ENV));
    ingest(storeDeps(config), collection, readDocuments(dir)).then(
        (n) => console.log(JSON.stringify({ level: "info", msg: "ingested", collection, chunks: n })),
        (e: Error) => { console.error(`ingest: ${e.message}`); process.exit(1); },
    );
}
