/**
 * The base of every stack: its resource group and Log Analytics workspace. Everything else lands in them.
 */
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import type { Namer } from "../core/naming";

export interface FoundationArgs {
    names: Namer;
    location: string;
    /** Log Analytics retention in days (30 minimum; 90+ in prd). */
    retentionDays: number;
    /** Daily ingestion cap in GB; -1 for none. */
    dailyQuotaGb: number;
}

export interface FoundationOutputs {
    resourceGroupName: pulumi.Output<string>;
    resourceGroupId: pulumi.Output<string>;
    workspaceId: pulumi.Output<string>;
    workspaceCustomerId: pulumi.Output<string>;
}

export function createFoundation(name: string, args: FoundationArgs, parent: pulumi.Resource): FoundationOutputs {
    const rg = new resources.ResourceGroup(
        `${name}-rg`,
        { resourceGroupName: args.names.of("resourceGroup"), location: args.location },
        { parent },
    );
    const workspace = new operationalinsights.Workspace(
        `${name}-log`,
        {
            workspaceName: args.names.of("logAnalytics"),
            resourceGroupName: rg.name,
            location: args.location,
            sku: { name: "PerGB2018" },
            retentionInDays: args.retentionDays,
            workspaceCapping: { dailyQuotaGb: args.dailyQuotaGb },
            // Readers see only the logs of resources they can read (AKS namespaces, not the whole workspace).
            features: { enableLogAccessUsingOnlyResourcePermissions: true },
        },
        { parent },
    );
    return {
        resourceGroupName: rg.name,
        resourceGroupId: rg.id,
        workspaceId: workspace.id,
        workspaceCustomerId: workspace.customerId,
    };
}

export class Foundation extends pulumi.ComponentResource implements FoundationOutputs {
    public readonly resourceGroupName: pulumi.Output<string>;
    public readonly resourceGroupId: pulumi.Output<string>;
    public readonly workspaceId: pulumi.Output<string>;
    public readonly workspaceCustomerId: pulumi.Output<string>;

    constructor(name: string, args: FoundationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:foundation:Foundation", name, {}, opts);
        const out = createFoundation(name, args, this);
        this.resourceGroupName = out.resourceGroupName;
        this.resourceGroupId = out.resourceGroupId;
        this.workspaceId = out.workspaceId;
        this.workspaceCustomerId = out.workspaceCustomerId;
        this.registerOutputs({ ...out });
    }
}
