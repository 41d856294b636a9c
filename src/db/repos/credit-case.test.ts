import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeHistoryReader, loadCreditCase, openDatabase, type Database } from "../index";
import { createPgDatabase, hasPostgres } from "../../../test/support/servers";

function contract(name: string, open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>) {
  describe(`loadCreditCase on ${name}`, () => {
    let ctx: { db: Database; cleanup: () => Promise<void> };
    beforeAll(async () => {
      ctx = await open();
      const { prisma } = ctx.db;
      const a = await prisma.customer.create({ data: { externalId: "A", name: "甲公司", currency: "CNY", registrationDate: "2020-01-01" } });
      const b = await prisma.customer.create({ data: { externalId: "B", name: "乙公司", currency: "USD" } });
      await prisma.creditProfile.create({ data: { customerId: a.id, tier: "B", limitMinor: 5_000_000_000n, limitValidUntil: "2027-01-01", tierFloor: "B", lastPd: 0.031 } });
      await prisma.invoice.create({ data: { externalId: "A-1", customerId: a.id, issueDate: "2026-01-01", dueDate: "2026-01-31", amountMinor: 100_000n } });
      await prisma.payment.create({ data: { externalId: "A-P1", customerId: a.id, date: "2026-01-20", amountMinor: 100_000n } });
      for (const [ref, amount, status] of [["O1", 1_000n, "pending"], ["O2", 20_000n, "held"], ["O3", 300_000n, "released"], ["O4", 7n, "rejected"], ["O5", 9n, "invoiced"]] as const) {
        await prisma.order.create({ data: { externalId: ref, customerId: a.id, amountMinor: amount, orderDate: "2026-11-01", status } });
      }
      await prisma.blacklistEntry.create({ data: { customerId: b.id, reason: "fraud", addedBy: "admin" } });
      await prisma.blacklistEntry.create({ data: { customerId: a.id, reason: "old", addedBy: "admin", removedAt: new Date() } });
    });
    afterAll(async () => {
      await closeHistoryReader(ctx.db);
      await ctx.db.close();
      await ctx.cleanup();
    });

    it("reads history, profile, blacklist and open orders in one call", async () => {
      const c = await loadCreditCase(ctx.db, "A");
      expect(c).not.toBeNull();
      expect(c!.currency).toBe("CNY");
      expect(c!.profile).toEqual({ tier: "B", limitMinor: 5_000_000_000, limitValidUntil: "2027-01-01", tierFloor: "B", lastPd: 0.031 });
      expect(c!.blacklisted).toBe(false);
      expect(c!.openOrdersMinor).toBe(321_000);
      expect(c!.history.invoices.map((i) => i.id)).toEqual(["A-1"]);
      expect(c!.history.creditLimitMinor).toBe(5_000_000_000);
    });

    it("leaves the order being checked out of the open orders", async () => {
      expect((await loadCreditCase(ctx.db, "A", "O3"))!.openOrdersMinor).toBe(21_000);
    });

    it("sees an active blacklist entry and a missing profile", async () => {
      const c = await loadCreditCase(ctx.db, "B");
      expect(c!.blacklisted).toBe(true);
      expect(c!.profile).toBeNull();
      expect(c!.openOrdersMinor).toBe(0);
      expect(await loadCreditCase(ctx.db, "nobody")).toBeNull();
    });
  });
}

contract("SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "credit-case-"));
  const db = await openDatabase(`file:${join(dir, "t.db")}`);
  return { db, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe.runIf(hasPostgres)("PostgreSQL", () => {
  contract("PostgreSQL", async () => {
    const pg = await createPgDatabase("case");
    const db = await openDatabase(pg.url);
    return { db, cleanup: pg.drop };
  });
});
