import type { Command } from "commander";

/** `credit retrain`: runs the retrain job once, now, in this process, and prints its result. */
export function register(program: Command): void {
  program
    .command("retrain")
    .description("train a challenger from the latest payment history, evaluate it against the champion on the same out-of-time window, and promote it only if it passes the gate (runs once, in this process)")
    .option("--as-of <date>", "business date of the run (YYYY-MM-DD, default today UTC)")
    .option("--force", "run a new instance even if one for this date completed")
    .option("--json", "print the run as JSON")
    .option("--quiet", "no progress bar")
    .action(async (o: { asOf?: string; force?: boolean; json?: boolean; quiet?: boolean }) => {
      const { runOnce } = await import("./jobs");
      await runOnce("retrain", o);
    });
}
