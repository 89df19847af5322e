/**
 * Refreshes schemas/runtime/models.json from Hugging Face: each repository's config.json (layers, KV heads, head
 * dim, dtype, quantization_config) and the API's safetensors parameter count. Hugging Face is not reachable from
 * every machine (not from this project's offline plan): the tool says so and leaves the file as it is.
 *
 *   npx tsx tools/gitops/vendor-model-facts.ts
 *
 * Exit codes: 0 written · 2 Hugging Face could not be read (nothing written).
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../config/stack-files";
import { treePins } from "../workloads/revisions";
import { MODEL_FACTS_FILE, type ModelFacts, type ModelFactsFile } from "./runtime-fit";

async function json(url: string): Promise<any> {
    const res = await fetch(url, { headers: process.env.HF_TOKEN ? { authorization: `Bearer ${process.env.HF_TOKEN}` } : {} });
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return res.json();
}

/** The facts of one repository from its config.json and the API's model info. */
export function factsFrom(repo: string, config: any, info: any, previous?: ModelFacts, revision = "main"): ModelFacts {
    const text = config.text_config ?? config;
    const parameters = Object.values<number>(info?.safetensors?.parameters ?? {}).reduce((a, b) => a + b, 0) || previous?.parameters || 0;
    const q = config.quantization_config;
    return {
        source: `https://huggingface.co/${repo}/blob/${revision}/config.json`,
        parameters,
        dtype: text.torch_dtype ?? text.dtype ?? "bfloat16",
        layers: text.num_hidden_layers,
        kvHeads: text.num_key_value_heads ?? text.num_attention_heads,
        headDim: text.head_dim ?? text.hidden_size / text.num_attention_heads,
        ...(q
            ? {
                  quantization: {
                      method: q.quant_method,
                      bits: q.bits,
                      groupSize: q.group_size,
                      // Embeddings and the LM head stay in fp16 (AWQ/GPTQ quantize the linear layers only).
                      unquantizedParameters: text.vocab_size * text.hidden_size * (text.tie_word_embeddings ? 1 : 2),
                  },
              }
            : {}),
    };
}

async function main(): Promise<number> {
    const file = path.join(REPO_ROOT, MODEL_FACTS_FILE);
    const facts = JSON.parse(fs.readFileSync(file, "utf8")) as ModelFactsFile;
    const next: Record<string, ModelFacts> = {};
    const pins = treePins();
    try {
        for (const [repo, prev] of Object.entries(facts.models)) {
            // The pinned commit's config (the one the tree deploys), not whatever main is today.
            const rev = pins.find((p) => p.repo === repo)?.revision ?? "main";
            const [config, info] = await Promise.all([json(`https://huggingface.co/${repo}/resolve/${rev}/config.json`), json(`https://huggingface.co/api/models/${repo}/revision/${rev}?expand[]=safetensors`)]);
            next[repo] = factsFrom(repo, config, info, prev, rev);
        }
    } catch (e) {
        console.error(`vendor-model-facts: Hugging Face not reachable (${(e as Error).message}); ${MODEL_FACTS_FILE} left as it is`);
        return 2;
    }
    fs.writeFileSync(file, JSON.stringify({ ...facts, retrieved: new Date().toISOString().slice(0, 10), models: next }, null, 2) + "\n");
    return 0;
}

if (require.main === module) main().then((c) => process.exit(c));
