// `descent demo [name]`: one subcommand per registered demo, each with its own options;
// without a name it lists the demos.

import { type Command, Option } from "commander";
import { DEMOS, type Demo, formatDemoList } from "../demos/index.js";
import { UsageError } from "../errors.js";

export function registerDemoCommand(program: Command, print: (text: string) => void, demos: readonly Demo[] = DEMOS): void {
  const demo = program
    .command("demo")
    .description("run a demo (without a name: list the demos)")
    .argument("[name]", "the demo to run")
    .action((name: string | undefined) => {
      // Known demos are subcommands; reaching here with a name means it is not one of them.
      if (name !== undefined) {
        throw new UsageError(`unknown demo '${name}'; available: ${demos.map((d) => d.name).join(", ")} (see \`descent demo\`)`);
      }
      print(formatDemoList(demos));
    });
  for (const d of demos) {
    const cmd = demo.command(d.name).description(d.summary);
    for (const o of d.options ?? []) {
      const opt = new Option(o.flags, o.description);
      if (o.parse) opt.argParser(o.parse);
      if (o.defaultValue !== undefined) opt.default(o.defaultValue);
      cmd.addOption(opt);
    }
    cmd.action((opts: Record<string, string | number | boolean | undefined>) => print(d.run(opts)));
  }
}
