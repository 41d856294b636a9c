import type { Command } from "commander";
import { ValidationError } from "../../shared";

/** Options of `credit train`. */
interface TrainCliOptions {
  train?: string;
  test?: string;
  target?: string;
  positive?: string;
  out: string;
  model: string;
  seed: string;
  name?: string;
  fromDb?: boolean;
  asOf?: string;
  horizonMonths?: string;
  dpd?: string;
  json?: boolean;
  quiet?: boolean;
}

/**
 * `credit train`: trains a PD model from a CSV feature table (or from payment history in the database with
 * `--from-db`) and writes the artifact (manifest, model, metrics.json, report.html) to `--out`.
 */
export function register(program: Command): void {
  program
    .command("train")
    .description("train a PD model from a CSV feature table (--train/--target) or from payment history (--from-db) and write the artifact to --out")
    .option("--train <file>", "training CSV (comma or semicolon, header row)")
    .option("--test <file>", "test CSV, evaluated only (never used for a choice)")
    .option("--target <column>", "binary target column of the training file")
    .option("--positive <value>", "target value meaning default/bad (default: 1/true/yes/bad/default)")
    .requiredOption("--out <dir>", "artifact directory to write")
    .option("--model <kind>", "auto | gbdt | nn | scorecard", "auto")
    .option("--seed <n>", "random seed", "42")
    .option("--name <name>", "model name (default: pd-<training file name>)")
    .option("--from-db", "train from payment history in the database (DATABASE_URL)")
    .option("--as-of <date>", "with --from-db: last snapshot date YYYY-MM-DD (default: latest invoice date)")
    .option("--horizon-months <n>", "with --from-db: default horizon in months", "12")
    .option("--dpd <days>", "with --from-db: days past due that count as default", "90")
    .option("--json", "print metrics as JSON on stdout")
    .option("--quiet", "no progress bars")
    .action(async (o: TrainCliOptions) => {
      const kinds = ["auto", "gbdt", "nn", "scorecard"];
      if (!kinds.includes(o.model)) throw new ValidationError([{ path: "--model", expected: kinds.join(" | "), received: `'${o.model}'` }]);
      const seed = Number(o.seed);
      if (!Number.isInteger(seed) || seed < 0) throw new ValidationError([{ path: "--seed", expected: "a non-negative integer", received: `'${o.seed}'` }]);
      const progress = await progressSink(!!o.quiet);
      const t0 = performance.now();
      let result;
      try {
        if (o.fromDb) {
          const { trainFromDatabaseCli } = await import("../../../training");
          result = await trainFromDatabaseCli({
            out: o.out, model: o.model as "auto", seed, name: o.name, asOf: o.asOf, now: new Date(), onProgress: progress.update,
            horizonMonths: Number(o.horizonMonths), dpd: Number(o.dpd),
          });
        } else {
          if (!o.train) throw new ValidationError([{ path: "--train", expected: "a training CSV file (or --from-db)", received: "nothing" }]);
          if (!o.target) throw new ValidationError([{ path: "--target", expected: "the name of the binary target column", received: "nothing" }]);
          const { trainFromTable } = await import("../../../training");
          result = await trainFromTable({
            train: o.train, test: o.test, target: o.target, positive: o.positive, out: o.out,
            model: o.model as "auto", seed, name: o.name, now: new Date(), onProgress: progress.update,
          });
        }
      } finally {
        progress.stop();
      }
      const m = result.trained.metrics;
      const seconds = (performance.now() - t0) / 1000;
      for (const n of result.notes) process.stderr.write(`note: ${n}\n`);
      if (o.json) {
        process.stdout.write(JSON.stringify({ id: result.manifest.id, dir: result.dir, seconds, metrics: m }, null, 2) + "\n");
        return;
      }
      const f = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(4));
      const lines = [
        `model ${result.manifest.id} (${result.trained.champion}) written to ${result.dir}`,
        `candidates (validation AUC): ${Object.entries(m.candidates).map(([k, c]) => `${k} ${f(c.validAuc)}`).join(", ")}`,
        `validation: AUC ${f(m.validation.auc)}  KS ${f(m.validation.ks)}  Brier ${f(m.validation.brier)}  log loss ${f(m.validation.logloss)}`,
        ...(m.test ? [`test:       AUC ${f(m.test.auc)}  KS ${f(m.test.ks)}  Brier ${f(m.test.brier)}  log loss ${f(m.test.logloss)}  PSI ${f(m.test.psi)}`] : []),
        `time ${seconds.toFixed(1)} s`,
      ];
      process.stdout.write(lines.join("\n") + "\n");
    });
}

/** One cli-progress bar per training stage on stderr (none with --quiet or when stderr is not a TTY). */
async function progressSink(quiet: boolean): Promise<{ update: (stage: string, done: number, total: number) => void; stop: () => void }> {
  if (quiet || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const { MultiBar, Presets } = await import("cli-progress");
  const multi = new MultiBar({ format: "{stage} [{bar}] {value}/{total}", stream: process.stderr, hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
  const bars = new Map<string, ReturnType<typeof multi.create>>();
  return {
    update(stage, done, total) {
      let bar = bars.get(stage);
      if (!bar) {
        bar = multi.create(total, 0, { stage: stage.padEnd(10) });
        bars.set(stage, bar);
      }
      // Early stopping ends a stage before its maximum: complete the bar then.
      if (done >= total) bar.setTotal(Math.max(1, done));
      bar.update(done);
    },
    stop: () => multi.stop(),
  };
}
