/** Raw stack config fixtures: the repository's real stack files, deep-copied so a test can mutate one field. */
import { type SpokeConfig, validateSpokeConfig } from "../../config";
import { namespaceValues, readStackConfig } from "../../config/stack-files";

export function rawSpoke(stack = "dev-uaenorth"): Record<string, any> {
    return structuredClone(namespaceValues(readStackConfig(`Pulumi.${stack}.yaml`)));
}

export function rawHub(): Record<string, any> {
    return structuredClone(namespaceValues(readStackConfig("hub/Pulumi.hub-uaenorth.yaml")));
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
