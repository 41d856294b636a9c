import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, migrate, dbKind, type Database } from "./index";
import { createPgDatabase, hasPostgres } from "../../test/support/servers";

/** The same contract checks run against both databases. */
function schemaContract(name: string, open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>) {
  describe(`schema on ${name}`, () => {
    let ctx: { db: Database; cleanup: () => Promise<void> };
    afterAll(async () => {
      await ctx?.db.close();
      await ctx?.cleanup();
    });

    it("migrates and is idempotent on a second run", async () => {
      ctx = await open();
      const again = await migrate(ctx.db.url);
      expect(again.applied).toEqual([]);
      expect(again.alreadyApplied).toContain("0001_init");
    });

    it("stores money exactly beyond 2^31 minor units and round-trips JSON and unicode", async () => {
      const { prisma } = ctx.db;
      const c = await prisma.customer.create({
        data: { externalId: "C-1", name: "苏州恒达精密机械有限公司", attributes: { segment: "制造业", tags: ["a", "b"] } },
      });
      await prisma.invoice.create({
        data: { externalId: "INV-1", customerId: c.id, issueDate: "2026-01-05", dueDate: "2026-02-04", amountMinor: 9_007_199_254_740_991n },
      });
      const inv = await prisma.invoice.findUniqueOrThrow({ where: { externalId: "INV-1" }, include: { customer: true } });
      expect(inv.amountMinor).toBe(9_007_199_254_740_991n);
      expect(inv.customer.name).toBe("苏州恒达精密机械有限公司");
      expect(inv.customer.attributes).toEqual({ segment: "制造业", tags: ["a", "b"] });
    });

    it("enforces unique external ids and the foreign keys", async () => {
      const { prisma } = ctx.db;
      await expect(prisma.customer.create({ data: { externalId: "C-1", name: "dup" } })).rejects.toThrow();
      await expect(
        prisma.invoice.create({ data: { externalId: "INV-X", customerId: 999_999, issueDate: "2026-01-01", dueDate: "2026-01-31", amountMinor: 1n } }),
      ).rejects.toThrow();
    });

    it("has a table for every part of the domain", async () => {
      const { prisma } = ctx.db;
      const c = await prisma.customer.findUniqueOrThrow({ where: { externalId: "C-1" } });
      const inv = await prisma.invoice.findUniqueOrThrow({ where: { externalId: "INV-1" } });
      await prisma.payment.create({ data: { externalId: "P-1", customerId: c.id, invoiceId: inv.id, date: "2026-02-01", amountMinor: 100n } });
      await prisma.order.create({ data: { externalId: "O-1", customerId: c.id, amountMinor: 5000n, orderDate: "2026-03-01" } });
      await prisma.creditProfile.create({ data: { customerId: c.id, tier: "B", limitMinor: 10_000_000n } });
      await prisma.decision.create({
        data: { id: "dec_1", kind: "order_check", customerId: c.id, modelId: "m1", modelVersion: "1", policyVersion: "p1", pd: 0.04, score: 612, input: {}, features: {}, reasons: [], rules: [], output: {} },
      });
      await prisma.override.create({ data: { customerId: c.id, orderRef: "O-1", action: "release", actor: "officer", reason: "known buyer", before: { status: "held" }, after: { status: "released" } } });
      await prisma.modelVersion.create({ data: { id: "m1", name: "auto", version: "1", kind: "blend", path: "models/m1", manifestSha: "x", metrics: {} } });
      await prisma.policyVersion.create({ data: { version: "p1", sha256: "y", content: {} } });
      await prisma.collectionAction.create({ data: { invoiceId: inv.id, customerId: c.id, step: "pre_due_reminder", kind: "reminder", dueDate: "2026-02-01", dedupeKey: "INV-1:pre_due_reminder" } });
      await prisma.blacklistEntry.create({ data: { customerId: c.id, reason: "fraud", addedBy: "admin" } });
      await prisma.apiKey.create({ data: { id: "k1", name: "erp", prefix: "ck_abc", hash: "scrypt$...", role: "erp" } });
      const counts = await Promise.all([
        prisma.payment.count(), prisma.order.count(), prisma.creditProfile.count(), prisma.decision.count(), prisma.override.count(),
        prisma.modelVersion.count(), prisma.policyVersion.count(), prisma.collectionAction.count(), prisma.blacklistEntry.count(), prisma.apiKey.count(),
      ]);
      expect(counts).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    });
  });
}

schemaContract("SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "credit-db-"));
  const db = await openDatabase(`file:${join(dir, "t.db")}`);
  return { db, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe.runIf(hasPostgres)("PostgreSQL", () => {
  schemaContract("PostgreSQL", async () => {
    const pg = await createPgDatabase("schema");
    const db = await openDatabase(pg.url);
    return { db, cleanup: pg.drop };
  });
});

describe("dbKind", () => {
  it("recognises SQLite and PostgreSQL URLs and names a wrong one", () => {
    expect(dbKind("file:./data/x.db")).toBe("sqlite");
    expect(dbKind("postgresql://u@h/db")).toBe("postgres");
    expect(() => dbKind("mysql://h/db")).toThrow(/DATABASE_URL must start with/);
  });
});
