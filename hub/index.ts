/**
 * Hub stack program (hub-uaenorth): the shared network and logging every spoke peers with.
 * Its return value is the HubOutputs contract (components/hub/outputs.ts) the spokes read.
 */
import { loadHubConfig } from "../config";
import { Namer } from "../components/core/naming";
import { applyStackDefaults } from "../components/core/stack-defaults";
import { Foundation } from "../components/foundation";
import { DefenderPlans } from "../components/defender";
import { Hub } from "../components/hub";
import type { HubOutputValues } from "../components/hub/outputs";
import * as pulumi from "@pulumi/pulumi";

export = async (): Promise<HubOutputValues> => {
    const cfg = loadHubConfig();
    applyStackDefaults({ environment: cfg.environment, location: cfg.location, ...cfg.tags });
    const names = new Namer({ prefix: cfg.namePrefix, environment: "hub", location: cfg.location });

    const foundation = new Foundation("hub", {
        names,
        location: cfg.location,
        retentionDays: cfg.logAnalytics.retentionDays,
        dailyQuotaGb: cfg.logAnalytics.dailyQuotaGb,
    });
    const hub = new Hub("hub", {
        names,
        location: cfg.location,
        resourceGroupName: foundation.resourceGroupName,
        resourceGroupId: foundation.resourceGroupId,
        workspaceId: foundation.workspaceId,
        network: cfg.network,
        bastion: cfg.features.bastion,
        spokeAddressSpaces: cfg.spokes,
    });
    new DefenderPlans("hub-defender", cfg.defender);

    return {
        location: pulumi.output(cfg.location),
        resourceGroupName: foundation.resourceGroupName,
        workspaceId: foundation.workspaceId,
        vnetId: hub.vnetId,
        vnetName: hub.vnetName,
        firewallPrivateIp: hub.firewallPrivateIp,
        firewallPublicIp: hub.firewallPublicIp,
        privateDnsZoneIds: pulumi.output(hub.privateDnsZoneIds),
        privateDnsZoneNames: pulumi.output(hub.privateDnsZoneNames),
        ipGroupIds: pulumi.output(hub.ipGroupIds),
    };
};
