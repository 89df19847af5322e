/**
 * A fake `az` on PATH for the tools that shell out to the Azure CLI: a node script that answers from a scenario file
 * (command line → exit code, stdout, stderr), so the real spawn, PATH lookup and JSON parsing are exercised.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface FakeAnswer {
    code?: number;
    /** Printed as JSON unless a string. */
    stdout?: unknown;
    stderr?: string;
}

const SCRIPT = `#!${process.execPath}
const fs = require("fs");
const scenario = JSON.parse(fs.readFileSync(process.env.FAKE_AZ_SCENARIO, "utf8"));
const args = process.argv.slice(2).filter((a) => !["--output", "json", "--only-show-errors"].includes(a));
const key = args.join(" ");
fs.appendFileSync(process.env.FAKE_AZ_SCENARIO + ".calls", key + "\\n");
const hit = scenario[key];
if (!hit) { process.stderr.write("fake az: unexpected az " + key); process.exit(2); }
process.stdout.write(typeof hit.stdout === "string" ? hit.stdout : JSON.stringify(hit.stdout === undefined ? null : hit.stdout));
process.stderr.write(hit.stderr || "");
process.exit(hit.code || 0);
`;

/** Runs `fn` with a fake az first on PATH answering `scenario`; returns fn's result and the az calls made. */
export async function withFakeAz<T>(scenario: Record<string, FakeAnswer>, fn: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-az-"));
    fs.writeFileSync(path.join(dir, "az"), SCRIPT, { mode: 0o755 });
    const file = path.join(dir, "scenario.json");
    fs.writeFileSync(file, JSON.stringify(scenario));
    const saved = { PATH: process.env.PATH, FAKE_AZ_SCENARIO: process.env.FAKE_AZ_SCENARIO };
    process.env.PATH = `${dir}${path.delimiter}${process.env.PATH}`;
    process.env.FAKE_AZ_SCENARIO = file;
    try {
        const result = await fn();
        const calls = fs.existsSync(`${file}.calls`) ? fs.readFileSync(`${file}.calls`, "utf8").trim().split("\n") : [];
        return { result, calls };
    } finally {
        process.env.PATH = saved.PATH;
        if (saved.FAKE_AZ_SCENARIO === undefined) delete process.env.FAKE_AZ_SCENARIO;
        else process.env.FAKE_AZ_SCENARIO = saved.FAKE_AZ_SCENARIO;
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
