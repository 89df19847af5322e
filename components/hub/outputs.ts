/**
 * The contract between the hub stack and the spokes: what hub/index.ts exports and what a spoke reads through
 * its StackReference. Add a field here, export it from the hub, and read it with `readHubOutputs`.
 */
import * as pulumi from "@pulumi/pulumi";

export interface HubOutputs {
    location: string;
    resourceGroupName: string;
    workspaceId: string;
}

export const HUB_OUTPUT_KEYS: (keyof HubOutputs)[] = ["location", "resourceGroupName", "workspaceId"];

export type HubOutputValues = { [K in keyof HubOutputs]: pulumi.Output<HubOutputs[K]> };

/** Typed view of the hub stack's outputs; a missing output fails the spoke's deployment with its name. */
export function readHubOutputs(ref: pulumi.StackReference): HubOutputValues {
    const out = {} as Record<string, pulumi.Output<unknown>>;
    for (const key of HUB_OUTPUT_KEYS) out[key] = ref.requireOutput(key);
    return out as HubOutputValues;
}
