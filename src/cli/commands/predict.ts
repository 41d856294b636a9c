import type { Command } from "commander";

/**
 * `credit predict`: scores every row of a CSV file with a model artifact and writes it with a `pd` column
 * (input order, other columns kept).
 */
export function register(program: Command): void {
  program
    .command("predict")
    .description("write every input row's probability of default in a column 'pd' (input order, other columns kept)")
    .requiredOption("--model <dir>", "model artifact directory (verified by checksum)")
    .requiredOption("--input <file>", "CSV file to score")
    .requiredOption("--out <file>", "CSV file to write")
    .option("--quiet", "print nothing on success")
    .action(async (o: { model: string; input: string; out: string; quiet?: boolean }) => {
      const { predictFile } = await import("../../../training");
      const r = await predictFile({ model: o.model, input: o.input, out: o.out });
      if (!o.quiet) process.stderr.write(`scored ${r.rows} rows with ${r.modelId} -> ${o.out}\n`);
    });
}
