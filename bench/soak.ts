/**
 * Soak benchmark (npm run bench:soak): `credit serve` as a child process on a fresh database (SQLite by
 * default, PostgreSQL with SOAK_DATABASE_URL=postgresql://...), POST /score with orders at a fixed rate
 * (open loop: requests are sent on schedule whether or not earlier ones answered) for SOAK_SECONDS, while
 * an ingestion loop upserts invoice batches (PUT /invoices) every second. Reports throughput, latency
 * percentiles, errors (must be 0) and the server's RSS sampled from /proc/<pid>/status.
 *
 * Environment: SOAK_SECONDS (60), SOAK_RATE (requests/s, 300), SOAK_CUSTOMERS (500), SOAK_INGEST_ROWS (200).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { KILL_KEY, prepare, startChild } from "../test/security/kill-harness";

export interface SoakOptions {
  seconds: number;
  /** POST /score requests per second (open loop). */
  rate: number;
  customers: number;
  /** Invoice rows per ingestion batch (one batch a second). */
  ingestRows: number;
  /** A database URL to use (default: a temp SQLite file). */
  databaseUrl?: string;
  /** Warm-up before measuring (ms, default 5000). */
  warmupMs?: number;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

function pct(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

function request(url: string, method: string, path: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, { method, agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), authorization: `Bearer ${KILL_KEY}`, ...headers } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Runs the soak and returns its report (errors counts non-200 answers and socket errors). */
export async function runSoak(o: SoakOptions) {
  const SECONDS = o.seconds;
  const RATE = o.rate;
  const CUSTOMERS = o.customers;
  const INGEST_ROWS = o.ingestRows;
  const dir = mkdtempSync(join(tmpdir(), "soak-"));
  const databaseUrl = o.databaseUrl ?? `file:${join(dir, "soak.db")}`;
  console.error(`preparing ${CUSTOMERS} customers and a scorecard on ${databaseUrl.split(":")[0]} ...`);
  const { modelDir, customers } = await prepare(databaseUrl, CUSTOMERS);
  const child = await startChild(databaseUrl, modelDir, { AUDIT_FLUSH_MS: "0", RATE_LIMIT_PER_MINUTE: "10000000" });
  const url = child.url;
  const pid = child.pid;
  console.error(`server pid ${pid} at ${url}; warming up 5 s`);

  let seq = 0;
  const orderBody = () => {
    const n = seq++;
    return JSON.stringify({ customerId: customers[(n * 7919) % customers.length], order: { id: `SOAK-${n}`, amount: 100 + (n % 20_000) } });
  };
  // Warm-up (not measured).
  const warmEnd = Date.now() + (o.warmupMs ?? 5000);
  while (Date.now() < warmEnd) await Promise.all(Array.from({ length: 8 }, () => request(url, "POST", "/score", orderBody()).catch(() => 0)));

  const rss: { t: number; mb: number }[] = [{ t: 0, mb: rssMb(pid) }];
  const lat = new Float64Array(Math.ceil(RATE * SECONDS * 1.1) + 16);
  let sent = 0;
  let done = 0;
  let errors = 0;
  const statuses: Record<string, number> = {};
  let ingestBatches = 0;
  let ingestErrors = 0;
  let inflight = 0;
  let maxInflight = 0;
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;

  // Ingestion alongside: one batch of invoice upserts per second.
  let stop = false;
  const ingest = (async () => {
    let b = 0;
    while (!stop) {
      const rows = Array.from({ length: INGEST_ROWS }, (_, i) => {
        const day = 1 + ((b + i) % 28);
        return { externalId: `SOAK-INV-${b}-${i}`, customerId: customers[(b * 31 + i) % customers.length], issueDate: `2026-10-${String(day).padStart(2, "0")}`, dueDate: `2026-11-${String(day).padStart(2, "0")}`, amount: 1000 + i };
      });
      try {
        const s = await request(url, "PUT", "/invoices", JSON.stringify(rows), { "idempotency-key": `soak-${b}` });
        if (s === 200) ingestBatches++;
        else ingestErrors++;
      } catch {
        ingestErrors++;
      }
      b++;
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();

  const sampler = setInterval(() => rss.push({ t: Math.round((performance.now() - t0) / 1000), mb: rssMb(pid) }), 5000);
  // Open loop: every millisecond tick, send what the schedule says should have been sent by now.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      if (now >= end) return resolve();
      const due = Math.floor(((now - t0) / 1000) * RATE);
      while (sent < due) {
        const start = performance.now();
        sent++;
        inflight++;
        if (inflight > maxInflight) maxInflight = inflight;
        request(url, "POST", "/score", orderBody()).then(
          (s) => {
            inflight--;
            statuses[s] = (statuses[s] ?? 0) + 1;
            if (s === 200) lat[done++] = performance.now() - start;
            else errors++;
          },
          (e: { code?: string }) => {
            inflight--;
            errors++;
            statuses[e.code ?? "error"] = (statuses[e.code ?? "error"] ?? 0) + 1;
          },
        );
      }
      setImmediate(tick);
    };
    tick();
  });
  const sendEnd = performance.now();
  while (inflight > 0) await new Promise((r) => setTimeout(r, 10));
  const elapsed = (performance.now() - t0) / 1000;
  stop = true;
  await ingest;
  clearInterval(sampler);
  rss.push({ t: Math.round(elapsed), mb: rssMb(pid) });

  const sorted = lat.slice(0, done).sort();
  const report = {
    database: databaseUrl.split(":")[0],
    seconds: SECONDS,
    targetRate: RATE,
    sent,
    answered200: done,
    throughputPerSec: Math.round(done / elapsed),
    sendWindowSec: Math.round(((sendEnd - t0) / 1000) * 10) / 10,
    latencyMs: { p50: +pct(sorted, 50).toFixed(2), p90: +pct(sorted, 90).toFixed(2), p99: +pct(sorted, 99).toFixed(2), max: +(sorted[sorted.length - 1] ?? NaN).toFixed(2) },
    maxInFlight: maxInflight,
    errors,
    statuses,
    ingestion: { batches: ingestBatches, rowsPerBatch: INGEST_ROWS, errors: ingestErrors },
    rssMb: { start: rss[0].mb, end: rss[rss.length - 1].mb, max: Math.max(...rss.map((r) => r.mb)), samples: rss.map((r) => `${r.t}s:${r.mb}`).join(" ") },
  };
  child.proc.kill("SIGTERM");
  const exit = await child.exited;
  if (!o.databaseUrl) rmSync(dir, { recursive: true, force: true });
  return { ...report, serverExit: exit.code ?? exit.signal };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await runSoak({
    seconds: Number(process.env.SOAK_SECONDS ?? 60),
    rate: Number(process.env.SOAK_RATE ?? 300),
    customers: Number(process.env.SOAK_CUSTOMERS ?? 500),
    ingestRows: Number(process.env.SOAK_INGEST_ROWS ?? 200),
    databaseUrl: process.env.SOAK_DATABASE_URL,
  });
  console.log(JSON.stringify(report, null, 2));
  agent.destroy();
  process.exitCode = report.errors + report.ingestion.errors > 0 || report.serverExit !== 0 ? 1 : 0;
}
