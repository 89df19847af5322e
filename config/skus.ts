/**
 * The VM sizes this platform knows how to run, with the facts config validation and the quota report need.
 *
 * Sources (checked 2026-11):
 * - vCPUs, GPUs, temp disk: Microsoft Learn "Sizes for virtual machines in Azure" series pages
 *   (Dv5/Ddsv5, Ev5, NCasT4_v3, NC A100 v4, NCads H100 v5, ND H100 v5, ND MI300X v5).
 * - Quota family names: `az vm list-usage --location uaenorth` (`name.value`).
 * - MIG capability: AKS "Create a multi-instance GPU node pool" (A100 and H100 sizes; T4 has no MIG).
 * - Zones per region: `az vm list-skus --location <region> --size <size> --query "[].locationInfo[].zones"`.
 *   Zone availability is per subscription; treat this table as the default and refresh it from that command.
 */

export type GpuVendor = "nvidia" | "amd";

/** AKS `gpuInstanceProfile` values (containerservice.GPUInstanceProfile). */
export const MIG_PROFILES = ["MIG1g", "MIG2g", "MIG3g", "MIG4g", "MIG7g"] as const;
export type MigProfile = (typeof MIG_PROFILES)[number];

export interface VmSku {
    /** Quota family as `az vm list-usage` names it. */
    family: string;
    vcpus: number;
    /** GPUs per VM and their vendor/model; absent on CPU sizes. */
    gpu?: { vendor: GpuVendor; model: string; count: number; memoryGiB: number; migCapable: boolean };
    /** Local temp disk in GiB: ephemeral OS disks need the OS disk to fit in it (or the cache). */
    tempDiskGiB: number;
    /** Availability zones offered per region. */
    zones: Record<string, readonly string[]>;
}

const ALL_ZONES = ["1", "2", "3"] as const;

export const VM_SKUS: Record<string, VmSku> = {
    Standard_D4ds_v5: { family: "standardDDSv5Family", vcpus: 4, tempDiskGiB: 150, zones: { uaenorth: ALL_ZONES } },
    Standard_D8ds_v5: { family: "standardDDSv5Family", vcpus: 8, tempDiskGiB: 300, zones: { uaenorth: ALL_ZONES } },
    Standard_D16ds_v5: { family: "standardDDSv5Family", vcpus: 16, tempDiskGiB: 600, zones: { uaenorth: ALL_ZONES } },
    Standard_D32ds_v5: { family: "standardDDSv5Family", vcpus: 32, tempDiskGiB: 1200, zones: { uaenorth: ALL_ZONES } },
    Standard_E16ds_v5: { family: "standardEDSv5Family", vcpus: 16, tempDiskGiB: 600, zones: { uaenorth: ALL_ZONES } },
    Standard_NC4as_T4_v3: {
        family: "Standard NCASv3_T4 Family",
        vcpus: 4,
        gpu: { vendor: "nvidia", model: "T4", count: 1, memoryGiB: 16, migCapable: false },
        tempDiskGiB: 180,
        zones: { uaenorth: ["1", "2"] },
    },
    Standard_NC24ads_A100_v4: {
        family: "StandardNCADSA100v4Family",
        vcpus: 24,
        gpu: { vendor: "nvidia", model: "A100", count: 1, memoryGiB: 80, migCapable: true },
        tempDiskGiB: 64,
        zones: { uaenorth: ["1", "2"] },
    },
    Standard_NC40ads_H100_v5: {
        family: "StandardNCadsH100v5Family",
        vcpus: 40,
        gpu: { vendor: "nvidia", model: "H100", count: 1, memoryGiB: 94, migCapable: true },
        tempDiskGiB: 256,
        zones: { uaenorth: ["1", "2"] },
    },
    Standard_ND96isr_H100_v5: {
        family: "standardNDSH100v5Family",
        vcpus: 96,
        gpu: { vendor: "nvidia", model: "H100", count: 8, memoryGiB: 80, migCapable: true },
        tempDiskGiB: 1000,
        zones: { uaenorth: ["1", "2"] },
    },
    Standard_ND96isr_MI300X_v5: {
        family: "StandardNDISRMI300Xv5Family",
        vcpus: 96,
        gpu: { vendor: "amd", model: "MI300X", count: 8, memoryGiB: 192, migCapable: false },
        tempDiskGiB: 1000,
        zones: { uaenorth: ["1"] },
    },
};

export const KNOWN_VM_SIZES = Object.keys(VM_SKUS);

/** Short region codes used in resource names (CAF-style); the key set is also the list of supported regions. */
export const REGION_CODES: Record<string, string> = {
    uaenorth: "uaen",
    uaecentral: "uaec",
    westeurope: "weu",
    northeurope: "neu",
    swedencentral: "sdc",
};
