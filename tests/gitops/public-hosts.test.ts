/**
 * Issue 22 §6: the edge publishes only names a public Ingress owns. Unit cases on a small compliant cluster (one
 * mutation each) and the real tree: every stack's aiplatform:edge.hostnames against its rendered nginx-public Ingresses.
 */
import { namespaceValues, readStackConfig } from "../../config/stack-files";
import { type Located, publicHost, publicHostProblems } from "../../tools/gitops/checks";
import { renderCluster } from "../../tools/gitops/validate";

const FILE = "Pulumi.dev-uaenorth.yaml";
const ingress = (name: string, ns: string, host: string, ingressClassName = "nginx-public"): Located => ({
    layer: "ai",
    obj: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name, namespace: ns }, spec: { ingressClassName, rules: [{ host }] } },
});
const compliant = (): Located[] => [ingress("api", "ai-serving", publicHost("api")), ingress("mlflow", "mlflow", "mlflow.${internal_dns_zone}", "nginx-internal")];

describe("publicHostProblems", () => {
    test("a compliant cluster: each published label served by one public Ingress; internal Ingresses ignored", () => {
        expect(publicHostProblems(compliant(), ["api"], FILE)).toEqual([]);
    });

    test("a published label no Ingress serves is an error naming the stack file", () => {
        expect(publicHostProblems(compliant(), ["api", "chat"], FILE)).toEqual([
            { layer: "ai", message: "Pulumi.dev-uaenorth.yaml: aiplatform:edge.hostnames publishes 'chat' (chat.${environment}.${dns_zone}) but no Ingress of class nginx-public in this cluster serves it; remove the label or add its Ingress (an unowned record can be claimed)" },
        ]);
    });

    test("a public Ingress for a name the edge does not publish is an error", () => {
        const c = [...compliant(), ingress("grab", "ai-serving", publicHost("chat"))];
        expect(publicHostProblems(c, ["api"], FILE).map((p) => p.message)).toEqual([
            `Ingress ai-serving/grab: public host 'chat.\${environment}.\${dns_zone}' is not published by the edge (Pulumi.dev-uaenorth.yaml: aiplatform:edge.hostnames = ["api"]); serve <label>.\${environment}.\${dns_zone} for one of them`,
        ]);
    });

    test("two public Ingresses claiming one name is an error", () => {
        const c = [...compliant(), ingress("second", "ai-serving", publicHost("api"))];
        expect(publicHostProblems(c, ["api"], FILE).map((p) => p.message)).toEqual(["Ingress ai-serving/second: public host 'api.${environment}.${dns_zone}' is already served by Ingress ai-serving/api; one Ingress owns each public name"]);
    });
});

describe.each(["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"])("%s", (stack) => {
    test("every name the edge publishes is owned by exactly one public Ingress of the cluster, and nothing else is public", async () => {
        const layers = await renderCluster(stack);
        expect(layers.map((l) => l.error).filter(Boolean)).toEqual([]);
        const located = layers.flatMap((l) => l.objects.map((obj) => ({ layer: l.layer, obj })));
        const hostnames = (namespaceValues(readStackConfig(`Pulumi.${stack}.yaml`)) as any).edge.hostnames;
        expect(hostnames.length).toBeGreaterThan(0);
        expect(publicHostProblems(located, hostnames, `Pulumi.${stack}.yaml`)).toEqual([]);
    });
});
