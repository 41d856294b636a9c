/**
 * bench:console — latency of the console's read models on a demo portfolio (default 3,000 customers,
 * about 330,000 invoices), on SQLite (default) or PostgreSQL (`--db postgresql://...`).
 *
 *   npm run bench:console -- [--customers 3000] [--db file:./data/bench-console.db] [--runs 7]
 *
 * An existing database with customers is reused as it is (seeding 3,000 customers takes minutes on a
 * loaded machine). Prints one line per read model (median / p95 / max in ms) and a JSON summary.
 */
import { mkdirSync } from "node:fs";
import { Command } from "commander";
import { openDatabase, seedDemo } from "../src/db";
import { CashflowCache, collectionsWorklist, customerOverview, listOrders, modelsOverview, portfolioSummary, searchDecisions } from "../src/console";
import { todayUtc } from "../src/shared";

const program = new Command("bench:console")
  .option("--customers <n>", "demo customers to seed into an empty database", "3000")
  .option("--db <url>", "database URL", "file:./data/bench-console.db")
  .option("--runs <n>", "measured runs per read model", "7")
  .parse(process.argv);
const o = program.opts<{ customers: string; db: string; runs: string }>();
const runs = Math.max(1, Number(o.runs));
if (o.db.startsWith("file:")) mkdirSync("data", { recursive: true });

const db = await openDatabase(o.db);
const asOf = todayUtc();
const existing = await db.prisma.customer.count();
if (existing === 0) {
  const t0 = performance.now();
  process.stderr.write(`seeding ${o.customers} demo customers as of ${asOf}...\n`);
  await seedDemo(db, { customers: Number(o.customers), seed: 42, asOf });
  process.stderr.write(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
const [customers, invoices, payments] = await Promise.all([db.prisma.customer.count(), db.prisma.invoice.count(), db.prisma.payment.count()]);
const ids = (await db.prisma.customer.findMany({ select: { externalId: true }, orderBy: { id: "asc" } })).map((c) => c.externalId);

async function measure(name: string, f: (i: number) => Promise<unknown>): Promise<{ name: string; medianMs: number; p95Ms: number; maxMs: number }> {
  await f(-1);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))];
  const r = { name, medianMs: Math.round(q(0.5)), p95Ms: Math.round(q(0.95)), maxMs: Math.round(ms[ms.length - 1]) };
  console.log(`${name.padEnd(34)} median ${String(r.medianMs).padStart(5)} ms   p95 ${String(r.p95Ms).padStart(5)} ms   max ${String(r.maxMs).padStart(5)} ms`);
  return r;
}

console.log(`console read models on ${db.kind}: ${customers} customers, ${invoices} invoices, ${payments} payments (as of ${asOf}, ${runs} runs each)`);
const results = [
  await measure("portfolio summary (no cache)", () => portfolioSummary(db, asOf)),
  await measure("portfolio summary (cashflow memo)", (() => {
    const cache = new CashflowCache();
    return () => portfolioSummary(db, asOf, { cashflowCache: cache });
  })()),
  await measure("held orders", () => listOrders(db, { status: ["held"] })),
  await measure("customer overview", (i) => customerOverview(db, ids[(i + 1) * 7919 % ids.length], asOf)),
  await measure("decision search (page 1)", () => searchDecisions(db, {})),
  await measure("collections worklist", () => collectionsWorklist(db, asOf)),
  await measure("models/drift/alerts", () => modelsOverview(db, [])),
];
console.log(JSON.stringify({ bench: "console", kind: db.kind, customers, invoices, payments, runs, results }));
await db.close();
