/**
 * Protection: `CanNotDelete` management locks on prd's resource groups (the `protect` resource option on prd's
 * stateful resources is applied stack-wide by components/core/stack-defaults.ts; this adds the Azure-side guard
 * that also stops the portal, the CLI and other tools).
 *
 * What a CanNotDelete lock on a group permits, so the platform's own operations keep working:
 * - every create and update (PUT/PATCH) and every POST action: deployments, scaling, AKS upgrades, new Key Vault
 *   secret versions (rotation writes a new version, never deletes), edge certificate renewal, new role assignments;
 * - all data-plane operations: blobs written and deleted by Loki/Tempo/MLflow, secrets read by ESO.
 * What it blocks until break-glass lifts it (docs/runbooks/break-glass.md): deleting any resource or child resource
 * in the group (node pools, private endpoints, role assignments, federated credentials, the group itself), i.e. any
 * Pulumi replacement. Locks are not applied to the AKS node resource group: AKS deletes VMs and disks there as it
 * scales and upgrades.
 * Creating/updating locks needs Microsoft.Authorization/locks/write (the pipeline's prd lock-writer role);
 * deleting them needs locks/delete, which only Owner / User Access Administrator hold.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../../config/schema";
import type { Namer } from "../core/naming";

export const LOCK_NOTES =
    "aiplatform prd: CanNotDelete. Updates, rotation and data-plane operations are allowed; deleting anything here needs break-glass (docs/runbooks/break-glass.md).";

export interface ProtectionArgs {
    names: Namer;
    environment: Environment;
    /** Resource groups to lock in prd: key (lock name role) → group ARM id. */
    resourceGroups: Record<string, pulumi.Input<string>>;
    /**
     * Everything the locks protect (components stand for all their resources): each lock depends on it, so it is
     * created last and deleted first — a lock that stands while Pulumi replaces or destroys something in its group
     * makes that delete fail (the hub's lock does the same).
     */
    after: pulumi.Resource[];
}

export interface ProtectionOutputs {
    /** Lock names declared (empty outside prd). */
    lockNames: string[];
}

export function createProtection(name: string, args: ProtectionArgs, parent: pulumi.Resource): ProtectionOutputs {
    if (args.environment !== "prd") return { lockNames: [] };
    const lockNames: string[] = [];
    for (const [role, scope] of Object.entries(args.resourceGroups)) {
        const lockName = args.names.of("lock", role);
        new authorization.ManagementLockByScope(`${name}-${role}-lock`, { lockName, scope, level: "CanNotDelete", notes: LOCK_NOTES }, { parent, dependsOn: args.after });
        lockNames.push(lockName);
    }
    return { lockNames };
}

export class Protection extends pulumi.ComponentResource implements ProtectionOutputs {
    public readonly lockNames: string[];

    constructor(name: string, args: ProtectionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:protection:Protection", name, {}, opts);
        const out = createProtection(name, args, this);
        this.lockNames = out.lockNames;
        this.registerOutputs({ lockNames: out.lockNames });
    }
}
