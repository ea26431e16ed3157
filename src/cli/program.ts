// The `descent` command line: builds the commander program and runs it against argv, returning
// an exit code instead of exiting, so tests can drive it in-process.

import { Command, CommanderError } from "commander";
import { DescentError } from "../util/errors.js";
import { registerDemoCommand } from "./commands/demo.js";
import { registerSampleCommand } from "./commands/sample.js";
import { registerTrainCommand } from "./commands/train.js";
import { ExitStatus } from "./errors.js";
import { formatInfo, infoReport, packageVersion } from "./commands/info.js";
import { DEMOS, type Demo } from "./demos/index.js";

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Where live progress goes (process.stderr in the real CLI: its isTTY decides redrawing). */
  errStream?: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

const processIO: CliIO = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  errStream: process.stderr,
};

const withNewline = (t: string): string => (t.endsWith("\n") ? t : t + "\n");

/** Build the program; `demos` replaces the registered demos (tests use it). */
export function createProgram(io: CliIO = processIO, demos: readonly Demo[] = DEMOS): Command {
  const print = (text: string): void => io.out(withNewline(text));
  const program = new Command("descent")
    .description("Descent: train neural networks the way LLMs are trained (tensors, autograd, nn, optim).")
    .version(packageVersion(), "-V, --version", "print Descent's version")
    .showSuggestionAfterError()
    .showHelpAfterError("(run `descent --help` for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      // commander's own parse errors ("error: unknown command 'x'") get the same prefix as ours.
      outputError: (s, write) => write(s.replace(/^error: /, "descent: ")),
    });
  registerDemoCommand(program, print, demos);
  program
    .command("info")
    .description("print the version, Node, backend, native addon status, ISA and threads")
    .action(() => print(formatInfo(infoReport())));
  registerTrainCommand(program, io);
  registerSampleCommand(program, io);
  // Subcommands inherit exit and output handling from the program.
  return program;
}

/** Run the CLI on `argv` (without node and script path); resolves to the process exit code. */
export async function runCli(argv: readonly string[], io: CliIO = processIO, demos: readonly Demo[] = DEMOS): Promise<number> {
  const program = createProgram(io, demos);
  if (argv.length === 0) {
    // One line, not the whole help: what to type next.
    const commands = program.commands.map((c) => c.name()).filter((n) => n !== "help");
    io.err(`descent: no command given; usage: descent <${commands.join("|")}> [options] (run \`descent --help\` for details)\n`);
    return 1;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode; // already printed (help, version, parse errors)
    if (e instanceof ExitStatus) return e.code;
    if (e instanceof DescentError) {
      io.err(`descent: ${e.message}\n`);
      return 1;
    }
    const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
    io.err(`descent: internal error (please report): ${detail}\n`);
    return 1;
  }
}
