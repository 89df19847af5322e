/**
 * Digest pinning of prd's mirrored upstream images (issue 22 §3): the vendored lock (well-formed, fresh at its own
 * date + horizon), the validate:gitops check on small rendered inputs, and the refresh tool against a loopback fake
 * registry that answers like Docker Hub (anonymous Bearer challenge, Docker-Content-Digest on HEAD).
 */
import * as http from "http";
import type { AddressInfo } from "net";
import type { Located } from "../../tools/gitops/checks";
import { digestPinning, type DigestLock, isMirroredUpstream, loadDigestLock, lockProblems } from "../../tools/gitops/image-digests";
import { headDigest, main as refreshMain, refreshLock, registryOf } from "../../tools/gitops/refresh-image-digests";
import { freshnessNow } from "../support/clock";

const VLLM = "sha256:6d8429e38e3747723ca07ee1b17972e09bb9c51c4032b266f24fb1cc3b22ed8f";
const OTHER = `sha256:${"b".repeat(64)}`;
const lock: DigestLock = {
    retrieved: "2026-12-07",
    horizonDays: 180,
    images: [
        { image: "vllm/vllm-openai", tag: "v0.23.0", "Docker-Content-Digest": VLLM, via: "public-references", source: "s", retrieved: "2026-12-07" },
        { image: "qdrant/qdrant", tag: "v1.19.0", "Docker-Content-Digest": OTHER, via: "registry-head", source: "s", retrieved: "2026-12-07" },
    ],
};
const pod = (image: string): Located => ({ layer: "ai", obj: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ai-serving" }, spec: { containers: [{ name: "c", image }] } } as any });
const noCharts = () => undefined;

describe("the digest lock (schemas/runtime/image-digests.json)", () => {
    const real = loadDigestLock();

    it("holds one well-formed sha256 digest per image and tag, each with its source and date", () => {
        expect(lockProblems(real)).toEqual([]);
        for (const e of real.images) {
            expect(["registry-head", "public-references"]).toContain(e.via);
            expect(e.source.length).toBeGreaterThan(20);
            expect(e.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        }
        expect(lockProblems({ ...lock, images: [...lock.images, { ...lock.images[0], "Docker-Content-Digest": "sha256:abc" }] })).toEqual([
            "schemas/runtime/image-digests.json: vllm/vllm-openai:v0.23.0: Docker-Content-Digest 'sha256:abc' is not sha256:<64 hex>",
            "schemas/runtime/image-digests.json: vllm/vllm-openai:v0.23.0 is locked twice",
        ]);
    });

    it("was refreshed within its horizon (measured at the HEAD commit's date: npx tsx tools/gitops/refresh-image-digests.ts --write)", () => {
        const age = (freshnessNow().getTime() - Date.parse(real.retrieved)) / 86_400_000;
        expect(age).toBeLessThanOrEqual(real.horizonDays);
    });
});

describe("digestPinning (validate:gitops, prd)", () => {
    it("passes a locked digest or a locked tag, and lists the rest as UNPINNED", () => {
        const r = digestPinning([pod(`\${acr_login_server}/docker.io/vllm/vllm-openai:v0.23.0@${VLLM}`), pod("craipprduaen.azurecr.io/docker.io/qdrant/qdrant:v1.19.0"), pod("ghcr.io/x/y:1.0"), pod("ghcr.io/x/y:1.0")], noCharts, lock);
        expect(r.errors).toEqual([]);
        expect(r.warnings.map((w) => w.message)).toEqual([
            "UNPINNED prd image ghcr.io/x/y:1.0 (2 uses, first Pod ai-serving/p container c): no digest and no schemas/runtime/image-digests.json entry for its tag — a documented gap (README: digest pinning)",
        ]);
    });

    it("refuses a digest the lock contradicts, one it does not know, and a malformed one", () => {
        const r = digestPinning([pod(`vllm/vllm-openai:v0.23.0@${OTHER}`), pod(`python:3.13.9-slim@${OTHER}`), pod("vllm/vllm-openai:v0.23.0@sha256:short")], noCharts, lock);
        expect(r.errors.map((e) => e.message)).toEqual([
            `ai-serving Pod ai-serving/p container c: image vllm/vllm-openai:v0.23.0@${OTHER}: schemas/runtime/image-digests.json locks vllm/vllm-openai:v0.23.0 to ${VLLM} (public-references, 2026-12-07): reference that digest, or refresh the lock`,
            `ai-serving Pod ai-serving/p container c: image python:3.13.9-slim@${OTHER}: digest not in schemas/runtime/image-digests.json; add python:3.13.9-slim with npx tsx tools/gitops/refresh-image-digests.ts --add python:3.13.9-slim --write`,
            "ai-serving Pod ai-serving/p container c: image vllm/vllm-openai:v0.23.0@sha256:short: digest 'sha256:short' is not sha256:<64 hex>",
        ]);
    });

    it("judges only images from upstream registries: the platform's own ACR images have the registry's tag lock", () => {
        expect(isMirroredUpstream("${acr_login_server}/model-loader:1.2.0")).toBe(false);
        expect(isMirroredUpstream("craipprduaen.azurecr.io/ghcr.io/fluxcd/flagger-loadtester:0.38.0")).toBe(true);
        expect(isMirroredUpstream("python:3.13.9-slim")).toBe(true);
    });
});

describe("refresh-image-digests against a loopback registry", () => {
    let server: http.Server;
    let base = "";
    const seen: { method?: string; url?: string; accept?: string; auth?: string }[] = [];
    const digests: Record<string, string> = { "library/python:3.13.9-slim": `sha256:${"c".repeat(64)}`, "vllm/vllm-openai:v0.23.0": VLLM };

    beforeAll(async () => {
        server = http.createServer((req, res) => {
            seen.push({ method: req.method, url: req.url, accept: req.headers.accept, auth: req.headers.authorization });
            const u = new URL(req.url!, base);
            if (u.pathname === "/token") {
                res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: `t:${u.searchParams.get("scope")}` }));
                return;
            }
            const m = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(u.pathname);
            const scope = m ? `repository:${m[1]}:pull` : "";
            if (req.headers.authorization !== `Bearer t:${scope}`) {
                res.writeHead(401, { "www-authenticate": `Bearer realm="${base}/token",service="fake-registry",scope="${scope}"` }).end();
                return;
            }
            const digest = m && digests[`${m[1]}:${m[2]}`];
            res.writeHead(digest ? 200 : 404, digest ? { "docker-content-digest": digest, "content-type": "application/vnd.oci.image.index.v1+json" } : {}).end();
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("answers the Bearer challenge, asks for the index, and returns the Docker-Content-Digest header", async () => {
        expect(registryOf("python")).toEqual({ host: "docker.io", repo: "library/python" });
        expect(registryOf("ghcr.io/fluxcd/flagger-loadtester")).toEqual({ host: "ghcr.io", repo: "fluxcd/flagger-loadtester" });
        seen.length = 0;
        expect(await headDigest("python", "3.13.9-slim", { base: { "docker.io": base } })).toBe(digests["library/python:3.13.9-slim"]);
        expect(seen.map((s) => `${s.method} ${s.url} ${s.auth ?? "-"}`)).toEqual([
            "HEAD /v2/library/python/manifests/3.13.9-slim -",
            "GET /token?service=fake-registry&scope=repository%3Alibrary%2Fpython%3Apull -",
            "HEAD /v2/library/python/manifests/3.13.9-slim Bearer t:repository:library/python:pull",
        ]);
        expect(seen[0].accept).toContain("application/vnd.oci.image.index.v1+json");
        await expect(headDigest("python", "0.0-missing", { base: { "docker.io": base } })).rejects.toThrow("docker.io: HEAD /v2/library/python/manifests/0.0-missing answered HTTP 404");
    });

    it("records moved and added digests as registry-head with the day, and keeps the lock when a registry cannot be asked", async () => {
        const old: DigestLock = { ...lock, images: [{ image: "python", tag: "3.13.9-slim", "Docker-Content-Digest": OTHER, via: "public-references", source: "s", retrieved: "2026-01-01" }] };
        const r = await refreshLock(old, new Date("2027-02-03T10:00:00Z"), { base: { "docker.io": base }, add: ["vllm/vllm-openai:v0.23.0"] });
        expect(r.failures).toEqual([]);
        expect(r.changes).toEqual([`python:3.13.9-slim moved: ${OTHER} → ${digests["library/python:3.13.9-slim"]}`, `added vllm/vllm-openai:v0.23.0 ${VLLM}`]);
        expect(r.lock.retrieved).toBe("2027-02-03");
        expect(r.lock.images[1]).toEqual({ image: "vllm/vllm-openai", tag: "v0.23.0", "Docker-Content-Digest": VLLM, via: "registry-head", source: `HEAD ${base}/v2/vllm/vllm-openai/manifests/v0.23.0`, retrieved: "2027-02-03" });

        const down = await refreshLock(old, new Date("2027-02-03T10:00:00Z"), { base: { "docker.io": "http://127.0.0.1:9" } });
        expect(down.failures).toEqual([expect.stringMatching(/^python:3\.13\.9-slim: /)]);
        expect(down.lock).toEqual(old);
    });

    it("CLI: exit 3 when a registry cannot be asked (nothing written), 2 on a bad --add", async () => {
        const err: string[] = [];
        expect(await refreshMain(["--registry", "docker.io=http://127.0.0.1:9", "--registry", "quay.io=http://127.0.0.1:9", "--registry", "ghcr.io=http://127.0.0.1:9"], { err: (l) => err.push(l), out: () => undefined })).toBe(3);
        expect(err.at(-1)).toMatch(/image\(s\) not checked; schemas\/runtime\/image-digests\.json left as it is$/);
        expect(await refreshMain(["--add", "no-tag"], { err: () => undefined, out: () => undefined })).toBe(2);
    });
});
