/**
 * The managed-Prometheus path, which no committed stack turns on: the cluster component alone under the plan's mock
 * answers (tools/plan/arm.ts), with dev's config and `aks.monitoring.managedPrometheus: true`.
 */
import * as pulumi from "@pulumi/pulumi";
import { AddressBook, armId, callResult, computedOutputs } from "../../tools/plan/arm";
import { validateSpokeConfig } from "../../config";
import { rawSpoke } from "../support/config";

interface Seen {
    type: string;
    name: string;
    inputs: Record<string, any>;
    id: string;
}

const seen: Seen[] = [];

beforeAll(async () => {
    const book = new AddressBook();
    await pulumi.runtime.setMocks(
        {
            newResource: (a) => {
                const id = armId(a.type, a.inputs, a.name);
                seen.push({ type: a.type, name: a.name, inputs: a.inputs, id });
                return { id, state: a.type.startsWith("azure-native:") ? computedOutputs(a.type, a.inputs, id, a.name, book, "uaenorth") : a.inputs };
            },
            call: (a) => callResult(a.token, a.inputs),
        },
        "aiplatform",
        "dev-uaenorth",
        false,
    );
    const raw = rawSpoke("dev-uaenorth");
    raw.aks.monitoring = { managedPrometheus: true };
    const cfg = validateSpokeConfig("dev-uaenorth", "Pulumi.dev-uaenorth.yaml", raw);
    const { Namer } = await import("../../components/core/naming");
    const { AksCluster } = await import("../../components/aks");
    const subnet = (s: string) => `/subscriptions/s/resourceGroups/rg-aip-dev-uaen/providers/Microsoft.Network/virtualNetworks/v/subnets/${s}`;
    await pulumi.runtime.runInPulumiStack(async () => {
        new AksCluster("spoke-aks", {
            names: new Namer({ prefix: cfg.namePrefix, environment: cfg.environment, location: cfg.location }),
            location: cfg.location,
            resourceGroupName: "rg-aip-dev-uaen",
            workspaceId: "/subscriptions/s/resourceGroups/rg-aip-dev-uaen/providers/Microsoft.OperationalInsights/workspaces/log-aip-dev-uaen",
            config: cfg,
            network: {
                vnetId: "/subscriptions/s/resourceGroups/rg-aip-dev-uaen/providers/Microsoft.Network/virtualNetworks/v",
                subnetIds: { system: subnet("system"), user: subnet("user"), gpu: subnet("gpu"), apiServer: subnet("api"), ingressPublic: subnet("ingp"), ingressInternal: subnet("ingi") },
                routeTableId: "/rt-nodes",
                ingressRouteTableId: "/rt-ingress",
                ingressPublicIpId: "/pip",
                privateDnsZoneId: "/zone",
            },
        });
        return {};
    });
    // Waits for every outstanding registration (the cluster's children register once its id is known).
    await pulumi.runtime.disconnect();
});

const byType = (t: string) => seen.filter((r) => r.type === `azure-native:${t}`);

it("enables the metrics add-on with the pool labels exported by kube-state-metrics", () => {
    const [cluster] = byType("containerservice:ManagedCluster");
    expect(cluster.inputs.azureMonitorProfile).toEqual({
        metrics: {
            enabled: true,
            kubeStateMetrics: { metricLabelsAllowlist: "nodes=[aiplatform.io/pool,aiplatform.io/gpu-vendor,aiplatform.io/gpu-model,aiplatform.io/mig-profile]" },
        },
    });
});

it("sends the metrics to an Azure Monitor workspace through an endpoint and a rule associated with the cluster", () => {
    const [amw] = byType("monitor:AzureMonitorWorkspace");
    expect(amw.inputs.azureMonitorWorkspaceName).toBe("amw-aip-dev-uaen");
    const [dce] = byType("monitor:DataCollectionEndpoint");
    const rule = byType("monitor:DataCollectionRule").find((r) => r.name === "spoke-aks-prometheus-dcr")!;
    expect(rule.inputs).toMatchObject({
        dataCollectionRuleName: "MSProm-uaenorth-aks-aip-dev-uaen",
        dataCollectionEndpointId: dce.id,
        dataSources: { prometheusForwarder: [{ name: "PrometheusDataSource", streams: ["Microsoft-PrometheusMetrics"] }] },
        destinations: { monitoringAccounts: [{ name: "MonitoringAccount1", accountResourceId: amw.id }] },
        dataFlows: [{ streams: ["Microsoft-PrometheusMetrics"], destinations: ["MonitoringAccount1"] }],
    });
    const cluster = byType("containerservice:ManagedCluster")[0];
    const assoc = byType("monitor:DataCollectionRuleAssociation").filter((a) => a.inputs.resourceUri === cluster.id);
    expect(assoc.map((a) => a.inputs.associationName).sort()).toEqual(["ContainerInsightsExtension", "MSProm-uaenorth-aks-aip-dev-uaen", "configurationAccessEndpoint"]);
    expect(assoc.find((a) => a.inputs.associationName === "configurationAccessEndpoint")!.inputs.dataCollectionEndpointId).toBe(dce.id);
});
