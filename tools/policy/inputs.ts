/**
 * Reads a policy input file and says what it is, by content: a `pulumi stack export`, `pulumi preview --json`
 * output, or Kubernetes manifests (YAML multi-document, JSON object or array, `kind: List`).
 */
import * as fs from "fs";
import { parseAllDocuments } from "yaml";
import {
    flattenKubernetesObjects,
    isPreviewJson,
    isStackExport,
    kubernetesResources,
    PolicyInputError,
    previewResources,
    stackExportResources,
    type PolicyInputResource,
} from "./evaluate";

export type InputKind = "stack-export" | "preview" | "kubernetes";

export interface LoadedInput {
    file: string;
    kind: InputKind;
    resources: PolicyInputResource[];
}

const looksLikeManifest = (o: unknown): boolean =>
    !!o && typeof o === "object" && !Array.isArray(o) && typeof (o as { apiVersion?: unknown }).apiVersion === "string" && typeof (o as { kind?: unknown }).kind === "string";

function manifests(file: string, objects: unknown[]): LoadedInput {
    const present = objects.filter((o) => o !== null && o !== undefined);
    if (present.length === 0) throw new PolicyInputError("no documents (empty file)");
    const bad = present.findIndex((o) => !looksLikeManifest(o));
    if (bad >= 0) throw new PolicyInputError(`document #${bad + 1} has no apiVersion/kind: not a stack export, preview --json output or Kubernetes manifest`);
    const flat = flattenKubernetesObjects(present as object[]);
    return { file, kind: "kubernetes", resources: kubernetesResources(flat, file) };
}

/** Classifies already-read text; `file` only names it in messages and synthetic URNs. */
export function parseInput(file: string, text: string): LoadedInput {
    if (text.trim() === "") throw new PolicyInputError("empty file");
    let json: unknown;
    let isJson = true;
    try {
        json = JSON.parse(text);
    } catch {
        isJson = false;
    }
    if (isJson) {
        if (isStackExport(json)) return { file, kind: "stack-export", resources: stackExportResources(json) };
        if (isPreviewJson(json)) return { file, kind: "preview", resources: previewResources(json) };
        return manifests(file, Array.isArray(json) ? json : [json]);
    }
    const docs = parseAllDocuments(text);
    const list = Array.isArray(docs) ? docs : [docs];
    for (const doc of list) {
        const err = doc.errors[0];
        if (err) {
            const line = err.linePos?.[0]?.line;
            throw new PolicyInputError(`neither JSON nor valid YAML${line ? ` (line ${line})` : ""}: ${err.message.split("\n")[0]}`);
        }
    }
    return manifests(file, list.map((d) => d.toJS()));
}

export function loadInput(file: string): LoadedInput {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new PolicyInputError(err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "is a directory" : `cannot read (${err.code ?? err.message})`);
    }
    // Editors on Windows save UTF-8 with a byte-order mark; JSON.parse and YAML would reject or mis-key it.
    return parseInput(file, text.replace(/^\uFEFF/, ""));
}
