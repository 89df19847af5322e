/**
 * Spoke stack program (dev-uaenorth, stg-uaenorth, prd-uaenorth): reads config, composes components.
 * No resource logic lives here; each concern is one folder under components/.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadSpokeConfig } from "./config";
import { Namer } from "./components/core/naming";
import { applyStackDefaults } from "./components/core/stack-defaults";
import { Foundation } from "./components/foundation";
import { readHubOutputs } from "./components/hub/outputs";
import { SpokeNetwork } from "./components/network";
import { AksCluster } from "./components/aks";
import { PoolSchedule } from "./components/scaling";

export = async () => {
    const cfg = loadSpokeConfig();
    applyStackDefaults({ environment: cfg.environment, location: cfg.location, ...cfg.tags });
    const names = new Namer({ prefix: cfg.namePrefix, environment: cfg.environment, location: cfg.location });

    const hub = readHubOutputs(new pulumi.StackReference("hub", { name: cfg.hubStack }));
    const foundation = new Foundation("spoke", {
        names,
        location: cfg.location,
        retentionDays: cfg.logAnalytics.retentionDays,
        dailyQuotaGb: cfg.logAnalytics.dailyQuotaGb,
    });
    const network = new SpokeNetwork("spoke", {
        names,
        location: cfg.location,
        resourceGroupName: foundation.resourceGroupName,
        workspaceId: foundation.workspaceId,
        network: cfg.network,
        hub,
    });
    const aks = new AksCluster("spoke-aks", {
        names,
        location: cfg.location,
        resourceGroupName: foundation.resourceGroupName,
        workspaceId: foundation.workspaceId,
        config: cfg,
        network: {
            subnetIds: network.subnetIds,
            routeTableId: network.routeTableId,
            ingressRouteTableId: network.ingressRouteTableId,
            ingressPublicIpId: network.ingressPublicIpId,
            privateDnsZoneId: network.privateDnsZoneIds.aks,
        },
    });
    if (cfg.scaling.enabled) {
        new PoolSchedule("spoke-scaling", {
            names,
            location: cfg.location,
            resourceGroupName: foundation.resourceGroupName,
            resourceGroupId: foundation.resourceGroupId,
            clusterId: aks.clusterId,
            pools: cfg.scaling.pools,
            scaleDown: cfg.scaling.scaleDown,
            scaleUp: cfg.scaling.scaleUp,
            timeZone: cfg.scaling.timeZone,
            workspaceId: foundation.workspaceId,
        });
    }

    return {
        environment: cfg.environment,
        resourceGroupName: foundation.resourceGroupName,
        workspaceId: foundation.workspaceId,
        hubResourceGroupName: hub.resourceGroupName,
        vnetId: network.vnetId,
        ingressPublicIpAddress: network.ingressPublicIpAddress,
        ingressInternalIp: network.ingressInternalIp,
        clusterName: aks.clusterName,
        oidcIssuerUrl: aks.oidcIssuerUrl,
        kubeletIdentityObjectId: aks.kubeletIdentityObjectId,
    };
};
