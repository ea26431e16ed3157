// `descent graph --checkpoint DIR`: the autograd graph of one transformer block of a trained
// model (a forward and loss on a short sequence, recorded with module paths), as DOT, Mermaid or SVG.

import { join } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { toDot, toMermaid } from "../../autograd/graph_views.js";
import { trackModulePaths } from "../../autograd/module_scope.js";
import { readCheckpointFiles } from "../../io/checkpoint_dir.js";
import { CheckpointError } from "../../io/errors.js";
import { parseSafetensors } from "../../io/safetensors.js";
import { StateDictError } from "../../nn/module.js";
import { Tensor } from "../../tensor/tensor.js";
import { architecture } from "../../train/architectures.js";
import { resolveCheckpointDir } from "../../train/checkpoint_store.js";
import { UsageError } from "../errors.js";
import { svgOrDot } from "../graphviz.js";
import type { CliIO } from "../program.js";

const int = (flag: string, lo: number) => (raw: string): number => {
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(v) || v < lo) throw new InvalidArgumentError(`${flag} must be an integer >= ${lo}, got "${raw}".`);
  return v;
};

export function registerGraphCommand(program: Command, io: CliIO): void {
  program
    .command("graph")
    .description("draw one transformer block of a trained model's autograd graph (ops, shapes, saved bytes, grouped by module)")
    .requiredOption("--checkpoint <dir>", "run directory or checkpoint directory")
    .addOption(new Option("--format <format>", "dot, mermaid or svg (svg needs Graphviz)").choices(["dot", "mermaid", "svg"]).default("dot"))
    .addOption(new Option("--block <n>", "which block (default 0)").argParser(int("--block", 0)).default(0))
    .addOption(new Option("--tokens <n>", "sequence length of the forward pass (default 4)").argParser(int("--tokens", 1)).default(4))
    .action((o: { checkpoint: string; format: "dot" | "mermaid" | "svg"; block: number; tokens: number }) => {
      const dir = resolveCheckpointDir(o.checkpoint);
      const files = readCheckpointFiles(dir, ["trainer.json", "config.json", "model.safetensors"]);
      const json = (name: string): Record<string, unknown> => {
        try {
          return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(files.get(name)!)) as Record<string, unknown>;
        } catch (e) {
          throw new CheckpointError(join(dir, name), `is not valid JSON (${(e as Error).message})`);
        }
      };
      const arch = architecture(typeof json("trainer.json")["arch"] === "string" ? (json("trainer.json")["arch"] as string) : "gpt");
      const config = arch.validate(json("config.json"));
      const nLayer = config["nLayer"] as number, blockSize = config["blockSize"] as number, vocab = config["vocabSize"] as number;
      if (o.block >= nLayer) throw new UsageError(`--block ${o.block} is out of range: the model has ${nLayer} blocks (0..${nLayer - 1})`);
      if (o.tokens > blockSize) throw new UsageError(`--tokens ${o.tokens} exceeds the model's block size ${blockSize}`);
      const model = arch.create(config);
      const weights = join(dir, "model.safetensors");
      try {
        model.loadStateDict(Object.fromEntries(parseSafetensors(files.get("model.safetensors")!, weights).tensors()));
      } catch (e) {
        if (e instanceof StateDictError) throw new CheckpointError(weights, `does not fit config.json: ${e.message}`);
        throw e;
      }
      model.eval();
      const T = o.tokens;
      const idx = new Tensor(Int32Array.from({ length: T }, (_, i) => i % vocab), [1, T]);
      const targets = new Tensor(Int32Array.from({ length: T }, (_, i) => (i + 1) % vocab), [1, T]);
      const loss = trackModulePaths(() => model.forward(idx, targets).loss!);
      const prefix = `transformer.h.${o.block}`;
      const opts = { parameters: model.namedParameters(), module: prefix, title: `${prefix} of ${dir} (B 1, T ${T}): ops grouped by module, bytes saved for backward` };
      const dot = toDot(loss, opts);
      io.out(o.format === "mermaid" ? toMermaid(loss, { ...opts, parameters: model.namedParameters() }) : o.format === "svg" ? svgOrDot(dot) : dot);
    });
}
