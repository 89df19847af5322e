/** Raw stack config fixtures: the repository's real stack files, deep-copied so a test can mutate one field. */
import { namespaceValues, readStackConfig } from "../../config/stack-files";

export function rawSpoke(stack = "dev-uaenorth"): Record<string, any> {
    return structuredClone(namespaceValues(readStackConfig(`Pulumi.${stack}.yaml`)));
}

export function rawHub(): Record<string, any> {
    return structuredClone(namespaceValues(readStackConfig("hub/Pulumi.hub-uaenorth.yaml")));
}
