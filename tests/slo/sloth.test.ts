/**
 * The TypeScript port of Sloth's rule generation against Sloth's own golden test (tests/fixtures/sloth, upstream
 * slok/sloth@0e395d8): `sloth generate --input in-base.yaml` prints out-base.yaml.tpl rendered with the version.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { SLOTH_VERSION, type SlothSpec, slothRuleGroups } from "../../tools/slo/sloth";

const FIXTURES = path.join(__dirname, "..", "fixtures", "sloth");

/** The golden file as Sloth's test renders it: `{{ .version }}` filled, Go-template escapes `{{"…"}}` unwrapped. */
function golden(version: string): unknown {
    const tpl = fs.readFileSync(path.join(FIXTURES, "out-base.yaml.tpl"), "utf8");
    return YAML.parse(tpl.replaceAll("{{ .version }}", version).replace(/\{\{"(.*?)"\}\}/g, "$1"));
}

describe("Sloth port (tools/slo/sloth.ts)", () => {
    it("generates exactly Sloth's golden rules for its base spec", () => {
        const spec = YAML.parse(fs.readFileSync(path.join(FIXTURES, "in-base.yaml"), "utf8")) as SlothSpec;
        expect({ groups: slothRuleGroups(spec) }).toEqual(golden(SLOTH_VERSION));
    });

    it("leaves the alert group out when both alerts are disabled, as Sloth does", () => {
        const spec = YAML.parse(fs.readFileSync(path.join(FIXTURES, "in-base.yaml"), "utf8")) as SlothSpec;
        expect(slothRuleGroups(spec).map((g) => g.name)).toEqual([
            "sloth-slo-sli-recordings-svc01-slo1",
            "sloth-slo-meta-recordings-svc01-slo1",
            "sloth-slo-alerts-svc01-slo1",
            "sloth-slo-sli-recordings-svc01-slo02",
            "sloth-slo-meta-recordings-svc01-slo02",
        ]);
    });
});
