/**
 * `npm run models:revisions` against a Hub on loopback: the pins of the tree are found where they are written, a
 * pinned commit that exists passes (and the report says where main moved), a missing commit or a branch fails.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { checkPins, report, treePins } from "../../tools/workloads/revisions";

/** repo → revision (branch or commit) → commit; answers like /api/models/{repo}/revision/{rev}. */
const hub = new Map<string, Map<string, string>>();
const requests: string[] = [];
let server: http.Server;
let endpoint: string;

beforeAll(async () => {
    server = http.createServer((req, res) => {
        requests.push(req.url!);
        const m = /^\/api\/models\/([\w.-]+\/[\w.-]+)\/revision\/([\w.%-]+)$/.exec(req.url!);
        const sha = m && hub.get(m[1])?.get(decodeURIComponent(m[2]));
        res.writeHead(sha ? 200 : 404, { "content-type": "application/json" });
        res.end(JSON.stringify(sha ? { id: m![1], sha } : { error: "Revision Not Found" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const pins = treePins();

test("the tree's pins: every model per environment and the Argo pipelines, each a commit", () => {
    const byPlace = Object.fromEntries(pins.map((p) => [p.where, `${p.repo}@${p.revision.slice(0, 8)}`]));
    expect(byPlace).toMatchObject({
        "workloads/models/models.yaml llama31-8b (dev)": "hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4@db1f81ad",
        "workloads/models/models.yaml llama31-8b (prd)": "meta-llama/Llama-3.1-8B-Instruct@0e9e39f2",
        "workloads/models/models.yaml llama31-70b-rocm (prd)": "meta-llama/Llama-3.1-70B-Instruct@1605565b",
        "workloads/base/rag/tei.yaml Deployment tei": "BAAI/bge-small-en-v1.5@5c38ec7c",
    });
    expect(pins.every((p) => /^[0-9a-f]{40}$/.test(p.revision))).toBe(true);
});

test("pins that exist pass; the report shows where main has moved", async () => {
    hub.clear();
    for (const p of pins) hub.set(p.repo, new Map([[p.revision, p.revision], ["main", p.revision]]));
    hub.get("BAAI/bge-small-en-v1.5")!.set("main", "f".repeat(40));
    const { lines, problems } = report(await checkPins(pins, endpoint));
    expect(problems).toEqual([]);
    expect(lines.find((l) => l.includes("Deployment tei"))).toContain(`main is now ${"f".repeat(40)}`);
    expect(lines.find((l) => l.includes("llama31-70b-rocm"))).toContain("= main");
    expect(requests).toContain(`/api/models/meta-llama/Llama-3.1-70B-Instruct/revision/${pins.find((p) => p.repo === "meta-llama/Llama-3.1-70B-Instruct")!.revision}`);
});

test("a commit the repository does not have, or a branch, is a problem naming the file and model", async () => {
    hub.clear();
    for (const p of pins) hub.set(p.repo, new Map([[p.revision, p.revision], ["main", p.revision]]));
    hub.get("meta-llama/Llama-3.1-70B-Instruct")!.clear();
    hub.get("meta-llama/Llama-3.1-70B-Instruct")!.set("main", "a".repeat(40));
    const branchPin = { repo: "BAAI/bge-small-en-v1.5", revision: "main", where: "x.yaml" };
    hub.get("BAAI/bge-small-en-v1.5")!.set("main", "b".repeat(40));
    const { problems } = report(await checkPins([...pins.filter((p) => p.repo === "meta-llama/Llama-3.1-70B-Instruct"), branchPin], endpoint));
    expect(problems).toEqual([
        "workloads/models/models.yaml llama31-70b-rocm (prd): meta-llama/Llama-3.1-70B-Instruct@1605565b47bb9346c5515c34102e054115b4f98b does not exist on the Hub",
        `x.yaml: BAAI/bge-small-en-v1.5@main is a branch or tag (now ${"b".repeat(40)}); pin the commit`,
    ]);
});
