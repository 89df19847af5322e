/**
 * Hub stack program (hub-uaenorth): the shared network and logging every spoke peers with.
 * Its return value is the HubOutputs contract (components/hub/outputs.ts) the spokes read.
 */
import { loadHubConfig, peerHubFacts } from "../config";
import { Namer } from "../components/core/naming";
import { applyStackDefaults } from "../components/core/stack-defaults";
import { Foundation } from "../components/foundation";
import { DefenderPlans } from "../components/defender";
import { Hub } from "../components/hub";
import type { HubExportValues } from "../components/hub/outputs";
import * as pulumi from "@pulumi/pulumi";

export = async (): Promise<HubExportValues> => {
    const cfg = loadHubConfig();
    applyStackDefaults({ environment: cfg.environment, location: cfg.location, ...cfg.tags });
    const names = new Namer({ prefix: cfg.namePrefix, environment: "hub", location: cfg.location });
    // Each spoke's environment is its stack name's prefix; its names follow the hub's prefix and region; its pipeline
    // is the hub's spokePipelines entry (the hub never reads spoke files).
    const spokes = Object.keys(cfg.spokes).map((stack) => {
        const environment = stack.split("-")[0];
        return { stack, environment, names: new Namer({ prefix: cfg.namePrefix, environment, location: cfg.location }), automation: cfg.spokePipelines[stack] };
    });

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
        environments: spokes.map((s) => s.environment),
        spokeAccess: { stack: pulumi.getStack(), spokes },
        peers: peerHubFacts(pulumi.getStack()),
        privateDnsZonesHub: cfg.privateDnsZonesHub,
        deployerPrincipalId: cfg.rbac.automation,
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
        aksPrivateDnsZoneIds: pulumi.output(hub.aksPrivateDnsZoneIds),
        aksPrivateDnsZoneNames: pulumi.output(hub.aksPrivateDnsZoneNames),
        ipGroupIds: pulumi.output(hub.ipGroupIds),
    };
};
