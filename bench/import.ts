/**
 * Import benchmark (npm run bench:import): generates a CSV of 5,000 customers and one of 1,000,000
 * invoices (streaming, in a temp dir), imports both into a fresh SQLite file through `importCsv` (the code
 * path of `credit import`), imports the invoices a second time (idempotent: all unchanged), and prints
 * rows/s, wall seconds and the process's peak RSS. With PG_TEST_URL set (or --pg URL) it repeats the
 * run on a fresh PostgreSQL database.
 *
 *   npm run bench:import -- [--rows 1000000] [--customers 5000] [--quiet] [--no-second] [--pg URL] [--skip-sqlite] [--chunk N] [--cache-mib N] [--keep]
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { openDatabase } from "../src/db";
import { addDays, fromEpochDay, toEpochDay } from "../src/shared";
import { importCsv, releaseIngestStore, type ImportProgress, type ImportResult } from "../src/ingest";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    customers: { type: "string", default: "5000" },
    quiet: { type: "boolean", default: false },
    "no-second": { type: "boolean", default: false },
    pg: { type: "string" },
    keep: { type: "boolean", default: false },
    "skip-sqlite": { type: "boolean", default: false },
    chunk: { type: "string" },
    "cache-mib": { type: "string" },
  },
});
const ROWS = Number(args.rows);
const CUSTOMERS = Number(args.customers);

/** Deterministic 32-bit PRNG (mulberry32) so every run imports the same data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function writeLines(file: string, header: string, n: number, line: (i: number) => string): Promise<void> {
  const ws = createWriteStream(file);
  ws.write(header + "\n");
  let buf = "";
  for (let i = 0; i < n; i++) {
    buf += line(i) + "\n";
    if (buf.length > 1 << 16) {
      if (!ws.write(buf)) await once(ws, "drain");
      buf = "";
    }
  }
  ws.end(buf);
  await once(ws, "finish");
}

async function generate(dir: string): Promise<{ customers: string; invoices: string }> {
  const r = rng(42);
  const customers = join(dir, "customers.csv");
  const invoices = join(dir, "invoices.csv");
  const industries = ["steel", "textiles", "electronics", "chemicals", "retail", "logistics"];
  await writeLines(customers, "external_id,name,country,region,industry,registration_date,currency,payment_terms_days", CUSTOMERS, (i) =>
    [`C${String(i).padStart(6, "0")}`, `Customer ${i} Co. Ltd`, "CN", `R${i % 31}`, industries[i % industries.length], fromEpochDay(toEpochDay("2010-01-01") + Math.floor(r() * 4000)), "CNY", [30, 45, 60, 90][i % 4]].join(","),
  );
  const start = toEpochDay("2021-01-01");
  await writeLines(invoices, "invoice_id,customer_id,issue_date,due_date,amount,paid_amount,settled_date,disputed", ROWS, (i) => {
    const issue = fromEpochDay(start + Math.floor(r() * 1400));
    const due = addDays(issue, 30 + 15 * Math.floor(r() * 4));
    const amount = (100 + Math.floor(r() * 5_000_000)) / 100;
    const settled = r() < 0.85 ? addDays(due, Math.floor(r() * 40) - 10) : "";
    const settledOk = settled !== "" && settled >= issue ? settled : "";
    return [`INV${String(i).padStart(8, "0")}`, `C${String(Math.floor(r() * CUSTOMERS)).padStart(6, "0")}`, issue, due, amount.toFixed(2), settledOk ? amount.toFixed(2) : "0", settledOk, r() < 0.03 ? "yes" : "no"].join(",");
  });
  return { customers, invoices };
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);

async function progress(label: string) {
  if (args.quiet) return undefined;
  const { SingleBar, Presets } = await import("cli-progress");
  let bar: InstanceType<typeof SingleBar> | null = null;
  let phase = "";
  let t0 = 0;
  return {
    onProgress(p: ImportProgress) {
      if (p.phase !== phase) {
        bar?.stop();
        phase = p.phase;
        t0 = performance.now();
        bar = new SingleBar({ format: `${label} ${p.phase.padEnd(8)} [{bar}] {percentage}% | {rows} rows | {rate} rows/s`, stream: process.stderr }, Presets.shades_classic);
        bar.start(p.totalBytes, 0, { rows: 0, rate: 0 });
      }
      const s = (performance.now() - t0) / 1000;
      bar!.update(p.bytes, { rows: p.rows, rate: s > 0 ? Math.round(p.rows / s) : 0 });
    },
    stop: () => bar?.stop(),
  };
}

const mb = (b: number) => `${(b / 1048576).toFixed(0)}MB`;
function memory(): string {
  const m = process.memoryUsage();
  return `rss=${mb(m.rss)} heapUsed=${mb(m.heapUsed)} heapTotal=${mb(m.heapTotal)} external=${mb(m.external)}`;
}

function line(label: string, r: ImportResult, cpu: NodeJS.CpuUsage): string {
  return (
    `${label.padEnd(28)} rows=${r.rows} created=${r.created} updated=${r.updated} unchanged=${r.unchanged} rejected=${r.rejected} ` +
    `wall=${r.seconds.toFixed(2)}s (validate ${r.validateSeconds.toFixed(2)}s + write ${r.writeSeconds.toFixed(2)}s) rows/s=${Math.round(r.rowsPerSecond)} ` +
    `cpu=${((cpu.user + cpu.system) / 1e6).toFixed(2)}s (${Math.round(r.rows / ((cpu.user + cpu.system) / 1e6))} rows per cpu-second) ${memory()}`
  );
}

async function runOn(url: string, label: string, files: { customers: string; invoices: string }): Promise<void> {
  const db = await openDatabase(url);
  console.log(`${label} database open, before any row: ${memory()} maxRSS so far=${mb(process.resourceUsage().maxRSS * 1024)}`);
  try {
    let cpu = process.cpuUsage();
    const c = await importCsv(db, "customers", files.customers);
    console.log(line(`${label} customers`, c, process.cpuUsage(cpu)));
    for (const pass of args["no-second"] ? ["first"] : ["first", "second (idempotent)"]) {
      const bar = await progress(label);
      cpu = process.cpuUsage();
      const r = await importCsv(db, "invoices", files.invoices, { onProgress: bar?.onProgress, chunkSize: args.chunk ? Number(args.chunk) : undefined, sqliteCacheMiB: args["cache-mib"] ? Number(args["cache-mib"]) : undefined });
      const used = process.cpuUsage(cpu);
      bar?.stop();
      if (r.errorCount) throw new Error(`benchmark data rejected: ${JSON.stringify(r.errors.slice(0, 3))}`);
      console.log(line(`${label} invoices ${pass}`, r, used));
    }
  } finally {
    await releaseIngestStore(db);
    await db.close();
  }
}

const dir = await mkdtemp(join(tmpdir(), "credit-bench-import-"));
try {
  const tg = performance.now();
  const files = await generate(dir);
  const size = (await stat(files.invoices)).size;
  console.log(`generated ${CUSTOMERS} customers and ${ROWS} invoices (${(size / 1e6).toFixed(1)} MB) in ${((performance.now() - tg) / 1000).toFixed(1)} s; ${memory()} maxRSS=${mb(process.resourceUsage().maxRSS * 1024)}`);
  if (!args["skip-sqlite"]) await runOn(`file:${join(dir, "bench.db")}`, "sqlite", files);
  const pgUrl = args.pg ?? process.env.PG_TEST_URL;
  if (pgUrl) {
    const name = `bench_import_${process.pid}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const u = new URL(pgUrl);
    u.pathname = `/${name}`;
    try {
      await runOn(u.toString(), "postgres", files);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  }
} finally {
  clearInterval(sampler);
  if (!args.keep) await rm(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}
const maxRssMb = process.resourceUsage().maxRSS / 1024;
console.log(`peak RSS: ${Math.max(maxRssMb, peakRss / 1048576).toFixed(0)} MB (resourceUsage.maxRSS ${maxRssMb.toFixed(0)} MB, sampled ${(peakRss / 1048576).toFixed(0)} MB)`);
