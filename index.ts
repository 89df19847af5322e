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

    return {
        environment: cfg.environment,
        resourceGroupName: foundation.resourceGroupName,
        workspaceId: foundation.workspaceId,
        hubResourceGroupName: hub.resourceGroupName,
        vnetId: network.vnetId,
        ingressPublicIpAddress: network.ingressPublicIpAddress,
        ingressInternalIp: network.ingressInternalIp,
    };
};
