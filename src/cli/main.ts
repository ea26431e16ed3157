// Entry point of the `descent` command (bin/descent.js imports this module): run the CLI on the
// process arguments and exit with its code.

import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv.slice(2));
