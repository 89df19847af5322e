import { validateResourceOfType } from "@pulumi/policy";
import { Registry } from "@pulumi/azure-native/containerregistry";
import type { ResourceRule } from "../../lib/rule";
import { expect } from "../../lib/values";

export const r2AcrAnonymousPullDisabled: ResourceRule = {
    name: "r2-acr-anonymous-pull-disabled",
    description:
        "ACR never serves images anonymously: anonymousPullEnabled is not true. Matches Checkov CKV_AZURE_138, Azure Policy " +
        "9f2dea28-e834-476c-99c5-3507b4728395 (Container registries should have anonymous authentication disabled).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(Registry, (registry, _args, report) => {
        expect(report, () => registry.anonymousPullEnabled !== true, "set anonymousPullEnabled: false");
    }),
};
