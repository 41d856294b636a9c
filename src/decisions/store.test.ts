import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../db";
import { createPgDatabase, hasPostgres } from "../../test/support/servers";
import { openDecisionWriter, type DecisionRow } from "./store";

function row(id: string, extra: Partial<DecisionRow> = {}): DecisionRow {
  return {
    id,
    kind: "adhoc",
    customerId: null,
    customerRef: null,
    orderRef: null,
    modelId: "m1",
    modelVersion: "1",
    policyVersion: "p1",
    pd: 0.125,
    score: 612.4,
    tier: "B",
    decision: "approve",
    creditLimitMinor: null,
    exposureMinor: null,
    currency: null,
    input: JSON.stringify({ features: { A: 1 } }),
    features: JSON.stringify({ A: 1 }),
    reasons: "[]",
    rules: "{}",
    output: JSON.stringify({ decisionId: id, pd: 0.125 }),
    requestId: null,
    createdAt: new Date("2026-11-22T10:00:00.000Z"),
    ...extra,
  };
}

function suite(name: string, open: () => Promise<{ url: string; db: Database; cleanup: () => Promise<void> }>, extra: { sqliteThread?: boolean } = {}) {
  describe(name, () => {
    let env: { url: string; db: Database; cleanup: () => Promise<void> };
    beforeAll(async () => {
      env = await open();
    });
    afterAll(async () => {
      await env?.cleanup();
    });

    it("group-commits concurrent writes: every promise resolves after its row is readable, in fewer transactions than rows", async () => {
      const flushes: number[] = [];
      const w = openDecisionWriter(env.url, { ...extra, observer: { flushed: (n) => flushes.push(n) } });
      const ids = Array.from({ length: 50 }, (_, i) => `dec_gc_${i}`);
      await Promise.all(ids.map((id) => w.write([row(id)])));
      expect(flushes.reduce((a, b) => a + b, 0)).toBe(50);
      expect(flushes.length).toBeLessThan(50);
      const got = await env.db.prisma.decision.findMany({ where: { id: { in: ids } } });
      expect(got).toHaveLength(50);
      const one = got.find((d) => d.id === "dec_gc_7")!;
      expect(one.score).toBe(612);
      expect(one.output).toEqual({ decisionId: "dec_gc_7", pd: 0.125 });
      expect(one.createdAt.toISOString()).toBe("2026-11-22T10:00:00.000Z");
      await w.close();
    });

    it("rejects every row of a failed batch (nothing half-written) and keeps working afterwards", async () => {
      const w = openDecisionWriter(env.url, extra);
      await w.write([row("dec_dup")]);
      const results = await Promise.allSettled([w.write([row("dec_ok_1")]), w.write([row("dec_dup")])]);
      expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
      expect(await env.db.prisma.decision.count({ where: { id: "dec_ok_1" } })).toBe(0);
      await w.write([row("dec_ok_2")]);
      expect(await env.db.prisma.decision.count({ where: { id: "dec_ok_2" } })).toBe(1);
      await w.close();
      await expect(w.write([row("dec_late")])).rejects.toThrow(/closed/);
    });

    it("writes the order row and creates the profile, then keeps the approved limit on later decisions", async () => {
      const c = await env.db.prisma.customer.create({ data: { externalId: "C-store-1", name: "Store test" } });
      const w = openDecisionWriter(env.url, { ...extra, flushMs: 1 });
      const order = { externalId: "SO-1", customerId: c.id, amountMinor: 123450, currency: "CNY", orderDate: "2026-11-20", status: "approved" };
      const profile = { customerId: c.id, tier: "B", limitMinor: 500000, currency: "CNY", limitValidUntil: "2027-02-20", limitCalculation: "{}", nextReviewDate: "2027-02-20", pd: 0.05, score: 650, modelId: "m1", policyVersion: "p1" };
      await w.write([row("dec_o1", { kind: "order_check", customerId: c.id, orderRef: "SO-1", order, profile })]);
      await w.write([row("dec_o2", { kind: "order_check", customerId: c.id, orderRef: "SO-1", order: { ...order, status: "held" }, profile: { ...profile, tier: "C", limitMinor: 100, pd: 0.15 } })]);
      const o = await env.db.prisma.order.findUnique({ where: { externalId: "SO-1" } });
      expect(o?.status).toBe("held");
      expect(o?.decisionId).toBe("dec_o2");
      expect(Number(o?.amountMinor)).toBe(123450);
      const p = await env.db.prisma.creditProfile.findUnique({ where: { customerId: c.id } });
      expect(p?.tier).toBe("C");
      expect(Number(p?.limitMinor)).toBe(500000);
      expect(p?.lastPd).toBe(0.15);
      expect(p?.lastDecisionId).toBe("dec_o2");
      await w.close();
    });
  });
}

async function sqlite() {
  const dir = mkdtempSync(join(tmpdir(), "dec-store-"));
  const url = `file:${join(dir, "t.db")}`;
  const db = await openDatabase(url);
  return { url, db, cleanup: async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); } };
}
suite("SQLite decision writer (API thread)", sqlite);

describe("SQLite WAL checkpoints", () => {
  it("are done by the checkpoint thread, not inside the writer's commits", async () => {
    const env = await sqlite();
    const file = env.url.replace(/^file:/, "");
    const w = openDecisionWriter(env.url);
    const before = statSync(file).size;
    for (let b = 0; b < 5; b++) await Promise.all(Array.from({ length: 40 }, (_, i) => w.write([row(`dec_ck_${b}_${i}`)])));
    // Without any checkpoint the new pages would live only in the -wal file; the thread copies them over.
    const t0 = Date.now();
    while (statSync(file).size === before && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(file).size).toBeGreaterThan(before);
    await w.close();
    await env.cleanup();
  });
});
suite("SQLite decision writer (writer thread)", sqlite, { sqliteThread: true });

describe.runIf(hasPostgres)("PostgreSQL", () => {
  suite("PostgreSQL decision writer", async () => {
    const pg = await createPgDatabase("dec");
    const db = await openDatabase(pg.url);
    return { url: pg.url, db, cleanup: async () => { await db.close(); await pg.drop(); } };
  });
});
