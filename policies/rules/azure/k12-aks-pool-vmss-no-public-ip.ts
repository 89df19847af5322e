import { validateResourceOfType } from "@pulumi/policy";
import { AgentPool, ManagedCluster } from "@pulumi/azure-native/containerservice";
import { eachInlinePool } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

const NO_PUBLIC_IP = "remove enableNodePublicIP: true (nodes egress through the firewall, never their own public IP)";

export const k12AksPoolVmssNoPublicIp: ResourceRule = {
    name: "k12-aks-pool-vmss-no-public-ip",
    description:
        "Every AKS pool (inline agentPoolProfiles[] and standalone AgentPool) is a VirtualMachineScaleSets pool (unset is " +
        "allowed on AgentPool) and has no node public IPs. Matches Checkov CKV_AZURE_169 and CKV_AZURE_143.",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(ManagedCluster, (cluster, _args, report) => {
            eachInlinePool(() => cluster.agentPoolProfiles, report, (pool, r) => {
                expect(r, () => pool.type === "VirtualMachineScaleSets", "set type: \"VirtualMachineScaleSets\"");
                expect(r, () => pool.enableNodePublicIP !== true, NO_PUBLIC_IP);
            });
        }),
        validateResourceOfType(AgentPool, (pool, _args, report) => {
            expect(report, () => pool.type === undefined || pool.type === "VirtualMachineScaleSets", "set type: \"VirtualMachineScaleSets\" (or leave it unset)");
            expect(report, () => pool.enableNodePublicIP !== true, NO_PUBLIC_IP);
        }),
    ],
};
