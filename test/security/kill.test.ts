import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPgDatabase, hasPostgres } from "../support/servers";
import { killCycle, missingDecisions, post, prepare, startChild } from "./kill-harness";

/**
 * Crash durability (short version; `npm run bench:kill` runs more load and cycles): `credit serve` under
 * concurrent POST /score with orders is SIGKILLed mid-load, restarted on the same database, and every
 * decision a client received a 200 for must be in the Decision table. SQLite and PostgreSQL.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function run(databaseUrl: string) {
  const { modelDir, customers, dir } = await prepare(databaseUrl, 30);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const r = await killCycle(databaseUrl, modelDir, customers, { concurrency: 16, killAfterOk: 200, prefix: "KILL" });
  console.log(`load: ${r.ok.length} ok, failed ${JSON.stringify(r.failed)}, http ${JSON.stringify(r.http)}`);
  expect(r.ok.length).toBeGreaterThanOrEqual(200);
  // Restart on the same database: it must come up (recovery) and serve.
  const again = await startChild(databaseUrl, modelDir);
  const after = await post(again.url, "/score", { customerId: customers[0], order: { id: "AFTER-RESTART", amount: 10 } }, false);
  expect(after.status).toBe(200);
  again.proc.kill("SIGTERM");
  expect((await again.exited).code).toBe(0);
  const missing = await missingDecisions(databaseUrl, r.ok);
  console.log(`kill (${databaseUrl.split(":")[0]}): ${r.ok.length} decisions answered 200 before SIGKILL, ${r.ok.length - missing.length} found after restart; socket errors ${JSON.stringify(r.failed)}; other statuses ${JSON.stringify(r.http)}`);
  expect(missing).toEqual([]);
  expect(Object.keys(r.http)).toEqual([]);
}

describe("SIGKILL under load", () => {
  it("SQLite: every answered decision survives", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "kill-db-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    await run(`file:${join(dir, "kill.db")}`);
  }, 180_000);

  it.runIf(hasPostgres)("PostgreSQL: every answered decision survives", async () => {
    const pg = await createPgDatabase("kill");
    cleanups.push(pg.drop);
    await run(pg.url);
  }, 180_000);
});
