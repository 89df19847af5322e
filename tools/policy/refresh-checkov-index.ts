/**
 * Regenerates policies/upstream/checkov-azure.json: every Azure check (CKV_AZURE_*, CKV2_AZURE_*) of Checkov's
 * Terraform policy index, as rows of id, Terraform resource type and title. policies/README.md's "Checkov check →
 * our rule or why not" table must cover each check whose resource type the stacks deploy
 * (tests/policy/checkov-table.test.ts).
 *
 * `npx tsx tools/policy/refresh-checkov-index.ts [--from <terraform.md>] [--commit <sha>]`: reads the index from a
 * checkout of bridgecrewio/checkov (docs/5.Policy Index/terraform.md) or downloads it from GitHub's main branch,
 * and says so, exit 2, when it can do neither. Checkov adds Azure checks every few weeks: the test wants the snapshot
 * refreshed within `horizonDays` of `retrieved`.
 */
import * as fs from "fs";
import * as path from "path";

export const INDEX_URL = "https://raw.githubusercontent.com/bridgecrewio/checkov/main/docs/5.Policy%20Index/terraform.md";
const OUT = path.join(__dirname, "..", "..", "policies", "upstream", "checkov-azure.json");

export interface CheckovRow {
    id: string;
    resource: string;
    title: string;
}

/** The Azure rows of the index's markdown table (`| n | id | resource | type | title | framework | source |`). */
export function parseCheckovIndex(markdown: string): CheckovRow[] {
    const rows = new Map<string, CheckovRow>();
    for (const line of markdown.split("\n")) {
        const cells = line.split("|").map((c) => c.trim());
        if (cells.length < 8 || !/^CKV2?_AZURE_\d+$/.test(cells[2]) || cells[3] !== "resource") continue;
        const row = { id: cells[2], resource: cells[4], title: cells[5] };
        rows.set(`${row.id} ${row.resource}`, row);
    }
    const num = (id: string) => [id.startsWith("CKV2") ? 1 : 0, Number(id.split("_").pop())];
    return [...rows.values()].sort((a, b) => {
        const [x, y] = [num(a.id), num(b.id)];
        return x[0] - y[0] || x[1] - y[1] || a.resource.localeCompare(b.resource);
    });
}

async function main(argv: string[]): Promise<number> {
    const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
    const from = flag("--from");
    let markdown: string;
    let source: string;
    if (from) {
        markdown = fs.readFileSync(from, "utf8");
        source = `bridgecrewio/checkov docs/5.Policy Index/terraform.md${flag("--commit") ? ` at ${flag("--commit")}` : ""}`;
    } else {
        try {
            const res = await fetch(INDEX_URL);
            if (!res.ok) throw new Error(`HTTP ${res.status}`);
            markdown = await res.text();
            source = INDEX_URL;
        } catch (e) {
            console.error(`refresh-checkov-index: cannot download ${INDEX_URL} (${(e as Error).message}); give --from <checkout>/docs/5.Policy Index/terraform.md`);
            return 2;
        }
    }
    const checks = parseCheckovIndex(markdown);
    const doc = { source, commit: flag("--commit") ?? "main", retrieved: new Date().toISOString().slice(0, 10), horizonDays: 365, generatedBy: "tools/policy/refresh-checkov-index.ts", checks };
    fs.writeFileSync(OUT, JSON.stringify(doc, null, 1) + "\n");
    console.log(`wrote ${checks.length} Azure checks to ${path.relative(process.cwd(), OUT)}`);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
