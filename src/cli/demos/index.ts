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
import { precisionDemo } from "./precision.js";
import { lossScalingDemo } from "./loss_scaling.js";
import type { Demo } from "./registry.js";

export { type Demo, type DemoOption, type DemoOptionValue, type DemoOptionValues, defineDemo, jsonOption, jsonOrText, numberOption } from "./registry.js";

export const DEMOS: readonly Demo[] = [backpropDemo, chainRuleDemo, graphDemo, optimizersDemo, scheduleDemo, precisionDemo, lossScalingDemo];

export function findDemo(name: string): Demo | undefined {
  return DEMOS.find((d) => d.name === name);
}

/** The listing `descent demo` prints. */
export function formatDemoList(demos: readonly Demo[] = DEMOS): string {
  return [
    "Demos (run one with `descent demo <name>`; `descent demo <name> --help` shows its options):",
    ...columns(demos.map((d) => [d.name, d.summary]), { indent: "  " }),
  ].join("\n");
}
