import { validateResourceOfType } from "@pulumi/policy";
import { BlobContainer } from "@pulumi/azure-native/storage";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const s4BlobContainerPrivate: ResourceRule = {
    name: "s4-blob-container-private",
    description:
        "Blob containers are private: publicAccess is absent or None. Matches Checkov CKV_AZURE_34 and CKV2_AZURE_8 (every " +
        "container, the activity-log one included).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(BlobContainer, (container, _args, report) => {
        expect(report, () => container.publicAccess === undefined || container.publicAccess === "None", "set publicAccess: \"None\" (or remove it)");
    }),
};
