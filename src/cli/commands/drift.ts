import type { Command } from "commander";

/** `credit drift`: runs the drift job once, now, in this process, and prints its result. */
export function register(program: Command): void {
  program
    .command("drift")
    .description("compute PSI of the score and of each feature (recent vs training) and the bad rate by tier; raise alerts at 0.1 / 0.25 (runs once, in this process)")
    .option("--as-of <date>", "business date of the run (YYYY-MM-DD, default today UTC)")
    .option("--force", "run a new instance even if one for this date completed")
    .option("--json", "print the run as JSON")
    .option("--quiet", "no progress bar")
    .action(async (o: { asOf?: string; force?: boolean; json?: boolean; quiet?: boolean }) => {
      const { runOnce } = await import("./jobs");
      await runOnce("drift", o);
    });
}
