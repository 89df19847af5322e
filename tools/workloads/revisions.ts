/**
 * Checks every Hugging Face pin of the tree against the Hub: each pinned commit must exist in its repository, and the
 * report shows where the repository's `main` has moved since (a candidate for the next promotion, never applied here).
 * Pins: workloads/models/models.yaml (each model and environment override), the `repo`/`revision` parameters of
 * the Argo pipelines in workloads/base/pipelines, and the RAG app's Text Embeddings Inference (workloads/base/rag).
 *
 *   npm run models:revisions [-- --help]
 *
 * HF_TOKEN is sent when set (gated repositories); HF_ENDPOINT overrides https://huggingface.co like huggingface_hub.
 * Exit codes: 0 every pin exists · 1 a pin is missing from its repository or is not a commit · 2 the Hub could not be read.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ENVIRONMENTS } from "../../config/schema";
import { helpAsked } from "../cli-help";
import { teiHubModel } from "../gitops/egress";
import { argValue } from "../gitops/runtime-fit";
import { loadCatalogue, resolveModel, WORKLOADS_DIR } from "./models";

export interface Pin {
    repo: string;
    revision: string;
    /** Where the pin is written (file and key), for the report. */
    where: string;
}

export interface PinStatus extends Pin {
    /** The commit the pin resolves to on the Hub (undefined: not found). */
    resolved?: string;
    /** The commit `main` points at now. */
    main?: string;
}

const PIPELINES_DIR = path.join(WORKLOADS_DIR, "base/pipelines");
const RAG_TEI = path.join(WORKLOADS_DIR, "base/rag/tei.yaml");

/** Every Hub pin of the model catalogue (per environment) and of the pipelines. */
export function treePins(): Pin[] {
    const pins: Pin[] = [];
    for (const m of loadCatalogue()) {
        for (const env of ENVIRONMENTS) {
            const src = resolveModel(m, env)?.source;
            if (src && "huggingface" in src) pins.push({ ...src.huggingface, where: `workloads/models/models.yaml ${m.name} (${env})` });
        }
    }
    for (const file of fs.readdirSync(PIPELINES_DIR).filter((f) => f.endsWith(".yaml")).sort()) {
        for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(PIPELINES_DIR, file), "utf8"))) {
            const o = doc.toJS();
            const params: { name: string; value?: string }[] = (o?.kind === "CronWorkflow" ? o.spec?.workflowSpec : o?.spec)?.arguments?.parameters ?? [];
            const value = (n: string) => params.find((p) => p.name === n)?.value;
            if (value("repo") && value("revision")) pins.push({ repo: value("repo")!, revision: value("revision")!, where: `workloads/base/pipelines/${file} ${o.kind} ${o.metadata?.name}` });
        }
    }
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(RAG_TEI, "utf8"))) {
        const o = doc.toJS();
        for (const c of o?.kind === "Deployment" ? o.spec.template.spec.containers : []) {
            const repo = teiHubModel(c);
            const revision = argValue((c.args ?? []).map(String), "revision");
            if (repo && revision) pins.push({ repo, revision, where: `workloads/base/rag/tei.yaml Deployment ${o.metadata.name}` });
        }
    }
    return pins;
}

/** The commit a revision resolves to (`/api/models/<repo>/revision/<rev>`), undefined when the Hub answers 404. */
async function resolve(endpoint: string, repo: string, revision: string): Promise<string | undefined> {
    const url = `${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`;
    const res = await fetch(url, { headers: process.env.HF_TOKEN ? { authorization: `Bearer ${process.env.HF_TOKEN}` } : {}, signal: AbortSignal.timeout(20_000) });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    const sha = ((await res.json()) as { sha?: unknown }).sha;
    if (typeof sha !== "string") throw new Error(`${url}: the answer has no commit sha`);
    return sha;
}

export async function checkPins(pins: Pin[], endpoint: string): Promise<PinStatus[]> {
    const mains = new Map<string, Promise<string | undefined>>();
    return Promise.all(
        pins.map(async (p) => {
            if (!mains.has(p.repo)) mains.set(p.repo, resolve(endpoint, p.repo, "main"));
            return { ...p, resolved: await resolve(endpoint, p.repo, p.revision), main: await mains.get(p.repo) };
        }),
    );
}

/** One line per pin, and the problems that make the command exit 1. */
export function report(statuses: PinStatus[]): { lines: string[]; problems: string[] } {
    const lines: string[] = [];
    const problems: string[] = [];
    for (const s of statuses) {
        if (!s.resolved) problems.push(`${s.where}: ${s.repo}@${s.revision} does not exist on the Hub`);
        else if (s.resolved !== s.revision) problems.push(`${s.where}: ${s.repo}@${s.revision} is a branch or tag (now ${s.resolved}); pin the commit`);
        const state = !s.resolved ? "MISSING" : s.resolved === s.main ? "= main" : `main is now ${s.main ?? "?"}`;
        lines.push(`${s.repo.padEnd(52)} ${s.revision.slice(0, 12).padEnd(12)}  ${state.padEnd(52)}  ${s.where}`);
    }
    return { lines, problems };
}

async function main(argv: string[]): Promise<number> {
    if (helpAsked(argv)) {
        console.log(`usage: npm run models:revisions

Checks every Hugging Face pin (workloads/models/models.yaml, workloads/base/pipelines) against the Hub: the pinned
commit exists, and where the repository's main has moved since. Set HF_TOKEN for gated repositories.
Exit: 0 all pins exist · 1 a pin is missing or not a commit · 2 the Hub could not be read.`);
        return 0;
    }
    if (argv.length) {
        console.error(`models:revisions: unexpected argument(s) ${argv.join(" ")} (see --help)`);
        return 2;
    }
    const endpoint = (process.env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/$/, "");
    let statuses: PinStatus[];
    try {
        statuses = await checkPins(treePins(), endpoint);
    } catch (e) {
        console.error(`models:revisions: the Hub could not be read (${(e as Error).message}); nothing checked`);
        return 2;
    }
    const { lines, problems } = report(statuses);
    for (const l of lines) console.log(l);
    for (const p of problems) console.error(`error: ${p}`);
    return problems.length ? 1 : 0;
}

if (require.main === module) main(process.argv.slice(2)).then((c) => process.exit(c));
