/**
 * The VM sizes this platform knows how to run. What Azure says about a size (quota family, vCPUs, temp disk,
 * zones per region, capabilities) comes from the vendored `az vm list-skus` output in config/azure-facts/ (per region);
 * what only this platform decides is here:
 * - GPU model and memory: Microsoft Learn "Sizes for virtual machines in Azure" series pages.
 * - MIG capability: AKS "Create a multi-instance GPU node pool" (A100 and H100 sizes; T4 has no MIG).
 */
import { AZURE_FACTS, capability, usableZones } from "./azure-facts";

export type GpuVendor = "nvidia" | "amd";

/** AKS `gpuInstanceProfile` values (containerservice.GPUInstanceProfile). */
export const MIG_PROFILES = ["MIG1g", "MIG2g", "MIG3g", "MIG4g", "MIG7g"] as const;
export type MigProfile = (typeof MIG_PROFILES)[number];

export interface VmSku {
    /** Quota family: `family` of az vm list-skus, the `name.value` of `az vm list-usage`. */
    family: string;
    vcpus: number;
    /** GPUs per VM and their vendor/model; absent on CPU sizes. */
    gpu?: { vendor: GpuVendor; model: string; count: number; memoryGiB: number; migCapable: boolean };
    /** Local temp disk in GiB (MaxResourceVolumeMB / 1024): ephemeral OS disks need the OS disk to fit in it. */
    tempDiskGiB: number;
    ephemeralOsDisk: boolean;
    encryptionAtHost: boolean;
    /** RDMA/InfiniBand size (the 'r' in ND96isr): AKS needs the AKSInfinibandSupport feature for its pools. */
    rdma: boolean;
    /** Usable availability zones per region that lists the size (an empty list: regional placement only). */
    zones: Record<string, readonly string[]>;
}

const GPUS: Record<string, VmSku["gpu"] | null> = {
    Standard_D4ds_v5: null,
    Standard_D8ds_v5: null,
    Standard_D16ds_v5: null,
    Standard_D32ds_v5: null,
    Standard_E16ds_v5: null,
    Standard_NC4as_T4_v3: { vendor: "nvidia", model: "T4", count: 1, memoryGiB: 16, migCapable: false },
    Standard_NC24ads_A100_v4: { vendor: "nvidia", model: "A100", count: 1, memoryGiB: 80, migCapable: true },
    Standard_NC40ads_H100_v5: { vendor: "nvidia", model: "H100", count: 1, memoryGiB: 94, migCapable: true },
    Standard_ND96isr_H100_v5: { vendor: "nvidia", model: "H100", count: 8, memoryGiB: 80, migCapable: true },
    Standard_ND96isr_MI300X_v5: { vendor: "amd", model: "MI300X", count: 8, memoryGiB: 192, migCapable: false },
};

function vmSku(size: string, gpu: VmSku["gpu"] | null): VmSku {
    const listed = Object.entries(AZURE_FACTS.skus).flatMap(([region, skus]) => skus.filter((s) => s.name === size).map((s) => ({ region, s })));
    if (!listed.length) throw new Error(`config/skus.ts: ${size} is in no region of config/azure-facts/regions/*/vm-list-skus.json`);
    const { s } = listed[0];
    return {
        family: s.family,
        vcpus: Number(capability(s, "vCPUs")),
        ...(gpu ? { gpu } : {}),
        tempDiskGiB: Number(capability(s, "MaxResourceVolumeMB") ?? 0) / 1024,
        ephemeralOsDisk: capability(s, "EphemeralOSDiskSupported") === "True",
        encryptionAtHost: capability(s, "EncryptionAtHostSupported") === "True",
        rdma: capability(s, "RdmaEnabled") === "True",
        zones: Object.fromEntries(listed.map(({ region, s: entry }) => [region, usableZones(entry, region)])),
    };
}

export const VM_SKUS: Record<string, VmSku> = Object.fromEntries(Object.entries(GPUS).map(([size, gpu]) => [size, vmSku(size, gpu)]));

export const KNOWN_VM_SIZES = Object.keys(VM_SKUS);

/** Short region codes used in resource names (CAF-style); the key set is also the list of supported regions. */
export const REGION_CODES: Record<string, string> = {
    uaenorth: "uaen",
    uaecentral: "uaec",
    westeurope: "weu",
    northeurope: "neu",
    swedencentral: "sdc",
};
