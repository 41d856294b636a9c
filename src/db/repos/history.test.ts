import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgDatabase, hasPostgres } from "../../../test/support/servers";
import { generatePortfolio, generateCustomer, bundleHistory } from "../../demo";
import { computeFeatures, type CustomerHistory } from "../../features";
import { ConflictError } from "../../shared";
import { closeHistoryReader, loadHistories, loadHistory, openDatabase, resetCustomerData, seedDemo, type Database } from "../index";

const AS_OF = "2026-11-22";
const OPTS = { customers: 40, seed: 5, asOf: AS_OF };

function sorted(h: CustomerHistory): CustomerHistory {
  const key = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    ...h,
    invoices: [...h.invoices].sort((a, b) => key(a.issueDate + a.id, b.issueDate + b.id)),
    payments: [...h.payments].sort((a, b) => key(a.date + a.id, b.date + b.id)),
  };
}

function contract(name: string, open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>) {
  describe(`history and seeding on ${name}`, () => {
    let ctx: { db: Database; cleanup: () => Promise<void> };
    beforeAll(async () => {
      ctx = await open();
    });
    afterAll(async () => {
      if (!ctx) return;
      await closeHistoryReader(ctx.db);
      await ctx.db.close();
      await ctx.cleanup();
    });

    it("seeds the generated portfolio with exact counts", async () => {
      const progress: number[] = [];
      const counts = await seedDemo(ctx.db, { ...OPTS, batchCustomers: 15, onProgress: (d) => progress.push(d) });
      const p = generatePortfolio(OPTS);
      expect(counts).toMatchObject({ customers: 40, invoices: p.invoices.length, payments: p.payments.length, orders: p.orders.length, profiles: 40, deletedCustomers: 0 });
      expect(progress).toEqual([15, 30, 40]);
      const { prisma } = ctx.db;
      expect(await prisma.customer.count()).toBe(40);
      expect(await prisma.invoice.count()).toBe(p.invoices.length);
      expect(await prisma.payment.count()).toBe(p.payments.length);
      expect(await prisma.order.count()).toBe(p.orders.length);
      expect(await prisma.creditProfile.count()).toBe(40);
      const c = await prisma.customer.findUniqueOrThrow({ where: { externalId: "D5-C000001" } });
      expect(c.attributes).toEqual(p.customers[0].attributes);
      expect(c.createdAt).toBeInstanceOf(Date);
    });

    it("loads one customer's history exactly as generated, and the same features follow", async () => {
      for (const i of [0, 17, 39]) {
        const b = generateCustomer(OPTS, i);
        const h = await loadHistory(ctx.db, b.customer.externalId);
        expect(h).not.toBeNull();
        expect(sorted(h!)).toEqual(sorted(bundleHistory(b)));
        expect(computeFeatures(h!, AS_OF)).toEqual(computeFeatures(bundleHistory(b), AS_OF));
      }
      expect(await loadHistory(ctx.db, "no-such-customer")).toBeNull();
    });

    it("streams every customer in batches, or only the ones asked for", async () => {
      const all: CustomerHistory[] = [];
      for await (const h of loadHistories(ctx.db, { batchSize: 7 })) all.push(h);
      expect(all.map((h) => h.customerId)).toEqual(generatePortfolio(OPTS).customers.map((c) => c.externalId));
      expect(all.reduce((n, h) => n + h.invoices.length, 0)).toBe(generatePortfolio(OPTS).invoices.length);
      const some: string[] = [];
      for await (const h of loadHistories(ctx.db, { batchSize: 2, customerIds: ["D5-C000003", "missing", "D5-C000010", "D5-C000001"] })) some.push(h.customerId);
      expect(some).toEqual(["D5-C000003", "D5-C000010", "D5-C000001"]);
    });

    it("converts BigInt money, statuses and unallocated payments", async () => {
      const { prisma } = ctx.db;
      const c = await prisma.customer.create({ data: { externalId: "HAND-1", name: "杭州瑞丰贸易有限公司", paymentTermsDays: 30 } });
      await prisma.invoice.create({ data: { externalId: "HAND-I1", customerId: c.id, issueDate: "2026-01-05", dueDate: "2026-02-04", amountMinor: 5_000_000_000n, status: "cancelled", disputed: true } });
      await prisma.payment.create({ data: { externalId: "HAND-P1", customerId: c.id, date: "2026-02-01", amountMinor: 3_000_000_000n } });
      const h = await loadHistory(ctx.db, "HAND-1");
      expect(h).toEqual({
        customerId: "HAND-1",
        registrationDate: null,
        industry: null,
        paymentTermsDays: 30,
        creditLimitMinor: null,
        invoices: [
          { id: "HAND-I1", customerId: "HAND-1", issueDate: "2026-01-05", dueDate: "2026-02-04", amountMinor: 5_000_000_000, currency: "CNY", paidMinor: 0, settledDate: null, disputed: true, status: "cancelled", writtenOffDate: null },
        ],
        payments: [{ id: "HAND-P1", customerId: "HAND-1", invoiceId: null, date: "2026-02-01", amountMinor: 3_000_000_000 }],
      });
    });

    it("refuses a non-empty database, refuses a seed already present, appends another seed and resets", async () => {
      await expect(seedDemo(ctx.db, OPTS)).rejects.toBeInstanceOf(ConflictError);
      await expect(seedDemo(ctx.db, { ...OPTS, mode: "append" })).rejects.toThrow(/seed 5 are already in the database/);
      const appended = await seedDemo(ctx.db, { ...OPTS, customers: 3, seed: 6, mode: "append" });
      expect(appended.customers).toBe(3);
      expect(await ctx.db.prisma.customer.count()).toBe(44);
      const reset = await seedDemo(ctx.db, { ...OPTS, customers: 2, mode: "reset" });
      expect(reset.deletedCustomers).toBe(44);
      expect(await ctx.db.prisma.customer.count()).toBe(2);
      expect(await resetCustomerData(ctx.db)).toBe(2);
      expect(await ctx.db.prisma.invoice.count()).toBe(0);
    });
  });
}

contract("SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "history-"));
  const db = await openDatabase(`file:${join(dir, "t.db")}`);
  return { db, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe.runIf(hasPostgres)("PostgreSQL", () => {
  contract("PostgreSQL", async () => {
    const pgdb = await createPgDatabase("history");
    const db = await openDatabase(pgdb.url, { poolSize: 2 });
    return { db, cleanup: pgdb.drop };
  });
});
