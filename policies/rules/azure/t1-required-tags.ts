import { isTaggable } from "../../../config/upstream/azure-native-taggable";
import { ENVIRONMENTS, sameRegion } from "../../lib/azure";
import type { ResourceRule } from "../../lib/rule";
import { expect, known, UNKNOWN } from "../../lib/values";

const REQUIRED = ["environment", "region", "team", "owner"] as const;

export const t1RequiredTags: ResourceRule = {
    name: "t1-required-tags",
    description:
        "Every azure-native resource whose type accepts tags carries non-empty environment, region, team and owner; " +
        "environment is dev, stg or prd and region equals the resource's location. Matches Azure Policy " +
        "871b6d14-10aa-478d-b590-94f262ecfa99 (Require a tag on resources). Taggable types come from " +
        "config/upstream/azure-native-taggable-types.json (generated from @pulumi/azure-native), the data the stack-wide tags " +
        "transformation reads too.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!args.type.startsWith("azure-native:") || !isTaggable(args.type)) return;
        const props = args.props;
        const tags = known(() => props.tags as Record<string, unknown> | undefined);
        if (tags === UNKNOWN) return;
        for (const key of REQUIRED) {
            expect(report, () => {
                const v = tags?.[key];
                return typeof v === "string" && v.trim() !== "";
            }, `set tags.${key} (a non-empty string); the stack-wide tags in components/core/stack-defaults.ts add it`);
        }
        expect(report, () => {
            const env = tags?.environment;
            return typeof env !== "string" || env.trim() === "" || (ENVIRONMENTS as readonly string[]).includes(env);
        }, `set tags.environment to one of ${ENVIRONMENTS.join(", ")}`);
        expect(report, () => {
            const region = tags?.region;
            const location = props.location;
            if (typeof region !== "string" || region === "" || typeof location !== "string") return true;
            if (location.toLowerCase() === "global") return true;
            return sameRegion(region, location) || `set tags.region to "${location}", the resource's location (it is "${region}")`;
        }, "set tags.region to the resource's location");
    },
};
