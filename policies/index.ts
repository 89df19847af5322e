/**
 * The CrossGuard entry point (`pulumi preview --policy-pack policies`). Constructing a PolicyPack starts the
 * analyzer's gRPC server, so nothing else may import this file: tests and tools import ./pack instead.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, rules } from "./pack";

new PolicyPack(PACK_NAME, {
    description: "Azure AI platform: tagging, AKS, ACR, Key Vault, storage, network and Kubernetes workload rules.",
    policies: [...rules],
});
