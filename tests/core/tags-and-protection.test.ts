import { isTaggable } from "../../config/upstream/azure-native-taggable";
import { STATEFUL_TYPES } from "../../components/core/stack-defaults";
import { ALL_STACKS, resources, SPOKES } from "../support/plan";

const OWNERSHIP = ["environment", "region", "team", "owner"];

describe.each(ALL_STACKS)("%s", (stack) => {
    const azure = () => resources(stack).filter((r) => r.type.startsWith("azure-native:"));
    const environment = stack.startsWith("hub") ? "prd" : stack.split("-")[0];

    test("has azure-native resources to check", () => expect(azure().length).toBeGreaterThan(1));

    test("every taggable azure-native resource carries the ownership tags, with region = its location", () => {
        const offenders = azure()
            .filter((r) => isTaggable(r.type))
            .filter((r) => {
                const tags = (r.inputs.tags ?? {}) as Record<string, string>;
                const loc = r.inputs.location as string | undefined;
                const regionOk = !loc || loc === "global" ? tags.region === "uaenorth" : tags.region === loc;
                return !OWNERSHIP.every((k) => typeof tags[k] === "string" && tags[k].length > 0) || tags.environment !== environment || !regionOk;
            })
            .map((r) => `${r.type} ${r.urn.split("::").pop()}: ${JSON.stringify(r.inputs.tags)}`);
        expect(offenders).toEqual([]);
    });

    test("no resource whose type takes no tags is given any", () => {
        const offenders = azure().filter((r) => !isTaggable(r.type) && r.inputs.tags !== undefined).map((r) => r.type);
        expect(offenders).toEqual([]);
    });

    test("stateful resources are protected exactly in prd", () => {
        for (const r of azure().filter((x) => STATEFUL_TYPES.has(x.type))) {
            expect({ urn: r.urn, protect: r.protect === true }).toEqual({ urn: r.urn, protect: environment === "prd" });
        }
    });
});

test("spokes and hub carry the cost centre from config", () => {
    for (const stack of [...SPOKES, "hub-uaenorth"]) {
        const rg = resources(stack).find((r) => r.type === "azure-native:resources:ResourceGroup")!;
        expect((rg.inputs.tags as Record<string, string>).costCenter).toBe("CC-4100");
    }
});
