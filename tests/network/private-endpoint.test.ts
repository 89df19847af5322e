/**
 * The private-endpoint helper under Pulumi mocks: endpoint in the given subnet connecting to the target's
 * sub-resource, and a DNS zone group registering it in the zone passed for that sub-resource.
 */
import * as pulumi from "@pulumi/pulumi";

interface Recorded {
    type: string;
    name: string;
    inputs: Record<string, any>;
}
const recorded: Recorded[] = [];

pulumi.runtime.setMocks(
    {
        newResource(args) {
            recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
            const name = args.inputs.privateEndpointName ?? args.inputs.privateDnsZoneGroupName ?? args.name;
            return { id: `/subscriptions/s/resourceGroups/rg/providers/x/${name}`, state: { ...args.inputs, name } };
        },
        call(args) {
            throw new Error(`unexpected call ${args.token}`);
        },
    },
    "aiplatform",
    "dev-uaenorth",
    true,
);

const SUBNET = "/subscriptions/s/resourceGroups/rg-aip-dev-uaen/providers/Microsoft.Network/virtualNetworks/vnet-aip-dev-uaen/subnets/snet-aip-dev-uaen-private-endpoints";
const VAULT = "/subscriptions/s/resourceGroups/rg-aip-dev-uaen/providers/Microsoft.KeyVault/vaults/kv-aip-dev-uaen";
const ZONE = "/subscriptions/s/resourceGroups/rg-aip-hub-uaen/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net";

let PRIVATE_LINK_GROUPS: typeof import("../../components/network/private-endpoint").PRIVATE_LINK_GROUPS;
let PRIVATE_DNS_ZONE_KEYS: readonly string[];

beforeAll(async () => {
    const { privateEndpoint, PRIVATE_LINK_GROUPS: groups } = await import("../../components/network/private-endpoint");
    const { Namer } = await import("../../components/core/naming");
    PRIVATE_LINK_GROUPS = groups;
    PRIVATE_DNS_ZONE_KEYS = (await import("../../components/hub/dns-zones")).PRIVATE_DNS_ZONE_KEYS;
    class Parent extends pulumi.ComponentResource {
        constructor() {
            super("test:index:Parent", "parent", {});
        }
    }
    const parent = new Parent();
    const names = new Namer({ prefix: "aip", environment: "dev", location: "uaenorth" });
    const out = privateEndpoint(
        "secrets-kv",
        { names, role: "kv", resourceGroupName: "rg-aip-dev-uaen", location: "uaenorth", subnetId: SUBNET, targetId: VAULT, groupId: "vault", privateDnsZoneId: ZONE },
        parent,
    );
    await new Promise<void>((resolve) => pulumi.all([out.endpoint.id, out.zoneGroup.id]).apply(() => resolve()));
});

const find = (type: string) => {
    const r = recorded.filter((x) => x.type === type);
    expect(r).toHaveLength(1);
    return r[0];
};

test("endpoint: named by the namer, in the given subnet, connecting to the target's sub-resource", () => {
    const pe = find("azure-native:network:PrivateEndpoint");
    expect(pe.name).toBe("secrets-kv-pe");
    expect(pe.inputs).toMatchObject({
        privateEndpointName: "pe-aip-dev-uaen-kv",
        customNetworkInterfaceName: "pe-aip-dev-uaen-kv-nic",
        resourceGroupName: "rg-aip-dev-uaen",
        location: "uaenorth",
        subnet: { id: SUBNET },
        privateLinkServiceConnections: [{ name: "pe-aip-dev-uaen-kv-vault", privateLinkServiceId: VAULT, groupIds: ["vault"] }],
    });
});

test("zone group: registers the endpoint in the zone passed for its sub-resource", () => {
    const zg = find("azure-native:network:PrivateDnsZoneGroup");
    expect(zg.name).toBe("secrets-kv-dns");
    expect(zg.inputs).toMatchObject({
        privateDnsZoneGroupName: "default",
        privateEndpointName: "pe-aip-dev-uaen-kv",
        resourceGroupName: "rg-aip-dev-uaen",
        privateDnsZoneConfigs: [{ name: "privatelink-vaultcore-azure-net", privateDnsZoneId: ZONE }],
    });
});

test("every private-link group the helper accepts has a hub zone of the same key", () => {
    for (const group of Object.keys(PRIVATE_LINK_GROUPS)) expect(PRIVATE_DNS_ZONE_KEYS).toContain(group);
});
