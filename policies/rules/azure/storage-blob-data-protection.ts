import type { PolicyResource } from "@pulumi/policy";
import type { StackRule } from "../../lib/rule";
import { ofType } from "../../lib/stack";
import { known, UNKNOWN, type Maybe } from "../../lib/values";

/** Whether `bsp` (a BlobServiceProperties) belongs to `account`: by account name, else by the engine's dependencies. */
function belongsTo(bsp: PolicyResource, account: PolicyResource): Maybe<boolean> {
    const a = known(() => bsp.props.accountName as unknown);
    const b = known(() => account.props.accountName as unknown);
    if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
    const deps = bsp.propertyDependencies?.accountName;
    if (deps && deps.length > 0) return deps.some((d) => d.urn === account.urn);
    return UNKNOWN;
}

export const storageBlobDataProtection: StackRule = {
    name: "storage-blob-data-protection",
    description:
        "Every storage account has blob service properties with soft delete for blobs and containers " +
        "(deleteRetentionPolicy, containerDeleteRetentionPolicy enabled) and, unless it has a hierarchical namespace " +
        "(where Azure doesn't support it), versioning (isVersioningEnabled). Matches Checkov CKV2_AZURE_38, Azure Policy " +
        "c36a325b-ae04-4863-ad4f-19c6678f8e08 (blob versioning).",
    enforcementLevel: "advisory",
    validateStack: (args, report) => {
        const services = ofType(args.resources, "azure-native:storage:BlobServiceProperties");
        for (const account of ofType(args.resources, "azure-native:storage:StorageAccount")) {
            const matches = services.map((s) => [s, belongsTo(s, account)] as const);
            const mine = matches.find(([, m]) => m === true)?.[0];
            if (!mine) {
                if (!matches.some(([, m]) => m === UNKNOWN)) {
                    report("add a storage:BlobServiceProperties for this account with deleteRetentionPolicy, containerDeleteRetentionPolicy and isVersioningEnabled", account.urn);
                }
                continue;
            }
            const p = mine.props;
            // A computed flag counts as on: the rule can't tell, so it stays silent about it.
            const on = (read: () => unknown) => [true, UNKNOWN].includes(known(read) as boolean | typeof UNKNOWN);
            const missing: string[] = [];
            if (!on(() => p.deleteRetentionPolicy?.enabled)) missing.push("deleteRetentionPolicy.enabled: true");
            if (!on(() => p.containerDeleteRetentionPolicy?.enabled)) missing.push("containerDeleteRetentionPolicy.enabled: true");
            const hns = known(() => account.props.isHnsEnabled);
            if (hns === false || hns === undefined) {
                if (!on(() => p.isVersioningEnabled)) missing.push("isVersioningEnabled: true");
            }
            if (missing.length > 0) report(`set ${missing.join(", ")} on its BlobServiceProperties (${mine.name})`, account.urn);
        }
    },
};
