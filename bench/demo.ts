/**
 * Benchmark of the demo-data and history path: generate the demo portfolio, seed it into a fresh
 * database, stream it back, load single customers, compute features and facts per customer, and build
 * training snapshots. Usage:
 *   npm run bench:demo -- [--customers 3000] [--database postgresql://...]   (default: a temporary SQLite file)
 * The machine is shared and noisy: compare ratios within one run rather than absolute numbers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { closeHistoryReader, loadHistories, loadHistory, openDatabase, seedDemo } from "../src/db";
import { generatePortfolio, portfolioHistories } from "../src/demo";
import { buildSnapshots, computeFacts, computeFeatures, type CustomerHistory } from "../src/features";

const { values } = parseArgs({ options: { customers: { type: "string", default: "3000" }, database: { type: "string" }, seed: { type: "string", default: "42" } } });
const customers = Number(values.customers);
const seed = Number(values.seed);
const asOf = "2026-11-22";
const ms = (t0: number) => Math.round(performance.now() - t0);
const out: Record<string, unknown> = { customers, seed, asOf };

let t0 = performance.now();
const p = generatePortfolio({ customers, seed, asOf });
out.generateMs = ms(t0);
out.invoices = p.invoices.length;
out.payments = p.payments.length;

t0 = performance.now();
const snaps = await buildSnapshots(portfolioHistories(p), { everyMonths: 1 });
out.snapshotsMs = ms(t0);
out.snapshotRows = snaps.rows.length;
out.snapshotBadRate = Number((snaps.labels.reduce((a, b) => a + b, 0) / snaps.labels.length).toFixed(4));

const dir = values.database ? null : mkdtempSync(join(tmpdir(), "bench-demo-"));
const url = values.database ?? `file:${join(dir!, "bench.db")}`;
const db = await openDatabase(url);
try {
  const counts = await seedDemo(db, { customers, seed, asOf, mode: "reset" });
  out.database = db.kind;
  out.seedMs = counts.elapsedMs;

  t0 = performance.now();
  let n = 0;
  const big: CustomerHistory[] = [];
  for await (const h of loadHistories(db)) {
    n++;
    if (big.length < 200 && h.invoices.length >= 150) big.push(h);
  }
  out.loadHistoriesMs = ms(t0);

  const ids = p.customers.filter((_, i) => i % Math.max(1, Math.floor(customers / 300)) === 0).map((c) => c.externalId);
  for (const id of ids.slice(0, 30)) await loadHistory(db, id);
  t0 = performance.now();
  for (const id of ids) await loadHistory(db, id);
  out.loadHistoryAvgMs = Number(((performance.now() - t0) / ids.length).toFixed(3));

  const reps = 20;
  for (const h of big) computeFeatures(h, asOf);
  t0 = performance.now();
  for (let r = 0; r < reps; r++) for (const h of big) computeFeatures(h, asOf);
  out.computeFeaturesAvgMs = Number(((performance.now() - t0) / (reps * big.length)).toFixed(4));
  t0 = performance.now();
  for (let r = 0; r < reps; r++) for (const h of big) computeFacts(h, asOf);
  out.computeFactsAvgMs = Number(((performance.now() - t0) / (reps * big.length)).toFixed(4));
  out.featureBenchAvgInvoices = Math.round(big.reduce((a, h) => a + h.invoices.length, 0) / Math.max(1, big.length));
  out.streamedCustomers = n;
} finally {
  await closeHistoryReader(db);
  await db.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
