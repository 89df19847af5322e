import { validateResourceOfType } from "@pulumi/policy";
import { StorageAccount } from "@pulumi/azure-native/storage";
import { inEnvironments } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { checkStorageCmk } from "./s8-storage-cmk";

export const storageCmkDev: ResourceRule = {
    name: "storage-cmk-dev",
    description: "dev storage accounts: the customer-managed key of s8-storage-cmk, reported but not required. Matches Checkov CKV2_AZURE_1 (dev).",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(StorageAccount, (account, _args, report) => {
        inEnvironments(account, ["dev"], () => checkStorageCmk(account, report));
    }),
};
