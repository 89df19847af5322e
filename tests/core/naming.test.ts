import fc from "fast-check";
import { checkName, resourceName } from "../../config/naming";
import { Namer } from "../../components/core/naming";
import { REGION_CODES } from "../../config/skus";

const ctx = { prefix: "aip", environment: "prd", location: "uaenorth" };

describe("naming", () => {
    test("CAF abbreviation + prefix + environment + region code", () => {
        expect(resourceName(ctx, "resourceGroup")).toBe("rg-aip-prd-uaen");
        expect(resourceName(ctx, "aksCluster")).toBe("aks-aip-prd-uaen");
        expect(resourceName(ctx, "subnet", "gpu")).toBe("snet-aip-prd-uaen-gpu");
    });

    test("storage accounts and registries are compact lowercase alphanumerics", () => {
        expect(resourceName(ctx, "storageAccount", "lake")).toBe("staipprduaenlake");
        expect(resourceName(ctx, "containerRegistry")).toBe("craipprduaen");
    });

    test("a name over the limit is refused with the limit named", () => {
        expect(() => new Namer(ctx).of("keyVault", "averyverylongrole")).toThrow(/keyVault name 'kv-aip-prd-uaen-averyverylongrole' is 33 characters; Azure allows at most 24/);
        expect(checkName("storageAccount", "st-bad")).toMatch(/does not match Azure's rule/);
        expect(checkName("keyVault", "kv--double")).toMatch(/does not match/);
    });

    test("every prefix the config schema admits yields valid names of every length-limited kind (property)", () => {
        fc.assert(
            fc.property(
                fc.stringMatching(/^[a-z][a-z0-9]{1,5}$/),
                fc.constantFrom("dev", "stg", "prd", "hub"),
                fc.constantFrom(...Object.keys(REGION_CODES)),
                (prefix, environment, location) => {
                    const c = { prefix, environment, location };
                    for (const kind of ["storageAccount", "keyVault", "containerRegistry", "dnsPrefix", "aksCluster", "logAnalytics"] as const) {
                        const name = resourceName(c, kind);
                        expect(checkName(kind, name)).toBeUndefined();
                    }
                },
            ),
            { numRuns: 200 },
        );
    });

    test("names are deterministic", () => {
        expect(resourceName(ctx, "keyVault")).toBe(resourceName({ ...ctx }, "keyVault"));
    });
});
