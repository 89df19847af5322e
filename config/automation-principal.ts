/**
 * Cross-stack rule: each stack deploys with its own pipeline identity. `rbac.automation` is the service principal
 * the persona table grants Contributor, a constrained role-assignment right, AcrPush and Secrets Officer in that
 * environment; the same object id in two stack files would let dev's pipeline act on prd. The identities are the
 * per-environment ones the state-backend bootstrap creates (state-backend/settings.yaml, README: pipelines).
 */
import type { Problem } from "./problems";

export interface StackAutomationFact {
    /** Stack file, e.g. Pulumi.prd-uaenorth.yaml. */
    file: string;
    automation?: unknown;
}

export function automationPrincipalProblems(self: StackAutomationFact, others: StackAutomationFact[]): Problem[] {
    if (typeof self.automation !== "string") return [];
    const id = self.automation.toLowerCase();
    const sharing = others.filter((o) => typeof o.automation === "string" && o.automation.toLowerCase() === id).map((o) => o.file);
    if (!sharing.length) return [];
    return [
        {
            path: ["rbac", "automation"],
            message: `is also the automation principal of ${sharing.join(", ")}: one pipeline identity per stack (its own object id, from state-backend/bootstrap.ts), so no environment's pipeline can act on another's`,
        },
    ];
}
