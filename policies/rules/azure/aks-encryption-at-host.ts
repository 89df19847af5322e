import { advisoryPoolRule } from "../../lib/azure";
import { expect } from "../../lib/values";

export const aksEncryptionAtHost = advisoryPoolRule(
    "aks-encryption-at-host",
    "Pools encrypt temp disks and caches at the host: enableEncryptionAtHost is true. Matches Checkov CKV_AZURE_227, Azure Policy 41425d9f-d1a5-499a-9932-f8ed8453932c.",
    (pool, report) => expect(report, () => pool.enableEncryptionAtHost === true, "set enableEncryptionAtHost: true (register the EncryptionAtHost feature on the subscription)"),
);
