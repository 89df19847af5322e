import { validateResourceOfType } from "@pulumi/policy";
import { StorageAccount } from "@pulumi/azure-native/storage";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const s6StorageLocalUsersDisabled: ResourceRule = {
    name: "s6-storage-local-users-disabled",
    description:
        "No SFTP/local-user identities on storage accounts (they authenticate with passwords or SSH keys outside Entra " +
        "ID): isLocalUserEnabled is false, explicitly (Azure's default is true). Matches Checkov CKV_AZURE_244.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(StorageAccount, (account, _args, report) => {
        expect(report, () => account.isLocalUserEnabled === false, "set isLocalUserEnabled: false");
    }),
};
