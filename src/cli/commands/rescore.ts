import type { Command } from "commander";

/** `credit rescore`: runs the rescore job once, now, in this process, and prints its result. */
export function register(program: Command): void {
  program
    .command("rescore")
    .description("re-score every active customer with the champion and update tiers and limits through the policy's dynamic review (runs once, in this process)")
    .option("--as-of <date>", "business date of the run (YYYY-MM-DD, default today UTC)")
    .option("--force", "run a new instance even if one for this date completed")
    .option("--json", "print the run as JSON")
    .option("--quiet", "no progress bar")
    .action(async (o: { asOf?: string; force?: boolean; json?: boolean; quiet?: boolean }) => {
      const { runOnce } = await import("./jobs");
      await runOnce("rescore", o);
    });
}
