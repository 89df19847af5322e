/** Every overlay runs the image of the RAG code in this tree: its pin is the content tag images.yml pushes. */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { imageTag, INPUTS, OVERLAYS, PIN, ROOT } from "../tools/image-tag";

test("the workflow hashes the same inputs, and every overlay pins that content tag (else: image-tag.ts --write)", () => {
    const workflow = parse(fs.readFileSync(path.join(ROOT, ".github/workflows/images.yml"), "utf8"));
    const rag = workflow.jobs.build.strategy.matrix.include.find((i: { image: string }) => i.image === "rag");
    expect(rag.inputs.split(" ")).toEqual(INPUTS);
    const tag = imageTag();
    expect(tag).toMatch(/^[0-9a-f]{40}$/);
    const stale = OVERLAYS.map((f) => [f, PIN.exec(fs.readFileSync(path.join(ROOT, f), "utf8"))?.[2]])
        .filter(([, pinned]) => pinned !== tag)
        .map(([f, pinned]) => `${f}: aiplatform/rag:${pinned}, but the content of ${INPUTS.join(", ")} is tag ${tag} (git add, then npx tsx apps/rag/tools/image-tag.ts --write)`);
    expect(stale).toEqual([]);
});
