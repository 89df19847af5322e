/**
 * The access model (issue 22): the plan's access report passes, and each forbidden path — planted on a copy of the
 * real plan, state settings or workflows — is reported under its rule.
 */
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { BUILT_IN_ROLES } from "../../components/rbac/roles";
import { accessResourcesOf } from "../../tools/access/hub-grants";
import { buildAccessModel } from "../../tools/access/model";
import { clusterPathFindings, selects } from "../../tools/access/cluster-paths";
import { esoGrantGaps, fluxPathFindings, reviewedReadFindings, sharedIdentityFindings, stackPathFindings, statePathFindings, workflowPathFindings } from "../../tools/access/paths";
import { triage } from "../../tools/plan/reports/access";
import { rbacOf } from "../../tools/plan/reports/permissions";
import { REPO_ROOT } from "../../config/stack-files";
import type { ExportResource } from "../../tools/plan/export";
import { loadPlan, loadSummary, SPOKES } from "../support/plan";
import { cfgOf } from "../support/config";

function prdModel(plant: (own: ExportResource[]) => void = () => undefined) {
    const own = structuredClone(loadPlan("prd-uaenorth").deployment.resources);
    plant(own);
    return buildAccessModel("prd-uaenorth", own, rbacOf({ "aiplatform:rbac": cfgOf("prd-uaenorth").rbac }), accessResourcesOf(loadPlan("hub-uaenorth")));
}
/** A copy of a planned assignment given to `principalId` with `role` at `scope`. */
function planted(own: ExportResource[], principalId: string, role: string, scope: string): void {
    const template = own.find((r) => r.type === "azure-native:authorization:RoleAssignment")!;
    own.push({ ...template, urn: `${template.urn}-planted`, inputs: { ...template.inputs, principalId, principalType: "Group", roleDefinitionId: `/x/${role}`, scope, condition: undefined } });
}
const idOf = (own: ExportResource[], type: string) => String(own.find((r) => r.type === type)!.id);

describe("access report on the plan", () => {
    it.each(["hub-uaenorth", ...SPOKES])("%s: no forbidden path", (stack) => {
        const report = loadSummary().stacks.find((s) => s.stack === stack)!.reports.find((r) => r.title.startsWith("access:"))!;
        expect(report.lines.filter((l) => l.startsWith("FORBIDDEN"))).toEqual([]);
        expect(report.failures).toBe(0);
    });

    it.each(SPOKES)("%s: no path from the planned grants", (stack) => {
        const own = loadPlan(stack).deployment.resources;
        const m = buildAccessModel(stack, own, rbacOf({ "aiplatform:rbac": cfgOf(stack).rbac }), accessResourcesOf(loadPlan("hub-uaenorth")));
        expect(stackPathFindings(m, cfgOf(stack).environment)).toEqual([]);
    });
});

describe("forbidden paths are found", () => {
    const developers = cfgOf("prd-uaenorth").rbac.developers[0];

    it("P1: a developer group reading prd secrets", () => {
        const m = prdModel((own) => planted(own, developers, BUILT_IN_ROLES.keyVaultSecretsUser.id, idOf(own, "azure-native:keyvault:Vault")));
        expect(stackPathFindings(m, "prd").map((f) => f.rule)).toEqual(["P1"]);
    });

    it("P1: ESO's identity reading the whole vault again (vault-scope Secrets User instead of one grant per secret)", () => {
        const m = prdModel((own) => {
            const eso = own.find((r) => r.type === "azure-native:managedidentity:UserAssignedIdentity" && String((r.inputs as any).resourceName).endsWith("-eso"))!;
            planted(own, String((eso.outputs as any).principalId), BUILT_IN_ROLES.keyVaultSecretsUser.id, idOf(own, "azure-native:keyvault:Vault"));
        });
        expect(stackPathFindings(m, "prd").map((f) => f.message)).toEqual([expect.stringMatching(/^prd: workload external-secrets\/key-vault-reader .* can read every secret of kv-aip-prd-uaen through Key Vault Secrets User at the vault scope/)]);
    });

    it("a secret the rendered tree reads without ESO's per-secret grant fails; cluster-vars keys are substituted", () => {
        const es = (name: string, keys: string[]) => ({ kind: "ExternalSecret", metadata: { name, namespace: "ai-serving" }, spec: { data: keys.map((key) => ({ remoteRef: { key } })) } });
        const objects = [es("granted", ["hf-token", "${origin_cert_secret}"]), es("new", ["team-api-key"])];
        expect(esoGrantGaps(prdModel(), objects)).toEqual([expect.stringMatching(/^ExternalSecret ai-serving\/new reads Key Vault secret 'team-api-key', but workload external-secrets\/key-vault-reader .* has no grant on .*\/vaults\/kv-aip-prd-uaen\/secrets\/team-api-key$/)]);
    });

    it("P2: a developer group writing prd (Contributor on the group, AKS RBAC Writer on a namespace)", () => {
        const m = prdModel((own) => {
            planted(own, developers, BUILT_IN_ROLES.contributor.id, idOf(own, "azure-native:resources:ResourceGroup"));
            planted(own, developers, BUILT_IN_ROLES.aksRbacWriter.id, `${idOf(own, "azure-native:containerservice:ManagedCluster")}/namespaces/team-nlp`);
        });
        expect(stackPathFindings(m, "prd").map((f) => f.rule)).toEqual(["P2", "P2"]);
    });

    it("P3: another environment's state identity on prd's state, or prd's own from any branch", () => {
        const settings = parse(fs.readFileSync(path.join(REPO_ROOT, "state-backend/settings.yaml"), "utf8"));
        expect(statePathFindings(settings)).toEqual([]);
        settings.identities.dev.decrypt = [...settings.identities.dev.decrypt, "prd-uaenorth"];
        settings.identities.stg.stacks = [...settings.identities.stg.stacks, "prd-uaenorth"];
        settings.identities["prd-read"].branches = "any";
        const found = statePathFindings(settings).map((f) => f.message);
        expect(found).toEqual([
            expect.stringMatching(/^state identity 'dev' may decrypt/),
            expect.stringMatching(/^state identity 'stg' may write/),
            expect.stringMatching(/^prd's state identity 'prd-read' .* from branches 'any'/),
        ]);
    });

    it("P4: a prd rollout outside the prd environment, and prd Flux on a moving ref", () => {
        const file = path.join(REPO_ROOT, ".github/workflows/deploy.yml");
        const doc = parse(fs.readFileSync(file, "utf8"));
        expect(workflowPathFindings({ "deploy.yml": stringify(doc) })).toEqual([]);
        doc.jobs.prd.with.environment = "stg";
        expect(workflowPathFindings({ "deploy.yml": stringify(doc) }).map((f) => f.rule)).toEqual(["P4"]);
        const m = prdModel((own) => {
            const flux = own.find((r) => r.type === "azure-native:kubernetesconfiguration:FluxConfiguration")!;
            (flux.inputs as any).gitRepository.repositoryRef = { branch: "main" };
        });
        expect(fluxPathFindings(m, "prd").map((f) => f.message)).toEqual([expect.stringContaining("branch 'main'")]);
    });

    it("P7: stg/prd previews and drift from environments without required reviewers", () => {
        const settings = parse(fs.readFileSync(path.join(REPO_ROOT, "state-backend/settings.yaml"), "utf8"));
        const read = (f: string) => fs.readFileSync(path.join(REPO_ROOT, ".github/workflows", f), "utf8");
        const workflows = { "deploy.yml": read("deploy.yml"), "drift.yml": read("drift.yml") };
        expect(reviewedReadFindings(settings, workflows)).toEqual([]);
        settings.identities["prd-read"].reviewers = false;
        const drift = parse(workflows["drift.yml"]);
        drift.jobs.drift.strategy.matrix.include.find((r: any) => r.stack === "stg-uaenorth").environment = "stg-audit";
        expect(reviewedReadFindings(settings, { ...workflows, "drift.yml": stringify(drift) }).map((f) => f.message)).toEqual([
            "state identity 'prd-read' decrypts prd-uaenorth's state without required reviewers (state-backend/settings.yaml identities.prd-read.reviewers)",
            "deploy.yml: job 'prd-preview' runs preview on prd-uaenorth in environment 'prd-read', which has no required reviewers",
            "drift.yml: job 'drift' runs drift on stg-uaenorth in environment 'stg-audit', which state-backend/settings.yaml does not declare",
            "drift.yml: job 'drift' runs drift on prd-uaenorth in environment 'prd-read', which has no required reviewers",
        ]);
    });

    it("P5: one pipeline principal in two stack files", () => {
        const root = fs.mkdtempSync(path.join(require("os").tmpdir(), "p5-"));
        fs.mkdirSync(path.join(root, "hub"));
        for (const [dir, file] of [[root, "Pulumi.yaml"], [path.join(root, "hub"), "Pulumi.yaml"]]) fs.writeFileSync(path.join(dir, file), "name: x\nruntime: nodejs\n");
        const stackFile = (env: string) => `config:\n  aiplatform:environment: ${env}\n  aiplatform:rbac:\n    automation: "00000000-0000-4000-8000-000000000001"\n`;
        fs.writeFileSync(path.join(root, "Pulumi.dev-x.yaml"), stackFile("dev"));
        fs.writeFileSync(path.join(root, "Pulumi.prd-x.yaml"), stackFile("prd"));
        expect(sharedIdentityFindings(root).map((f) => f.rule)).toEqual(["P5"]);
        expect(sharedIdentityFindings(REPO_ROOT)).toEqual([]);
    });

    it("filed findings print as OPEN with their issue, new ones fail", () => {
        const open = [{ rule: "P3", contains: "state identity 'preview' may decrypt", issue: "issue 22 §1" }];
        const { failures, filed } = triage([{ rule: "P3", message: "state identity 'preview' may decrypt (every secret in it) prd-uaenorth's state" }, { rule: "P1", message: "x" }], open);
        expect(failures.map((f) => f.rule)).toEqual(["P1"]);
        expect(filed).toEqual([expect.stringMatching(/^OPEN \[P3\].*issue 22 §1/)]);
    });
});

describe("cluster paths from the rendered tree (P2 Kubernetes RBAC in prd, P6 tenant secrets)", () => {
    const platform = "0b7e8c9d-1a2b-4c3d-8e4f-5a6b7c8d9e02";
    const ns = (name: string, tier: string) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "aiplatform.io/tier": tier } } });
    const binding = (namespace: string, role: string, group: string) => ({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: `b-${role}`, namespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
        subjects: [{ kind: "Group", name: group }],
    });
    const store = (conditions?: unknown[]) => ({ apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "azure-key-vault" }, spec: { ...(conditions ? { conditions } : {}) } });
    const eso = (values: unknown) => ({ apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", metadata: { name: "external-secrets" }, spec: { chart: { spec: { chart: "external-secrets" } }, values } });
    const wi = { serviceAccount: { annotations: { "azure.workload.identity/client-id": "${eso_client_id}" } } };
    const tierCondition = [{ namespaceSelector: { matchExpressions: [{ key: "aiplatform.io/tier", operator: "In", values: ["platform", "ai"] }] } }];
    const base = [ns("team-nlp", "tenant"), ns("mlflow", "ai"), store(tierCondition), binding("team-nlp", "view", "dev-group")];

    it("label selectors as Kubernetes evaluates them", () => {
        expect(selects({ matchExpressions: [{ key: "t", operator: "In", values: ["a"] }] }, { t: "a" })).toBe(true);
        expect(selects({ matchExpressions: [{ key: "t", operator: "NotIn", values: ["a"] }] }, { t: "b" })).toBe(true);
        expect(selects({ matchLabels: { t: "a" } }, { t: "b" })).toBe(false);
        expect(selects({}, {})).toBe(true);
    });

    it("a view-only tenant behind a tier-conditioned store, ESO without aggregation: no path", () => {
        expect(clusterPathFindings([...base, eso({ rbac: { aggregateToEdit: false }, ...wi })], "prd", [platform])).toEqual([]);
    });

    it("P6: a ClusterSecretStore without conditions (or admitting tenants) serves the tenant", () => {
        expect(clusterPathFindings([ns("team-nlp", "tenant"), store()], "dev", []).map((f) => f.rule)).toEqual(["P6"]);
        expect(clusterPathFindings([ns("team-nlp", "tenant"), store([{ namespaces: ["team-nlp"] }])], "dev", []).map((f) => f.rule)).toEqual(["P6"]);
    });

    it("P6: an edit tenant may create a SecretStore as the controller's workload identity (chart default aggregation)", () => {
        const found = clusterPathFindings([ns("team-nlp", "tenant"), store(tierCondition), binding("team-nlp", "edit", "dev-group"), eso(wi)], "dev", []);
        expect(found.map((f) => f.message)).toEqual([expect.stringContaining("tenant namespace team-nlp may create a SecretStore")]);
    });

    it("P2: in prd only the platform group may hold edit/admin bindings", () => {
        const objs = [...base, binding("team-nlp", "edit", "dev-group"), binding("monitoring", "admin", platform)];
        expect(clusterPathFindings(objs, "prd", [platform]).map((f) => f.message)).toEqual([expect.stringContaining("Group dev-group can write namespace team-nlp")]);
        expect(clusterPathFindings(objs, "dev", [platform])).toEqual([]);
    });
});
