// Every demo `descent demo <name>` can run, in the order `descent demo` lists them.
// To add one, append a Demo to DEMOS; options are commander flags, parsed to camelCase keys:
//   defineDemo<ScheduleDemoOptions>({
//     name: "schedule", summary: "warmup + cosine learning-rate schedule",
//     options: [{ flags: "--csv <path>", description: "also write step,lr as CSV" },
//               numberOption("--warmup-steps <n>", "warmup steps", 100), ...],
//     run: runScheduleDemo,
//   })

import { columns } from "../format.js";
import { backpropDemo } from "./backprop.js";
import { chainRuleDemo } from "./chain_rule.js";
import { graphDemo } from "./graph.js";
import { optimizersDemo } from "./optimizers.js";
import { scheduleDemo } from "./schedule.js";
import { sgdStepDemo } from "./sgd_step.js";
import { momentumStepsDemo } from "./momentum_steps.js";
import { adamStepsDemo } from "./adam_steps.js";
import { reluDemo } from "./relu.js";
import { detachDemo } from "./detach.js";
import { batchnormDemo } from "./batchnorm.js";
import { lrSweepDemo } from "./lr_sweep.js";
import { decayDemo } from "./decay.js";
import { accumulationDemo } from "./accumulation.js";
import { precisionDemo } from "./precision.js";
import { lossScalingDemo } from "./loss_scaling.js";
import { warmupDemo } from "./warmup.js";
import { checkpointingDemo } from "./checkpointing.js";
import { DEMO_SECTIONS, type Demo } from "./registry.js";

export { DEMO_SECTIONS, type DemoSection, type Demo, type DemoOption, type DemoOptionValue, type DemoOptionValues, defineDemo, jsonOption, jsonOrText, numberOption } from "./registry.js";

export const DEMOS: readonly Demo[] = [
  backpropDemo, chainRuleDemo, graphDemo, optimizersDemo, scheduleDemo,
  sgdStepDemo, momentumStepsDemo, adamStepsDemo, reluDemo, detachDemo, batchnormDemo, lrSweepDemo, decayDemo, accumulationDemo,
  precisionDemo, lossScalingDemo,
  warmupDemo,
  checkpointingDemo,
];

export function findDemo(name: string): Demo | undefined {
  return DEMOS.find((d) => d.name === name);
}

/** The listing `descent demo` prints: demos grouped by the reference text's sections, in its order. */
export function formatDemoList(demos: readonly Demo[] = DEMOS): string {
  const sections: string[] = [...DEMO_SECTIONS, "Other"];
  const rows: string[][] = [];
  const headerRows: number[] = [];
  for (const section of sections) {
    const inSection = demos.filter((d) => (d.section ?? "Other") === section);
    if (inSection.length === 0) continue;
    headerRows.push(rows.length);
    rows.push([section]);
    for (const d of inSection) rows.push([`  ${d.name}`, d.summary]);
  }
  // Align the summaries across sections; section headings stand alone on their line.
  const lines = columns(rows, { indent: "  " });
  return [
    "Demos by section of the reference text (run one with `descent demo <name>`; `--help` shows its options):",
    ...lines.map((l, i) => (headerRows.includes(i) ? `${headerRows[0] === i ? "" : "\n"}  ${l.trim()}:` : l)),
  ].join("\n");
}
