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
    .option("--model <kind>", "challenger estimator: auto | gbdt | nn | scorecard", "auto")
    .option("--margin <auc>", "AUC the challenger must gain over the champion (default RETRAIN_AUC_MARGIN, 0.005)")
    .option("--oot-months <n>", "months of the latest labelled snapshots held out for the comparison", "6")
    .action(async (o: { asOf?: string; force?: boolean; json?: boolean; quiet?: boolean; model: string; margin?: string; ootMonths: string }) => {
      const { ValidationError } = await import("../../shared");
      const kinds = ["auto", "gbdt", "nn", "scorecard"];
      if (!kinds.includes(o.model)) throw new ValidationError([{ path: "--model", expected: kinds.join(" | "), received: `"${o.model}"` }]);
      const margin = o.margin === undefined ? undefined : Number(o.margin);
      if (margin !== undefined && !(margin >= 0 && margin <= 0.5)) throw new ValidationError([{ path: "--margin", expected: "a number 0..0.5", received: `"${o.margin}"` }]);
      const { runOnce } = await import("./jobs");
      await runOnce("retrain", o, { model: o.model, ootMonths: Number(o.ootMonths), ...(margin !== undefined ? { gate: { aucMargin: margin } } : {}) });
    });
}
