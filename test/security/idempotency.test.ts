import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgDatabase, hasPostgres } from "../support/servers";
import { call, startFixture, type Fixture } from "./fixture";

/**
 * Idempotency-Key on POST /score with an order (Stripe's semantics), on SQLite and PostgreSQL: a retry
 * with the same key and body returns the first answer byte for byte and writes no second decision;
 * the same key with another body is a 409; concurrent duplicates create one decision.
 */
function suite(name: string, url: () => Promise<{ url?: string; drop?: () => Promise<void> }>) {
  describe(name, () => {
    let fx: Fixture;
    let drop: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const u = await url();
      drop = u.drop;
      fx = await startFixture({ customers: 40, databaseUrl: u.url });
    }, 180_000);
    afterAll(async () => {
      await fx?.close();
      await drop?.();
    });

    const score = (body: unknown, key?: string) =>
      call(fx.server.url, "POST", "/score", { key: fx.keys.erp, body, headers: key ? { "idempotency-key": key } : {} });
    const decisionsFor = (orderRef: string) => fx.db.prisma.decision.count({ where: { orderRef } });

    it("replays the first answer byte for byte and writes one decision", async () => {
      const body = { customerId: fx.customers[0], order: { id: "IDEM-1", amount: 1200 } };
      const a = await score(body, "k-1");
      expect(a.status).toBe(200);
      expect(a.headers.get("idempotent-replayed")).toBeNull();
      const b = await score(body, "k-1");
      expect(b.status).toBe(200);
      expect(b.headers.get("idempotent-replayed")).toBe("true");
      expect(b.text).toBe(a.text);
      expect(await decisionsFor("IDEM-1")).toBe(1);
      const stored = await fx.db.prisma.decision.findUnique({ where: { id: a.body.decisionId } });
      expect(stored).not.toBeNull();
    });

    it("refuses the same key with another body with 409 problem+json and writes nothing", async () => {
      const a = await score({ customerId: fx.customers[1], order: { id: "IDEM-2", amount: 50 } }, "k-2");
      expect(a.status).toBe(200);
      const b = await score({ customerId: fx.customers[1], order: { id: "IDEM-2", amount: 51 } }, "k-2");
      expect(b.status).toBe(409);
      expect(b.type).toContain("application/problem+json");
      expect(b.body).toMatchObject({ type: "/problems/idempotency-key-reused", status: 409 });
      expect(await decisionsFor("IDEM-2")).toBe(1);
    });

    it("creates one decision for 20 concurrent duplicates, all answered with the same body", async () => {
      const body = { customerId: fx.customers[2], order: { id: "IDEM-3", amount: 777 } };
      const all = await Promise.all(Array.from({ length: 20 }, () => score(body, "k-3")));
      expect(all.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(new Set(all.map((r) => r.text)).size).toBe(1);
      expect(await decisionsFor("IDEM-3")).toBe(1);
    });

    it("scopes keys per API key and lets a failed request be retried with its key", async () => {
      const body = { customerId: fx.customers[3], order: { id: "IDEM-4", amount: 10 } };
      const a = await score(body, "shared");
      const b = await call(fx.server.url, "POST", "/score", { key: fx.keys.admin, body, headers: { "idempotency-key": "shared" } });
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(b.body.decisionId).not.toBe(a.body.decisionId);
      const bad = await score({ customerId: "NO-SUCH-CUSTOMER", order: { id: "IDEM-5", amount: 10 } }, "k-5");
      expect(bad.status).toBe(404);
      expect(await fx.db.prisma.idempotencyRecord.count({ where: { key: "k-5" } })).toBe(0);
    });

    it("the store itself skips a second decision under a stored key (the guard across processes)", async () => {
      const req = { customerId: fx.customers[4], order: { id: "IDEM-7", amount: 99 } };
      const idem = { scope: "POST /score:other-process", key: "k-7", requestHash: "h" };
      const [a, b] = await Promise.all([fx.rt.ctx.decisions.score(req, { idempotency: idem }), fx.rt.ctx.decisions.score(req, { idempotency: idem })]);
      expect([a.duplicate ?? false, b.duplicate ?? false].sort()).toEqual([false, true]);
      expect(await decisionsFor("IDEM-7")).toBe(1);
      const rec = await fx.db.prisma.idempotencyRecord.findUnique({ where: { scope_key: { scope: idem.scope, key: idem.key } } });
      expect(rec!.response).toBe(a.duplicate ? b.json : a.json);
    });

    it("rejects a malformed Idempotency-Key with 400", async () => {
      const r = await score({ customerId: fx.customers[0], order: { id: "IDEM-6", amount: 1 } }, "x".repeat(201));
      expect(r.status).toBe(400);
      expect(await decisionsFor("IDEM-6")).toBe(0);
    });
  });
}

suite("SQLite", async () => ({}));
describe.runIf(hasPostgres)("PostgreSQL", () => suite("pg", () => createPgDatabase("idem")));
