// `descent report RUN_DIR`: write RUN_DIR/report.html from the run's metrics and settings.

import type { Command } from "commander";
import { writeReport } from "../../train/report_html.js";
import type { CliIO } from "../program.js";

export function registerReportCommand(program: Command, io: CliIO): void {
  program
    .command("report")
    .description("write RUN_DIR/report.html: charts of loss, lr, grad norm, tokens/s (self-contained, no network)")
    .argument("<run-dir>", "a run directory written by descent train")
    .action((runDir: string) => {
      io.out(`${writeReport(runDir)}\n`);
    });
}
