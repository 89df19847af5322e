/**
 * Issue 20 §1: service identity and mTLS, read from the rendered tree. In stg/prd (the Istio add-on) every workload
 * namespace renders STRICT and a default-deny AuthorizationPolicy, and each NetworkPolicy ingress flow has exactly one
 * AuthorizationPolicy rule and vice versa (tools/gitops/mesh.ts); dev (no add-on) renders no Istio object. The
 * mutations start from the real rendered prd cluster and change one thing each.
 */
import type { Located } from "../../tools/gitops/checks";
import { EXEMPTION, meshProblems, REVISION_LABEL } from "../../tools/gitops/mesh";
import { renderCluster, schemaRegistry } from "../../tools/gitops/validate";

const located = async (stack: string): Promise<Located[]> => structuredClone((await renderCluster(stack)).flatMap((l) => l.objects.map((obj) => ({ layer: l.layer, obj }))));
const find = (objs: Located[], kind: string, ns: string, name: string): any => {
    const hit = objs.find((l) => l.obj.kind === kind && l.obj.metadata.namespace === ns && l.obj.metadata.name === name);
    if (!hit) throw new Error(`${kind} ${ns}/${name} not rendered`);
    return hit.obj;
};
const namespace = (objs: Located[], name: string): any => find(objs, "Namespace", undefined as unknown as string, name);
const messages = (objs: Located[], mesh = true) => meshProblems(objs, mesh).map((p) => p.message);

describe.each(["stg-uaenorth", "prd-uaenorth"])("%s: mesh", (stack) => {
    it("puts every workload namespace in the mesh with STRICT mTLS and a default-deny policy, exemptions named", async () => {
        const objs = await located(stack);
        const workload = objs.filter((l) => l.obj.kind === "Namespace" && ["ai", "tenant"].includes(l.obj.metadata.labels?.["aiplatform.io/tier"] ?? ""));
        const exempt = workload.filter((l) => l.obj.metadata.annotations?.[EXEMPTION]).map((l) => l.obj.metadata.name);
        // notebooks: JupyterHub reaches servers by pod IP, which the mesh cannot carry over mTLS (README "Notebooks").
        expect(exempt.sort()).toEqual(["cnpg-system", "kserve", "notebooks"]);
        const inMesh = workload.filter((l) => !exempt.includes(l.obj.metadata.name)).map((l) => l.obj.metadata.name);
        expect(inMesh.length).toBeGreaterThanOrEqual(5);
        for (const ns of inMesh) {
            expect(namespace(objs, ns).metadata.labels[REVISION_LABEL]).toBe("${istio_revision}");
            const strict = objs.filter((l) => l.obj.kind === "PeerAuthentication" && l.obj.metadata.namespace === ns && !l.obj.spec.selector);
            expect(strict.map((l) => l.obj.spec)).toEqual([{ mtls: { mode: "STRICT" } }]);
            expect(find(objs, "AuthorizationPolicy", ns, "default-deny").spec).toEqual({});
        }
    });

    it("matches every NetworkPolicy flow with an authorization allow and every allow with a flow", async () => {
        expect(messages(await located(stack))).toEqual([]);
    });
});

describe("prd-uaenorth: the mesh check fails on one change", () => {
    it("a NetworkPolicy flow without its allow", async () => {
        const objs = (await located("prd-uaenorth")).filter((l) => !(l.obj.kind === "AuthorizationPolicy" && l.obj.metadata.name === "qdrant"));
        expect(messages(objs)).toEqual([
            'NetworkPolicy qdrant/qdrant: mesh: admits namespaces [ai-serving, argo, qdrant, rag, team-nlp] → pods {"app.kubernetes.io/name":"qdrant"} on ports 6333, 6334, but no AuthorizationPolicy rule of namespace qdrant allows exactly that',
            'NetworkPolicy qdrant/qdrant: mesh: admits namespaces [qdrant] → pods {"app.kubernetes.io/name":"qdrant"} on ports 6335, but no AuthorizationPolicy rule of namespace qdrant allows exactly that',
        ]);
    });

    it("an allow no NetworkPolicy admits, and a source outside the mesh", async () => {
        const objs = await located("prd-uaenorth");
        find(objs, "AuthorizationPolicy", "ai-serving", "model-servers").spec.rules[0].from[0].source.namespaces.push("monitoring");
        expect(messages(objs)).toEqual([
            "AuthorizationPolicy ai-serving/model-servers: mesh: source namespace monitoring matches [monitoring], outside the mesh: they have no mTLS identity, so the rule never matches them",
        ]);
        find(objs, "AuthorizationPolicy", "ai-serving", "model-servers").spec.rules[0].from[0].source.namespaces.splice(-1, 1, "qdrant");
        expect(messages(objs)).toEqual([
            'NetworkPolicy ai-serving/model-servers-ingress: mesh: admits namespaces [ai-serving, ingress-internal, ingress-public, llm-gateway] → pods {"aiplatform.io/component":"model-server"} on ports 8000, 8080, but no AuthorizationPolicy rule of namespace ai-serving allows exactly that',
            'AuthorizationPolicy ai-serving/model-servers: mesh: allows namespaces [ai-serving, ingress-internal, ingress-public, llm-gateway, qdrant] → pods {"aiplatform.io/component":"model-server"} on ports 8000, 8080, which no NetworkPolicy of namespace ai-serving admits',
        ]);
    });

    it("a namespace-wide PERMISSIVE, and a plaintext port without its exemption", async () => {
        const objs = await located("prd-uaenorth");
        find(objs, "PeerAuthentication", "mlflow", "default").spec.mtls.mode = "PERMISSIVE";
        delete find(objs, "PeerAuthentication", "argo", "workflow-controller-scrape").spec.portLevelMtls["9090"];
        expect(messages(objs)).toEqual([
            'NetworkPolicy argo/allow-prometheus-scrape: mesh: admits callers outside the mesh on port 9090 of pods {"app.kubernetes.io/component":"workflow-controller"}, but no PeerAuthentication of namespace argo makes that port PERMISSIVE (they cannot do mTLS)',
            "Namespace mlflow: mesh: no namespace-wide PeerAuthentication with mtls.mode STRICT",
            "PeerAuthentication mlflow/default: mesh: mtls.mode PERMISSIVE; only STRICT (with port-level exemptions that mirror a NetworkPolicy flow) is allowed",
        ]);
    });

    it("a workload namespace left out of the mesh without a reason, and one without its default deny", async () => {
        const objs = (await located("prd-uaenorth")).filter((l) => !(l.obj.kind === "AuthorizationPolicy" && l.obj.metadata.namespace === "team-nlp" && l.obj.metadata.name === "default-deny"));
        delete namespace(objs, "qdrant").metadata.labels[REVISION_LABEL];
        const m = messages(objs);
        expect(m).toContain("Namespace qdrant: mesh: workload namespace (aiplatform.io/tier: ai) is not in the mesh: label it istio.io/rev: ${istio_revision}, or annotate aiplatform.io/mesh-exemption with why it cannot take part");
        expect(m).toContain("Namespace team-nlp: mesh: no default-deny AuthorizationPolicy (an ALLOW policy with an empty spec)");
    });
});

describe("Istio objects against the Istio CRD schemas (@kubernetes-models/istio)", () => {
    it("refuses a mode the CRD does not know", async () => {
        const pa = { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "qdrant" }, spec: { mtls: { mode: "STRICTEST" } } };
        expect(await schemaRegistry().validate(pa)).toEqual(["spec.mtls.mode must be equal to one of the allowed values"]);
    });
});

describe("dev-uaenorth (no Istio add-on)", () => {
    it("renders no Istio object and no revision label, and the check refuses one", async () => {
        const objs = await located("dev-uaenorth");
        expect(messages(objs, false)).toEqual([]);
        const prd = await located("prd-uaenorth");
        const pa = prd.find((l) => l.obj.kind === "PeerAuthentication")!;
        expect(messages([...objs, pa], false)).toEqual([`PeerAuthentication ${pa.obj.metadata.namespace}/${pa.obj.metadata.name}: mesh: an Istio object in a cluster without the Istio add-on (set aks.serviceMesh in the stack file, or render it only in stg/prd)`]);
    });
});
