import { validateResourceOfType } from "@pulumi/policy";
import { StorageAccount } from "@pulumi/azure-native/storage";
import { expectOneOf } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const s1StorageHttpsTls12: ResourceRule = {
    name: "s1-storage-https-tls12",
    description:
        "Storage accepts only HTTPS with TLS 1.2 or later: enableHttpsTrafficOnly is not false and minimumTlsVersion is " +
        "TLS1_2 or TLS1_3. Matches Checkov CKV_AZURE_3 and CKV_AZURE_44, Azure Policy 404c3081-a854-4457-ae30-26a93ef643f9 " +
        "(Secure transfer to storage accounts) and fe83a0eb-a853-422d-aac2-1bffd182c5d0 (minimum TLS version).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(StorageAccount, (account, _args, report) => {
        expect(report, () => account.enableHttpsTrafficOnly !== false, "remove enableHttpsTrafficOnly: false (HTTPS only)");
        expectOneOf(report, () => account.minimumTlsVersion, ["TLS1_2", "TLS1_3"], "set minimumTlsVersion: \"TLS1_2\"");
    }),
};
