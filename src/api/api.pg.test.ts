import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config";
import { openDatabase, seedDemo, type Database } from "../db";
import { artifactSource } from "../decisions";
import { createLogger } from "../shared";
import { trainFromDatabase } from "../../training";
import { createPgDatabase, hasPostgres } from "../../test/support/servers";
import { contract } from "./contract";
import { createApp, openRuntime, startServer, type RunningServer, type Runtime } from ".";

const KEY = "test-key-0123456789abcdef";
const NOW = new Date("2026-11-02T09:00:00.000Z");

describe.runIf(hasPostgres)("API on PostgreSQL", () => {
  let dir: string;
  let pgdb: { url: string; drop: () => Promise<void> };
  let db: Database;
  let rt: Runtime;
  let server: RunningServer;
  let customer: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "api-pg-"));
    pgdb = await createPgDatabase("api");
    db = await openDatabase(pgdb.url);
    await seedDemo(db, { customers: 120, seed: 11, asOf: "2026-11-01" });
    const sc = await trainFromDatabase(db, { out: join(dir, "scorecard"), now: new Date("2026-11-01T00:00:00Z"), model: "scorecard", name: "pg-scorecard" });
    const config = loadConfig({ DATABASE_URL: pgdb.url, CREDIT_API_KEY: KEY, POLICY_FILE: "policy/default.yaml", LOG_LEVEL: "silent" });
    const { source, model } = artifactSource([sc.dir]);
    rt = await openRuntime(config, { logger: createLogger("test"), db, models: { source, champion: model }, clock: () => NOW });
    server = await startServer(await createApp(rt.ctx), { port: 0, host: "127.0.0.1" });
    customer = (await db.prisma.customer.findFirst({ orderBy: { id: "asc" } }))!.externalId;
  }, 180_000);

  afterAll(async () => {
    await server?.stop(2000);
    await rt?.close();
    await db?.close();
    await pgdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown) =>
    fetch(server.url + path, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` }, body: JSON.stringify(body) });
  const get = (path: string) => fetch(server.url + path, { headers: { authorization: `Bearer ${KEY}` } });

  it("scores an order, commits the decision (order row, profile) and serves it back unchanged", async () => {
    const r = await post("/score", { customerId: customer, order: { id: "SO-PG-1", amount: 500.25, date: "2026-11-02" } });
    expect(r.status).toBe(200);
    const a = await r.json();
    expect(contract().issues("ScoreResponse", a)).toEqual([]);
    expect(a.kind).toBe("order_check");
    const d = await (await get(`/decisions/${a.decisionId}`)).json();
    expect(d.answer).toEqual(a);
    expect(d.creditLimitMinor).toBe(Math.round(a.creditLimit * 100));
    const o = await db.prisma.order.findUnique({ where: { externalId: "SO-PG-1" } });
    expect(o?.decisionId).toBe(a.decisionId);
    const c = await (await get(`/customers/${customer}/credit`)).json();
    expect(c.lastDecisions[0].decisionId).toBe(a.decisionId);
    expect(contract().issues("CustomerCredit", c)).toEqual([]);
  });

  it("batch-scores 200 ad-hoc rows in one group commit", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ features: { invoice_count_90: i % 9 } }));
    const r = await post("/score/batch", { rows });
    expect(r.status).toBe(200);
    const b = await r.json();
    expect(b.count).toBe(200);
    const ids = b.results.map((x: { decisionId: string }) => x.decisionId);
    expect(await db.prisma.decision.count({ where: { id: { in: ids } } })).toBe(200);
  });
});
