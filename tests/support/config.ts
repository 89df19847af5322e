/** Raw stack config fixtures: the repository's real stack files (readStackConfig returns a fresh copy, so a test can mutate one field). */
import { ConfigError, type SpokeConfig, validateHubConfig, validateSpokeConfig } from "../../config";
import { factsDate } from "../../config/azure-facts";
import { REPO_ROOT } from "../../config/stack-files";
import { namespaceValues, readStackConfig } from "../../config/stack-files";

export function rawSpoke(stack = "dev-uaenorth"): Record<string, any> {
    return namespaceValues(readStackConfig(`Pulumi.${stack}.yaml`));
}

export function rawHub(): Record<string, any> {
    return namespaceValues(readStackConfig("hub/Pulumi.hub-uaenorth.yaml"));
}

const validated = new Map<string, SpokeConfig>();

/** A spoke's config as the program validates it (defaults applied), once per suite. */
export function cfgOf(stack: string): SpokeConfig {
    let c = validated.get(stack);
    if (!c) {
        const file = `Pulumi.${stack}.yaml`;
        c = validateSpokeConfig(stack, file, namespaceValues(readStackConfig(file)));
        validated.set(stack, c);
    }
    return c;
}

/** Validates `mutate`d copy of a real config; returns the problem messages (empty when valid). */
function problemsOf(validate: (raw: Record<string, any>) => unknown, raw: Record<string, any>, mutate: (raw: Record<string, any>) => void): string[] {
    mutate(raw);
    try {
        validate(raw);
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.messages;
    }
}

/** Problems of a spoke's real stack file after one mutation, judged on `now` (default: the Azure facts' date). */
export function spokeProblems(stack: string, mutate: (raw: Record<string, any>) => void, now = factsDate()): string[] {
    return problemsOf((raw) => validateSpokeConfig(stack, `Pulumi.${stack}.yaml`, raw, REPO_ROOT, now), rawSpoke(stack), mutate);
}

/** Problems of the hub's real stack file after one mutation. */
export function hubProblems(mutate: (raw: Record<string, any>) => void): string[] {
    return problemsOf((raw) => validateHubConfig("hub-uaenorth", "hub/Pulumi.hub-uaenorth.yaml", raw), rawHub(), mutate);
}
