/**
 * Where the cluster's telemetry goes, as the AKS ARM templates wire it: with Entra-authenticated agents, nothing
 * flows until a data collection rule is associated with the cluster.
 * - Container Insights (`omsagent` add-on, useAADAuth): rule MSCI-<region>-<cluster> → the spoke Log Analytics.
 * - Managed Prometheus (`azureMonitorProfile.metrics`): Azure Monitor workspace + endpoint + rule
 *   MSProm-<region>-<cluster> (prometheusForwarder → the workspace), both associated with the cluster.
 */
import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import type { Namer } from "../core/naming";

export interface ClusterMonitoringArgs {
    names: Namer;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    /** Azure name of the cluster (rule names embed it, as AKS does). */
    clusterName: string;
    clusterId: pulumi.Input<string>;
    /** Spoke Log Analytics workspace (Container Insights destination). */
    workspaceId: pulumi.Input<string>;
}

export function containerInsights(name: string, args: ClusterMonitoringArgs, parent: pulumi.Resource): monitor.DataCollectionRule {
    const stream = "Microsoft-ContainerInsights-Group-Default";
    const dcr = new monitor.DataCollectionRule(
        `${name}-container-insights`,
        {
            dataCollectionRuleName: `MSCI-${args.location}-${args.clusterName}`,
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            kind: "Linux",
            description: `Container Insights for ${args.clusterName}`,
            dataSources: {
                extensions: [
                    {
                        name: "ContainerInsightsExtension",
                        extensionName: "ContainerInsights",
                        streams: [stream],
                        extensionSettings: { dataCollectionSettings: { interval: "1m", namespaceFilteringMode: "Off", enableContainerLogV2: true } },
                    },
                ],
            },
            destinations: { logAnalytics: [{ name: "ciworkspace", workspaceResourceId: args.workspaceId }] },
            dataFlows: [{ streams: [stream], destinations: ["ciworkspace"] }],
        },
        { parent },
    );
    new monitor.DataCollectionRuleAssociation(
        `${name}-container-insights-dcra`,
        { associationName: "ContainerInsightsExtension", resourceUri: args.clusterId, dataCollectionRuleId: dcr.id, description: "Container Insights" },
        { parent },
    );
    return dcr;
}

export interface ManagedPrometheus {
    workspace: monitor.AzureMonitorWorkspace;
    rule: monitor.DataCollectionRule;
}

export function managedPrometheus(name: string, args: ClusterMonitoringArgs, parent: pulumi.Resource): ManagedPrometheus {
    const stream = "Microsoft-PrometheusMetrics";
    const ruleName = `MSProm-${args.location}-${args.clusterName}`;
    const workspace = new monitor.AzureMonitorWorkspace(
        `${name}-prometheus`,
        {
            azureMonitorWorkspaceName: args.names.of("monitorWorkspace"),
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            // Ingestion goes through the endpoint below; queries (Grafana) stay on the public endpoint with Entra auth.
        },
        { parent },
    );
    const endpoint = new monitor.DataCollectionEndpoint(
        `${name}-prometheus-dce`,
        { dataCollectionEndpointName: ruleName, resourceGroupName: args.resourceGroupName, location: args.location, kind: "Linux" },
        { parent },
    );
    const rule = new monitor.DataCollectionRule(
        `${name}-prometheus-dcr`,
        {
            dataCollectionRuleName: ruleName,
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            kind: "Linux",
            description: `Managed Prometheus for ${args.clusterName}`,
            dataCollectionEndpointId: endpoint.id,
            dataSources: { prometheusForwarder: [{ name: "PrometheusDataSource", streams: [stream], labelIncludeFilter: {} }] },
            destinations: { monitoringAccounts: [{ name: "MonitoringAccount1", accountResourceId: workspace.id }] },
            dataFlows: [{ streams: [stream], destinations: ["MonitoringAccount1"] }],
        },
        { parent },
    );
    new monitor.DataCollectionRuleAssociation(
        `${name}-prometheus-dcra`,
        { associationName: ruleName, resourceUri: args.clusterId, dataCollectionRuleId: rule.id, description: "Managed Prometheus" },
        { parent },
    );
    // The agent reads its configuration from the endpoint: AKS expects this fixed association name.
    new monitor.DataCollectionRuleAssociation(
        `${name}-prometheus-dcea`,
        { associationName: "configurationAccessEndpoint", resourceUri: args.clusterId, dataCollectionEndpointId: endpoint.id, description: "Managed Prometheus endpoint" },
        { parent },
    );
    return { workspace, rule };
}
