import type { PolicyResource } from "@pulumi/policy";
import { sameArmId } from "../../lib/azure";
import type { StackRule } from "../../lib/rule";
import { armIdOf, ofType } from "../../lib/stack";
import { elements, known, UNKNOWN } from "../../lib/values";

export const REQUEST_LOG_CATEGORIES = ["StorageRead", "StorageWrite", "StorageDelete"];

/** The request-log categories a diagnostic setting sends (allLogs covers all three). */
function categoriesOf(setting: PolicyResource): Set<string> | typeof UNKNOWN {
    const logs = known(() => setting.props.logs as unknown);
    if (logs === UNKNOWN) return UNKNOWN;
    const out = new Set<string>();
    for (const log of elements(() => logs as Record<string, unknown>[])) {
        if (log.enabled !== true) continue;
        if (typeof log.categoryGroup === "string" && log.categoryGroup.toLowerCase() === "alllogs") REQUEST_LOG_CATEGORIES.forEach((c) => out.add(c));
        if (typeof log.category === "string") out.add(log.category);
    }
    return out;
}

export const s5StorageRequestLogging: StackRule = {
    name: "s5-storage-request-logging",
    description:
        "Every storage account logs read, write and delete requests on its blob service (the data lake's access trail): " +
        "a monitor:DiagnosticSetting whose resourceUri is <account id>/blobServices/default sends StorageRead, " +
        "StorageWrite and StorageDelete (or allLogs). Matches Checkov CKV_AZURE_33 (read/write/delete logging, Queue " +
        "service) adapted to diagnostic settings on the service the platform uses, and CKV2_AZURE_21 (Blob read logging).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const settings = ofType(args.resources, "azure-native:monitor:DiagnosticSetting");
        for (const account of ofType(args.resources, "azure-native:storage:StorageAccount")) {
            const id = armIdOf(account);
            if (typeof id !== "string") continue;
            const blob = `${id}/blobServices/default`;
            const sent = new Set<string>();
            let undecided = false;
            for (const s of settings) {
                const uri = known(() => s.props.resourceUri as unknown);
                if (uri === UNKNOWN) { undecided = true; continue; }
                if (typeof uri !== "string" || !sameArmId(uri, blob)) continue;
                const cats = categoriesOf(s);
                if (cats === UNKNOWN) undecided = true;
                else cats.forEach((c) => sent.add(c));
            }
            const missing = REQUEST_LOG_CATEGORIES.filter((c) => !sent.has(c));
            if (missing.length > 0 && !undecided) {
                report(`add ${missing.join(", ")} to a monitor:DiagnosticSetting whose resourceUri is ${blob} (components/core/diagnostics.ts)`, account.urn);
            }
        }
    },
};
