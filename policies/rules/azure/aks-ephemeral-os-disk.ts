import { advisoryPoolRule } from "../../lib/azure";
import { expect } from "../../lib/values";

export const aksEphemeralOsDisk = advisoryPoolRule(
    "aks-ephemeral-os-disk",
    "Pools use ephemeral OS disks (osDiskType Ephemeral): faster reimage, no OS data persisted to Azure Storage. Matches Checkov CKV_AZURE_226.",
    (pool, report) => expect(report, () => pool.osDiskType === "Ephemeral", "set osDiskType: \"Ephemeral\" (the VM size needs a cache or temp disk as large as osDiskSizeGB)"),
);
