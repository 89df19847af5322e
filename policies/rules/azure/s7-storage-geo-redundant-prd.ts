import { validateResourceOfType } from "@pulumi/policy";
import { StorageAccount } from "@pulumi/azure-native/storage";
import { expectOneOf, inPrd } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";

/** SKUs that keep a copy in the paired region. */
export const GEO_REDUNDANT_SKUS = ["Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"];

export const s7StorageGeoRedundantPrd: ResourceRule = {
    name: "s7-storage-geo-redundant-prd",
    description:
        "prd storage survives the loss of its region: sku.name is Standard_GRS, Standard_RAGRS, Standard_GZRS or " +
        "Standard_RAGZRS. Matches Checkov CKV_AZURE_206 (applied to prd: dev and stg data is rebuildable).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(StorageAccount, (account, _args, report) => {
        inPrd(account, () => expectOneOf(report, () => account.sku?.name, GEO_REDUNDANT_SKUS, `set sku.name to one of ${GEO_REDUNDANT_SKUS.join(", ")} (prd data needs a copy in the paired region)`));
    }),
};
