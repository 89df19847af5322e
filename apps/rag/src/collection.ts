/**
 * What ingest writes and query reads, defined once: collection names, chunking, point ids, payload and vector
 * settings. Ingest (the Argo `embed-documents` workflow runs `ingest.js` from this image) and the query side both
 * import this module, so a change to either side changes both.
 */
import { createHash } from "crypto";

/** Qdrant collection names this platform accepts: lower-case, starts with a letter, 3–63 characters. */
export const COLLECTION_NAME = /^[a-z][a-z0-9-]{2,62}$/;
export const CHUNK_CHARS = 1500;
export const CHUNK_OVERLAP = 300;
export const DISTANCE = "Cosine" as const;
/** Files ingest reads; everything else under the prefix is skipped. */
export const DOCUMENT_SUFFIXES = [".md", ".txt"];

/** The payload of every point: the query side cites `source` and `offset` and quotes `text`. */
export interface ChunkPayload {
    source: string;
    offset: number;
    text: string;
    /** Embedding model (TEI `model_id`) that produced the vector; query refuses a collection embedded with another. */
    model: string;
}

export interface Chunk { source: string; offset: number; text: string }

export function checkCollectionName(name: string): string | undefined {
    return COLLECTION_NAME.test(name) ? undefined : `collection "${name}" is not allowed: ${COLLECTION_NAME} (lower-case letters, digits, "-"; 3–63 characters, starting with a letter)`;
}

/** Fixed-size character windows with overlap, so a sentence cut at one edge is whole in the next chunk. */
export function chunk(source: string, text: string): Chunk[] {
    const out: Chunk[] = [];
    const step = CHUNK_CHARS - CHUNK_OVERLAP;
    for (let offset = 0; offset < text.length; offset += step) {
        const piece = text.slice(offset, offset + CHUNK_CHARS);
        if (piece.trim()) out.push({ source, offset, text: piece });
        if (offset + CHUNK_CHARS >= text.length) break;
    }
    return out;
}

/** Stable point id per (source, offset): re-ingesting a document overwrites its points instead of adding copies. */
export function pointId(source: string, offset: number): number {
    // 52 bits: exact in a JavaScript number and a valid Qdrant unsigned integer id.
    return parseInt(createHash("sha1").update(`${source}:${offset}`).digest("hex").slice(0, 13), 16);
}
