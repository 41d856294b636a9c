/**
 * Crash-durability benchmark (npm run bench:kill): for SQLite (and PostgreSQL when KILL_PG_URL or
 * PG_TEST_URL is set), KILL_CYCLES times: start `credit serve` on the same database, drive POST /score
 * with orders from KILL_CONCURRENCY loops, SIGKILL it after a random number of answers, and restart.
 * At the end every decision a client got a 200 for must be in the Decision table. Reports decisions
 * checked and missing (must be 0) per database.
 *
 * Environment: KILL_CYCLES (5), KILL_CONCURRENCY (32), KILL_MIN_OK (200), KILL_MAX_OK (1500), KILL_CUSTOMERS (200).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { killCycle, missingDecisions, post, prepare, startChild } from "../test/security/kill-harness";

const CYCLES = Number(process.env.KILL_CYCLES ?? 5);
const CONCURRENCY = Number(process.env.KILL_CONCURRENCY ?? 32);
const MIN_OK = Number(process.env.KILL_MIN_OK ?? 200);
const MAX_OK = Number(process.env.KILL_MAX_OK ?? 1500);
const CUSTOMERS = Number(process.env.KILL_CUSTOMERS ?? 200);

async function run(databaseUrl: string): Promise<{ database: string; cycles: number; checked: number; missing: number; socketErrors: Record<string, number>; otherStatuses: Record<string, number> }> {
  const { modelDir, customers, dir } = await prepare(databaseUrl, CUSTOMERS);
  const answered: string[] = [];
  const socketErrors: Record<string, number> = {};
  const otherStatuses: Record<string, number> = {};
  try {
    for (let c = 0; c < CYCLES; c++) {
      const killAfterOk = MIN_OK + Math.floor(Math.random() * (MAX_OK - MIN_OK));
      const r = await killCycle(databaseUrl, modelDir, customers, { concurrency: CONCURRENCY, killAfterOk, prefix: `KB${c}` });
      answered.push(...r.ok);
      for (const [k, v] of Object.entries(r.failed)) socketErrors[k] = (socketErrors[k] ?? 0) + v;
      for (const [k, v] of Object.entries(r.http)) otherStatuses[k] = (otherStatuses[k] ?? 0) + v;
      console.error(`${databaseUrl.split(":")[0]} cycle ${c + 1}/${CYCLES}: ${r.ok.length} answered, SIGKILL with requests in flight (${JSON.stringify(r.failed)})`);
    }
    const again = await startChild(databaseUrl, modelDir);
    const probe = await post(again.url, "/score", { customerId: customers[0], order: { id: "KB-AFTER", amount: 1 } }, false);
    again.proc.kill("SIGTERM");
    await again.exited;
    if (probe.status !== 200) throw new Error(`restarted server answered ${probe.status}`);
    const missing = await missingDecisions(databaseUrl, answered);
    return { database: databaseUrl.split(":")[0], cycles: CYCLES, checked: answered.length, missing: missing.length, socketErrors, otherStatuses };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
const dir = mkdtempSync(join(tmpdir(), "kill-bench-"));
results.push(await run(`file:${join(dir, "kill.db")}`));
rmSync(dir, { recursive: true, force: true });
const pgBase = process.env.KILL_PG_URL ?? process.env.PG_TEST_URL;
if (pgBase) {
  const name = `killbench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: pgBase });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const u = new URL(pgBase);
  u.pathname = `/${name}`;
  try {
    results.push(await run(u.toString()));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
} else {
  console.error("PostgreSQL skipped (set KILL_PG_URL or PG_TEST_URL)");
}
console.log(JSON.stringify(results, null, 2));
process.exitCode = results.some((r) => r.missing > 0 || Object.keys(r.otherStatuses).length > 0) ? 1 : 0;
