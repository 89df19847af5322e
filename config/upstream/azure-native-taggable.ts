/**
 * Which azure-native resource types accept `tags`: generated data (azure-native-taggable-types.json, written by
 * `npm run gen:taggable` from the installed @pulumi/azure-native) read by both the stack-wide tags transformation
 * (components/core/stack-defaults.ts) and the policy pack's t1-required-tags, so neither imports the other.
 */
import taggable from "./azure-native-taggable-types.json";

const TAGGABLE = new Set<string>(taggable.types);

export function isTaggable(type: string): boolean {
    return TAGGABLE.has(type);
}
