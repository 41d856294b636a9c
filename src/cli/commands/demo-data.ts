import type { Command } from "commander";
import { wholeNumber } from "../options";

const HELP = `
Generates a deterministic demo portfolio (Chinese B2B customers with hidden risk, 30/60/90-day terms,
seasonal monthly invoices, payments, disputes, write-offs, recoveries, a few pending orders) and writes
it to the database. The same --customers, --seed, --as-of and --months always give the same data.
Assumptions of the generator: data/README.md.

Into a database that already holds customers:
  (default)  refuse, change nothing, exit 2
  --append   add the portfolio beside the existing data (refused if this seed's demo ids are present)
  --reset    first DELETE ALL customer data: customers, invoices, payments, orders, credit profiles,
             limit changes, score snapshots, collection actions, blacklist entries; decisions and
             overrides are kept with their customer reference cleared; models, policies, API keys kept
`;

interface DemoCliOptions {
  customers: number;
  seed: number;
  asOf?: string;
  months: number;
  database?: string;
  append?: boolean;
  reset?: boolean;
  quiet?: boolean;
  json?: boolean;
}

const int = wholeNumber;

export function register(program: Command): void {
  program
    .command("demo-data")
    .description("generate a deterministic demo portfolio and write it to the database")
    .option("--customers <n>", "number of customers", int("--customers"), 3000)
    .option("--seed <n>", "random seed", int("--seed"), 42)
    .option("--as-of <date>", "as-of date of the portfolio, YYYY-MM-DD (default: today, UTC)")
    .option("--months <n>", "months of history before the as-of date", int("--months"), 36)
    .option("--database <url>", "database URL (default: DATABASE_URL, else file:./data/credit.db)")
    .option("--append", "add to a database that already holds customers")
    .option("--reset", "delete all customer data first (see below)")
    .option("--json", "print the counts as JSON")
    .option("--quiet", "no progress bar")
    .addHelpText("after", HELP)
    .action(async (o: DemoCliOptions) => {
      const { ValidationError, todayUtc } = await import("../../shared");
      if (o.append && o.reset) {
        throw new ValidationError([{ path: "--append/--reset", expected: "at most one of --append and --reset", received: "both" }]);
      }
      const { loadConfig } = await import("../../config");
      const { openDatabase, seedDemo } = await import("../../db");
      const url = o.database ?? loadConfig().DATABASE_URL;
      const asOf = o.asOf ?? todayUtc();
      const db = await openDatabase(url);
      let bar: import("cli-progress").SingleBar | null = null;
      try {
        if (!o.quiet && !o.json) {
          const { SingleBar, Presets } = await import("cli-progress");
          bar = new SingleBar(
            { format: "demo     [{bar}] {percentage}% | {value}/{total} customers | ETA {eta_formatted}", stream: process.stderr, hideCursor: true },
            Presets.shades_classic,
          );
        }
        let started = false;
        const counts = await seedDemo(db, {
          customers: o.customers,
          seed: o.seed,
          asOf,
          months: o.months,
          mode: o.reset ? "reset" : o.append ? "append" : "refuse",
          onProgress: (done, total) => {
            if (!bar) return;
            if (!started) {
              bar.start(total, 0);
              started = true;
            }
            bar.update(done);
          },
        });
        bar?.stop();
        if (o.json) process.stdout.write(JSON.stringify({ asOf, seed: o.seed, ...counts }) + "\n");
        else {
          const del = counts.deletedCustomers ? `deleted ${counts.deletedCustomers} customers first; ` : "";
          process.stdout.write(
            `${del}wrote ${counts.customers} customers, ${counts.invoices} invoices, ${counts.payments} payments, ${counts.orders} pending orders, ${counts.profiles} credit profiles (seed ${o.seed}, as of ${asOf}) in ${(counts.elapsedMs / 1000).toFixed(1)} s\n`,
          );
        }
      } finally {
        bar?.stop();
        await db.close();
      }
    });
}
