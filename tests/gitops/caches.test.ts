/**
 * What makes the GitOps validation fast must not change what it finds:
 * - compacted CRD schemas (shared subschemas hoisted into definitions) give exactly the errors the schemas as
 *   vendored give, on real objects and on mutants of them;
 * - the render cache is keyed by every file an overlay can read, and serves what kubectl renders;
 * - the plan's per-spoke GitOps report (one validation for all planned spokes) is what validating that spoke alone
 *   reports.
 */
import Ajv from "ajv";
import addFormats from "ajv-formats";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { overlayInputDigest, renderOverlay } from "../../tools/gitops/render";
import { compactSchema, SCHEMAS_DIR, strictify } from "../../tools/gitops/schemas";
import { renderCluster, validateGitops } from "../../tools/gitops/validate";
import { loadSummary } from "../support/plan";

function ajv(extra: object = {}): Ajv {
    const a = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true, ...extra });
    addFormats(a, ["date-time", "date", "uri", "email", "hostname", "ipv4", "ipv6", "uuid", "regex"]);
    for (const f of ["int32", "int64", "byte", "binary", "double", "float", "int-or-string", "password", "duration", "quantity", "cidr", "uri-reference"]) a.addFormat(f, true);
    return a;
}

/** Deterministic mutants: each leaf in turn gets a wrong type, is removed, or gains an undeclared sibling. */
function mutants(obj: unknown): unknown[] {
    const out: unknown[] = [];
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, at: (string | number)[]) => {
        paths.push(at);
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
        else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
    };
    walk(obj, []);
    paths.slice(1).forEach((p, i) => {
        const copy = JSON.parse(JSON.stringify(obj));
        let parent = copy;
        for (const k of p.slice(0, -1)) parent = parent[k];
        const last = p[p.length - 1];
        const v = parent[last];
        if (i % 3 === 0) parent[last] = typeof v === "string" ? 7 : typeof v === "number" ? "seven" : v && typeof v === "object" ? "text" : { x: 1 };
        else if (i % 3 === 1) Array.isArray(parent) ? parent.splice(Number(last), 1) : delete parent[last];
        else if (v && typeof v === "object" && !Array.isArray(v)) v.undeclaredField = true;
        else parent[last] = null;
        out.push(copy);
    });
    return out;
}

const errorsOf = (validate: (d: unknown) => boolean, data: unknown) => {
    validate(data);
    return ((validate as unknown as { errors?: { instancePath: string; keyword: string; message?: string; params: unknown }[] }).errors ?? []).map((e) => [e.instancePath, e.keyword, e.message, e.params]);
};

describe("compacted CRD schemas", () => {
    const KINDS = [
        ["cert-manager.io", "ClusterIssuer", "v1"],
        ["external-secrets.io", "ClusterSecretStore", "v1"],
        ["helm.toolkit.fluxcd.io", "HelmRelease", "v2"],
    ] as const;

    test.each(KINDS)("%s %s: the same errors as the schema as vendored, on every rendered object and its mutants", async (group, kind, version) => {
        const schema = strictify(JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, group, `${kind}_${version}.json`), "utf8")).schema);
        const compact = compactSchema(schema);
        expect(Object.keys(compact.definitions ?? {}).length).toBeGreaterThan(0);
        const plain = ajv().compile(schema);
        const hoisted = ajv({ inlineRefs: false }).compile(compact);
        const objects = (await renderCluster("prd-uaenorth")).flatMap((l) => l.objects).filter((o) => o.kind === kind && o.apiVersion === `${group}/${version}`);
        expect(objects.length).toBeGreaterThan(0);
        let failing = 0;
        for (const o of objects) {
            for (const m of [o, ...mutants(o)]) {
                const expected = errorsOf(plain, m);
                if (expected.length) failing++;
                expect(errorsOf(hoisted, m)).toEqual(expected);
            }
        }
        expect(failing).toBeGreaterThan(5);
    });

    test("a schema whose $ref points inside another subschema is left as it is (descriptions aside)", () => {
        const big = { type: "object", properties: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`field${i}`, { type: "string", description: "d" }])) };
        const schema = { type: "object", properties: { a: big, b: big, c: { $ref: "#/properties/a/properties/field1" } } };
        const out = compactSchema(schema);
        expect(out.definitions).toBeUndefined();
        expect(out.properties.a.properties.field1).toEqual({ type: "string" });
    });
});

describe("render cache", () => {
    let root: string;
    const write = (rel: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
    };
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "aiplatform-render-digest-"));
        write("clusters/a/kustomization.yaml", "resources:\n  - ../../shared/base # the shared base\n");
        write("shared/base/kustomization.yaml", "resources:\n  - cm.yaml\n");
        write("shared/base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
        write("unrelated/file.txt", "x");
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
    const digest = () => overlayInputDigest(path.join(root, "clusters/a"), root);

    test("covers the overlay's folder and every folder its kustomizations reference, nothing else", () => {
        const before = digest();
        expect(before).toMatch(/^[0-9a-f]{64}$/);
        write("unrelated/file.txt", "y");
        expect(digest()).toBe(before);
        write("shared/base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n");
        expect(digest()).not.toBe(before);
        const again = digest();
        write("clusters/b/extra.yaml", "{}\n");
        expect(digest()).not.toBe(again);
    });

    test("no digest (no caching) for a remote resource, a reference outside the repository, or an overlay outside it", () => {
        write("clusters/a/kustomization.yaml", "resources:\n  - https://github.com/org/repo//deploy?ref=v1\n");
        expect(digest()).toBeUndefined();
        write("clusters/a/kustomization.yaml", `resources:\n  - ${path.relative(path.join(root, "clusters/a"), os.tmpdir())}\n`);
        expect(digest()).toBeUndefined();
        expect(overlayInputDigest(os.tmpdir(), root)).toBeUndefined();
    });

    test("serves exactly what kubectl renders", async () => {
        const cached = await renderOverlay("workloads/overlays/dev-uaenorth");
        process.env.AIPLATFORM_RENDER_CACHE = "off";
        try {
            expect(await renderOverlay("workloads/overlays/dev-uaenorth")).toEqual(cached);
        } finally {
            delete process.env.AIPLATFORM_RENDER_CACHE;
        }
    });
});

test("the plan's GitOps report of a spoke (validated with the other spokes) is what validating that spoke alone reports", async () => {
    const planned = loadSummary().stacks.find((s) => s.stack === "stg-uaenorth")!.reports.find((r) => r.title.startsWith("GitOps"))!;
    expect(planned.data).toEqual(await validateGitops({ envs: ["stg-uaenorth"] }));
});
