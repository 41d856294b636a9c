import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { addToBlacklist, createOrder, openDatabase, upsertProfile, type Database } from "../db";
import { createPgDatabase, hasPostgres } from "../../test/support/servers";
import { addDays } from "../shared";
import { loadPortfolio, loadWorklist } from "./portfolio";
import { loadPolicyFile } from "./schema";
import { simulatePortfolio, type SimulationReport } from "./simulate";

const root = join(import.meta.dirname, "../..");
const current = loadPolicyFile(join(root, "policy/default.yaml"));
const candidate = loadPolicyFile(join(root, "policy/conservative.yaml"));
const asOf = "2026-11-22";

/** A small portfolio: five customers, paid and open invoices with payments, pending orders, a blacklist entry. */
async function seed(db: Database) {
  const p = db.prisma;
  const customer = async (ext: string, registrationDate = "2024-01-01") => (await p.customer.create({ data: { externalId: ext, name: ext, registrationDate } })).id;
  let n = 0;
  const invoice = async (customerId: number, issueDate: string, amountMinor: number, paid: { date: string; amountMinor: number } | null, terms = 30) => {
    const ext = `I-${++n}`;
    const full = paid !== null && paid.amountMinor === amountMinor;
    const inv = await p.invoice.create({
      data: {
        externalId: ext,
        customerId,
        issueDate,
        dueDate: addDays(issueDate, terms),
        amountMinor: BigInt(amountMinor),
        paidMinor: BigInt(paid?.amountMinor ?? 0),
        status: full ? "paid" : "open",
        settledDate: full ? paid!.date : null,
      },
    });
    if (paid) await p.payment.create({ data: { externalId: `P-${n}`, customerId, invoiceId: inv.id, date: paid.date, amountMinor: BigInt(paid.amountMinor) } });
  };
  const c1 = await customer("C1");
  for (let m = 0; m < 10; m++) {
    const issue = addDays("2025-12-01", m * 30);
    await invoice(c1, issue, 4_000_000, { date: addDays(issue, 28), amountMinor: 4_000_000 });
  }
  await invoice(c1, "2026-11-10", 10_000_000, null);
  await upsertProfile(db, c1, { tier: "A", limitMinor: 12_000_000, lastPd: 0.01, limitValidUntil: "2027-06-30" });
  await createOrder(db, { externalId: "SO-1", customerId: c1, amountMinor: 5_000_000, orderDate: asOf });

  const c2 = await customer("C2");
  for (let m = 0; m < 8; m++) {
    const issue = addDays("2025-12-15", m * 30);
    await invoice(c2, issue, 2_000_000, { date: addDays(issue, 50), amountMinor: 2_000_000 });
  }
  // 70 days past due, partly paid
  await invoice(c2, "2026-08-14", 3_000_000, { date: "2026-10-01", amountMinor: 1_000_000 });
  await upsertProfile(db, c2, { tier: "C", limitMinor: 3_000_000, lastPd: 0.1 });
  await createOrder(db, { externalId: "SO-2", customerId: c2, amountMinor: 2_000_000, orderDate: asOf, status: "held" });
  await createOrder(db, { externalId: "SO-2b", customerId: c2, amountMinor: 100_000, orderDate: asOf, status: "approved" });

  const c3 = await customer("C3");
  await invoice(c3, "2026-10-01", 500_000, null);
  await upsertProfile(db, c3, { tier: "D", limitMinor: 0, lastPd: 0.5 });
  await addToBlacklist(db, c3, "fraud", "admin");

  const c4 = await customer("C4", "2026-11-01");
  await invoice(c4, "2026-11-05", 100_000, null);

  const c5 = await customer("C5");
  await invoice(c5, "2026-11-01", 200_000, null);
  await upsertProfile(db, c5, { tier: "A", limitMinor: 1_000_000, lastPd: 0.3, tierFloor: "A" });
  await createOrder(db, { externalId: "SO-5", customerId: c5, amountMinor: 300_000, orderDate: asOf });
  // An invoiced order no longer counts.
  await createOrder(db, { externalId: "SO-6", customerId: c5, amountMinor: 999, orderDate: asOf, status: "invoiced" });
}

function simulationContract(name: string, open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>) {
  describe(`policy simulation on a seeded portfolio (${name})`, () => {
    let db: Database;
    let cleanup: () => Promise<void>;
    let report: SimulationReport;
    let sql: number;
    beforeAll(async () => {
      ({ db, cleanup } = await open());
      await seed(db);
      const portfolio = await loadPortfolio(db, asOf);
      sql = portfolio.sqlOpenReceivablesMinor;
      report = simulatePortfolio(current, candidate, portfolio.entries, asOf);
    });
    afterAll(async () => {
      await db?.close();
      await cleanup?.();
    });

    it("counts every customer once: tiers plus unscored make the portfolio, on both sides", () => {
      expect(report.customers).toEqual({ total: 5, scored: 4, unscored: 1 });
      const sum = (t: Record<string, number>) => Object.values(t).reduce((a, b) => a + b, 0);
      expect(sum(report.current.tiers) + report.customers.unscored).toBe(5);
      expect(sum(report.candidate.tiers) + report.customers.unscored).toBe(5);
      expect(report.current.tiers).toEqual({ A: 2, B: 0, C: 1, D: 1 });
      // PD 1% is tier A under the default bands and B under the conservative ones; the floor keeps C5 in A.
      expect(report.candidate.tiers).toEqual({ A: 1, B: 1, C: 1, D: 1 });
      expect(report.migration.A).toEqual({ A: 1, B: 1, C: 0, D: 0 });
      const cells = Object.values(report.migration).flatMap((r) => Object.values(r));
      expect(cells.reduce((a, b) => a + b, 0)).toBe(report.customers.scored);
    });

    it("matches the exposure totals with the database", () => {
      // open: C1 100,000 + C2 20,000 (30,000 - 10,000 paid) + C3 5,000 + C4 1,000 + C5 2,000
      expect(report.exposure.receivablesMinor).toBe(12_800_000);
      expect(sql).toBe(12_800_000);
      // open orders: SO-1 + SO-2 + SO-2b + SO-5 (not the invoiced SO-6)
      expect(report.exposure.openOrdersMinor).toBe(7_400_000);
      expect(report.exposure.totalMinor).toBe(20_200_000);
    });

    it("replays the pending orders and totals limits and expected loss", () => {
      expect(report.orders.count).toBe(3);
      expect(report.orders.amountMinor).toBe(7_300_000);
      const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
      expect(total(report.current.orders)).toBe(3);
      expect(total(report.candidate.orders)).toBe(3);
      // C2's oldest invoice is 70 days overdue: a hold under both policies.
      expect(report.current.orders.hold).toBeGreaterThanOrEqual(1);
      expect(report.candidate.totalLimitMinor).toBeLessThan(report.current.totalLimitMinor);
      expect(report.limits.increased + report.limits.decreased + report.limits.unchanged).toBe(4);
      expect(report.limits.storedTotalMinor).toBe(12_000_000 + 3_000_000 + 0 + 1_000_000);
      // EL = sum of (receivables + open orders) x PD x 0.45 over scored customers (same LGD in both files)
      const el = Math.round(15_000_000 * 0.01 * 0.45) + Math.round(4_100_000 * 0.1 * 0.45) + Math.round(500_000 * 0.5 * 0.45) + Math.round(500_000 * 0.3 * 0.45);
      expect(el).toBe(432_000);
      expect(report.current.expectedLossMinor).toBe(el);
      expect(report.candidate.expectedLossMinor).toBe(el);
      // Limits drawn in full: what the policy underwrites; the conservative policy underwrites less.
      expect(report.candidate.limitExpectedLossMinor).toBeLessThan(report.current.limitExpectedLossMinor);
      // Only C5's order (a trial limit of 20,000.00 under the whitelist floor) is approved: 3,000.00 x 0.3 x 0.45.
      expect(report.current.orders.approve).toBe(1);
      expect(report.current.approvedOrdersMinor).toBe(300_000);
      expect(report.current.approvedOrdersExpectedLossMinor).toBe(40_500);
    });

    it("builds the collections worklist from the database with forecasts from each customer's history", async () => {
      const rows = await loadWorklist(db, current, asOf);
      expect(rows.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5]);
      expect(rows.map((r) => r.score)).toEqual([...rows.map((r) => r.score)].sort((a, b) => b - a));
      const c2 = rows.find((r) => r.customerId === "C2")!;
      // 30,000.00 - 10,000.00 paid, due 2026-09-13: 70 days overdue; C2 usually pays 50 days after issue.
      expect(c2).toMatchObject({ invoiceId: expect.stringMatching(/^I-/), tier: "C", openMinor: 2_000_000, daysOverdue: 70, pd: 0.1, expectedLossMinor: 90_000 });
      expect(c2.forecast.basis).toBe("expected_days_to_pay");
      expect(c2.nextAction?.step).toBe("legal");
      // C4 has no profile: worst tier at its upper PD bound.
      expect(rows.find((r) => r.customerId === "C4")).toMatchObject({ tier: "D", pd: 1 });
      expect((await loadWorklist(db, current, asOf, { customerId: "C1" })).map((r) => r.customerId)).toEqual(["C1"]);
      expect(await loadWorklist(db, current, asOf, { limit: 2 })).toHaveLength(2);
    });

    it("prints the same figures from the CLI, with the SQL check agreeing", async () => {
      const out: string[] = [];
      const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
      const prevUrl = process.env.DATABASE_URL;
      process.env.DATABASE_URL = db.url;
      try {
        const { buildProgram } = await import("../cli/main");
        const program = await buildProgram();
        await program.parseAsync(["policy", "simulate", join(root, "policy/conservative.yaml"), "--against", join(root, "policy/default.yaml"), "--as-of", asOf, "--json"], { from: "user" });
        const text = out.join("");
        const json = JSON.parse(text);
        expect(json.exposureCheck).toEqual({ factsOpenReceivablesMinor: 12_800_000, sqlOpenReceivablesMinor: 12_800_000, agrees: true });
        expect(json.current.tiers).toEqual(report.current.tiers);
        out.length = 0;
        await program.parseAsync(["policy", "simulate", join(root, "policy/conservative.yaml"), "--against", join(root, "policy/default.yaml"), "--as-of", asOf], { from: "user" });
        const human = out.join("");
        expect(human).toContain("open receivables from facts 128,000.00 vs SQL sum 128,000.00: agree");
        expect(human).toMatch(/total\s+5\s+5/);
      } finally {
        spy.mockRestore();
        if (prevUrl === undefined) delete process.env.DATABASE_URL;
        else process.env.DATABASE_URL = prevUrl;
      }
    });
  });
}

simulationContract("SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "policy-sim-"));
  const db = await openDatabase(`file:${join(dir, "sim.db")}`);
  return { db, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe.runIf(hasPostgres)("PostgreSQL", () => {
  simulationContract("PostgreSQL", async () => {
    const pg = await createPgDatabase("policysim");
    const db = await openDatabase(pg.url);
    return { db, cleanup: pg.drop };
  });
});
