/**
 * What each spoke's pipeline may touch in the hub resource group — exactly the hub-side objects that spoke declares,
 * by their ids — and each environment's own AKS private DNS zone.
 *
 * Decision (issue 14 §3, issue 22 §10): the hub-side halves of a spoke (the hub→spoke peering, the spoke's links on
 * the hub zones, its `*.<env>` internal record, its AKS identity's role on its AKS zone) stay in the spoke stack: they
 * need the spoke's VNet and identities, which exist only after the spoke deploys, so moving them into the hub would
 * make every new spoke a hub → spoke → hub round trip. Instead the hub grants each spoke pipeline least privilege:
 * custom roles assigned at the child resource ids that spoke creates (Azure authorises a child PUT at the child's
 * own scope, and accepts assignments on ids that do not exist yet), so dev's pipeline cannot touch prd's peering,
 * links or records. The one API-server zone all spokes shared is split per environment (`<env>.privatelink.<region>.
 * azmk8s.io`, the subzone form Learn aks/private-clusters.md documents): each AKS identity, and the pipeline that
 * assigns its role (Role Based Access Control Administrator on that zone, conditioned to Private DNS Zone Contributor
 * for service principals), reaches its own environment's zone only.
 * These assignments are written by whoever deploys the hub (its role-assignment right is the hub's, not a spoke's).
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import type { Namer } from "../core/naming";
import { assignmentCondition } from "../rbac/condition";
import { BUILT_IN_ROLES, grant, readyAfter, stableGuid, subscriptionIdOf } from "../rbac/roles";
import { isPrivateLinkZone, type PrivateDnsZoneKey } from "./dns-zones";

export interface SpokeAccessFacts {
    /** Spoke stack, e.g. dev-uaenorth. */
    stack: string;
    environment: string;
    /** The spoke's namer: the hub-side objects' names are the spoke's (peering, link, record). */
    names: Namer;
    /** Object id of the spoke's pipeline (its aiplatform:rbac.automation); none: nothing to grant. */
    automation?: string;
}

export interface SpokeAccessArgs {
    /** The hub stack's name (custom role names are unique per tenant). */
    stack: string;
    spokes: SpokeAccessFacts[];
    resourceGroupId: pulumi.Input<string>;
    vnetId: pulumi.Input<string>;
    /** Every zone a spoke links, by key; `aks` is the spoke's own environment's zone. */
    zoneIds: (environment: string) => Record<PrivateDnsZoneKey, pulumi.Input<string>>;
    /** Other groups the roles must be assignable in (the DNS-owning hub's, where the shared zones are). */
    extraScopes?: pulumi.Input<string>[];
}

/** Custom roles of the hub, by what they allow on which scope. */
export const HUB_SPOKE_ROLES = {
    /** At the hub VNet: the spoke's own spoke→hub peering names the hub VNet as its remote. */
    peer: ["Microsoft.Network/virtualNetworks/read", "Microsoft.Network/virtualNetworks/peer/action"],
    /** At each child id the spoke creates: its hub→spoke peering, its zone links, its internal record. */
    attach: [
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings/read",
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write",
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings/delete",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks/read",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks/delete",
        "Microsoft.Network/privateDnsZones/A/read",
        "Microsoft.Network/privateDnsZones/A/write",
        "Microsoft.Network/privateDnsZones/A/delete",
    ],
    /** At each privatelink zone: the spoke's private endpoints register their records (DNS zone groups). */
    joinZone: ["Microsoft.Network/privateDnsZones/read", "Microsoft.Network/privateDnsZones/join/action"],
} as const;

/** GUID of the hub's custom spoke role `key` (stable: the hub deployer's RBAC Administrator condition names it). */
export function spokeRoleGuid(hubStack: string, key: keyof typeof HUB_SPOKE_ROLES): string {
    return stableGuid(`aiplatform:${hubStack}:spoke-${key}`);
}

/** Declares the spoke roles and grants under `parent`; returns them (the hub's lock waits for them). */
export function createSpokeAccess(name: string, args: SpokeAccessArgs, parent: pulumi.Resource): pulumi.CustomResource[] {
    const declared: pulumi.CustomResource[] = [];
    const subscriptionId = subscriptionIdOf(parent);
    const roles = Object.fromEntries(
        (Object.keys(HUB_SPOKE_ROLES) as (keyof typeof HUB_SPOKE_ROLES)[]).map((key) => {
            const guid = spokeRoleGuid(args.stack, key);
            const def = new authorization.RoleDefinition(
                `${name}-role-${key}`,
                {
                    roleDefinitionId: guid,
                    roleName: `aiplatform spoke ${key} (${args.stack})`,
                    description: `Spoke pipelines on their own hub-side objects: ${key} (components/hub/spoke-access.ts).`,
                    roleType: "CustomRole",
                    scope: args.resourceGroupId,
                    assignableScopes: [args.resourceGroupId, ...(args.extraScopes ?? [])],
                    permissions: [{ actions: [...HUB_SPOKE_ROLES[key]], notActions: [], dataActions: [], notDataActions: [] }],
                },
                { parent },
            );
            declared.push(def);
            return [key, readyAfter(guid, [def])];
        }),
    ) as Record<keyof typeof HUB_SPOKE_ROLES, pulumi.Output<string>>;

    for (const s of args.spokes.filter((x) => x.automation)) {
        const zones = args.zoneIds(s.environment);
        const to = (key: string, role: keyof typeof HUB_SPOKE_ROLES | { builtIn: "rbacAdministrator"; condition: string }, scope: pulumi.Input<string>, why: string) =>
            declared.push(
            grant(
                `${name}-${s.environment}-${key}`,
                {
                    principalId: s.automation!,
                    principalType: "ServicePrincipal",
                    role: typeof role === "string" ? { customRoleGuid: roles[role] } : role.builtIn,
                    scope,
                    subscriptionId,
                    description: `${s.stack} pipeline: ${why}`,
                    ...(typeof role === "string" ? {} : { condition: role.condition }),
                },
                parent,
            ),
            );
        to("peer", "peer", args.vnetId, "peer its VNet with the hub");
        to("peering", "attach", pulumi.interpolate`${args.vnetId}/virtualNetworkPeerings/${s.names.of("peering", "from-hub")}`, "its hub→spoke peering");
        for (const key of Object.keys(zones) as PrivateDnsZoneKey[]) {
            to(`link-${key}`, "attach", pulumi.interpolate`${zones[key]}/virtualNetworkLinks/${s.names.of("virtualNetwork")}`, `its VNet link on the ${key} zone`);
            if (isPrivateLinkZone(key) && key !== "aks") to(`join-${key}`, "joinZone", zones[key], `register its private endpoints in the ${key} zone`);
        }
        to("record-internal", "attach", pulumi.interpolate`${zones.internal}/A/*.${s.environment}`, "its *.<env> internal record");
        to("aks-zone-rbac", { builtIn: "rbacAdministrator", condition: assignmentCondition([{ roles: [BUILT_IN_ROLES.privateDnsZoneContributor.id], principalTypes: ["ServicePrincipal"] }]) }, zones.aks, "grant its AKS identity Private DNS Zone Contributor on its own API-server zone");
    }
    return declared;
}
