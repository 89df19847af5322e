/**
 * The policy pack's Kubernetes rules reach the pod templates inside KServe InferenceServices and Argo workflows, not
 * only the built-in pod controllers: the rendered prd AI and models layers pass as committed, and one unsafe mutation inside
 * each CRD's pod template is flagged by the right rule (the GitOps validator passes every rendered object).
 */
import { renderOverlay } from "../../tools/gitops/validate";
import { evaluateKubernetesObjects } from "../../tools/policy/evaluate";

let objects: any[];
beforeAll(async () => {
    objects = [...(await renderOverlay("gitops-bootstrap/clusters/prd-uaenorth/ai")), ...(await renderOverlay("gitops-bootstrap/clusters/prd-uaenorth/models"))];
});

const mandatory = (objs: object[]) => evaluateKubernetesObjects(objs).violations.filter((v) => v.enforcementLevel === "mandatory");

test("the rendered AI layer has InferenceServices and Argo templates, and no mandatory violation", () => {
    expect(objects.some((o) => o.kind === "InferenceService")).toBe(true);
    expect(objects.some((o) => o.kind === "WorkflowTemplate")).toBe(true);
    expect(mandatory(objects)).toEqual([]);
});

test("a privileged container inside an InferenceService predictor is flagged", () => {
    const isvc = structuredClone(objects.find((o) => o.kind === "InferenceService"));
    const container = isvc.spec.predictor.model ?? isvc.spec.predictor.containers[0];
    container.securityContext = { ...(container.securityContext ?? {}), privileged: true };
    expect(mandatory([isvc]).map((v) => v.name).join(" ")).toContain(isvc.metadata.name);
});

test("a hostPath volume in an Argo WorkflowTemplate is flagged", () => {
    const wt = structuredClone(objects.find((o) => o.kind === "WorkflowTemplate"));
    wt.spec.volumes = [...(wt.spec.volumes ?? []), { name: "host", hostPath: { path: "/" } }];
    expect(mandatory([wt]).map((v) => v.name).join(" ")).toContain(wt.metadata.name);
});
