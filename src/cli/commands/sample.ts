// `descent sample --checkpoint DIR`: load a checkpoint's model and tokenizer and print generated text.

import { type Command, InvalidArgumentError, Option } from "commander";
import { tokenizerFromJSON } from "../../data/dataset.js";
import type { TokenizerJSON } from "../../data/tokenizer.js";
import { readCheckpointFiles } from "../../io/checkpoint_dir.js";
import { parseSafetensors } from "../../io/safetensors.js";
import { StateDictError } from "../../nn/module.js";
import { Tensor } from "../../tensor/tensor.js";
import { architecture } from "../../train/architectures.js";
import { startTokens } from "../../train/trainer.js";
import { resolveCheckpointDir } from "../../train/checkpoint_store.js";
import { CheckpointError } from "../../io/errors.js";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import type { CliIO } from "../program.js";

const num = (flag: string, int: boolean, lo: number, hi: number, loOpen = false) => (raw: string): number => {
  const v = Number(raw);
  const ok = raw.trim() !== "" && Number.isFinite(v) && (!int || Number.isInteger(v)) && (loOpen ? v > lo : v >= lo) && v <= hi;
  if (!ok) throw new InvalidArgumentError(`${flag} must be ${int ? "an integer" : "a number"} in ${loOpen ? "(" : "["}${lo}, ${hi}], got "${raw}".`);
  return v;
};

function parseJson(path: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new CheckpointError(path, `is not valid JSON (${(e as Error).message})`);
  }
}

export function registerSampleCommand(program: Command, io: CliIO): void {
  program
    .command("sample")
    .description("generate text from a checkpoint (a run directory's latest, or a checkpoint directory)")
    .requiredOption("--checkpoint <dir>", "run directory or checkpoint directory")
    .option("--prompt <text>", "text to continue (default: the start of a document)")
    .addOption(new Option("--max-new-tokens <n>", "tokens to generate (default: 500)").argParser(num("--max-new-tokens", true, 0, 1e6)))
    .addOption(new Option("--temperature <t>", "0 is greedy (default: 0.8)").argParser(num("--temperature", false, 0, 100)))
    .addOption(new Option("--top-k <k>", "keep the k most likely tokens").argParser(num("--top-k", true, 1, 1e7)))
    .addOption(new Option("--top-p <p>", "nucleus sampling threshold in (0, 1]").argParser(num("--top-p", false, 0, 1, true)))
    .addOption(new Option("--seed <n>", "sampling seed (default: 1337)").argParser(num("--seed", true, 0, Number.MAX_SAFE_INTEGER)))
    .action(async (o: { checkpoint: string; prompt?: string; maxNewTokens?: number; temperature?: number; topK?: number; topP?: number; seed?: number }) => {
      const dir = resolveCheckpointDir(o.checkpoint);
      // Sizes and sha256 checked against the checkpoint's manifest.
      const files = readCheckpointFiles(dir, ["trainer.json", "config.json", "tokenizer.json", "model.safetensors"]);
      const readJson = (name: string) => parseJson(join(dir, name), files.get(name)!);
      const trainerJson = readJson("trainer.json") as { arch?: string } | null;
      const arch = architecture(trainerJson?.arch ?? "gpt");
      const config = arch.validate(readJson("config.json") as Record<string, unknown>);
      const tokenizer = await tokenizerFromJSON(readJson("tokenizer.json") as TokenizerJSON);
      if (tokenizer.vocabSize > (config["vocabSize"] as number)) throw new CheckpointError(join(dir, "tokenizer.json"), `has ${tokenizer.vocabSize} tokens but the model only ${String(config["vocabSize"])}`);
      const model = arch.create(config);
      const weights = join(dir, "model.safetensors");
      try {
        model.loadStateDict(Object.fromEntries(parseSafetensors(files.get("model.safetensors")!, weights).tensors()));
      } catch (e) {
        if (e instanceof StateDictError) throw new CheckpointError(weights, `does not fit config.json: ${e.message}`);
        throw e;
      }
      const prompt = o.prompt !== undefined ? tokenizer.encode(o.prompt) : startTokens(tokenizer);
      if (prompt.length === 0) throw new UsageError("--prompt encodes to no tokens");
      const out = model.generate(new Tensor(prompt, [1, prompt.length]), o.maxNewTokens ?? 500, {
        temperature: o.temperature ?? 0.8, topK: o.topK ?? null, topP: o.topP ?? null, seed: o.seed ?? 1337,
      });
      const text = tokenizer.decode(out.data as Int32Array);
      io.out((o.prompt === undefined ? text.replace(/^\n/, "").replace(/^<\|endoftext\|>/, "") : text) + "\n");
    });
}
