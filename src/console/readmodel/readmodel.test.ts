import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../db";
import { createPgDatabase, hasPostgres } from "../../../test/support/servers";
import { overrideOrder, recordCollectionOutcome } from "../commands";
import { last12Months, portfolioSummary } from "./portfolio";
import { collectionsWorklist, customerOverview, explainDecision, firedRules, getDecision, listOrders, searchDecisions, searchOverrides } from "./records";

const AS_OF = "2026-06-30";

/**
 * A small portfolio with hand-computed aggregates (minor units, CNY):
 * - C1 tier A, limit 100,000.00: open 30,000.00 current + 10,000.00 10 days overdue (4,000.00 paid) => exposure 40,000.00
 * - C2 tier D, limit 20,000.00: open 25,000.00 100 days overdue => bad, utilisation 125 %
 * - C3 tier A, limit 50,000.00: nothing open; a write-off 200 days ago => bad
 * - C4 no profile: open 5,000.00 45 days overdue
 */
async function seed(db: Database): Promise<void> {
  const p = db.prisma;
  const mk = (i: number) => p.customer.create({ data: { externalId: `C${i}`, name: `客户${i}`, currency: "CNY", industry: "制造业" } });
  const [c1, c2, c3, c4] = [await mk(1), await mk(2), await mk(3), await mk(4)];
  await p.creditProfile.create({ data: { customerId: c1.id, tier: "A", limitMinor: 10_000_000n, lastPd: 0.01, lastScore: 720, limitCalculation: { base: 1, tierFactor: 1 } } });
  await p.creditProfile.create({ data: { customerId: c2.id, tier: "D", limitMinor: 2_000_000n, lastPd: 0.3, lastScore: 480 } });
  await p.creditProfile.create({ data: { customerId: c3.id, tier: "A", limitMinor: 5_000_000n, lastPd: 0.03, lastScore: 700 } });
  const inv = (ext: string, customerId: number, issueDate: string, dueDate: string, amount: bigint, paid = 0n, status = "open", writtenOffDate: string | null = null) =>
    p.invoice.create({ data: { externalId: ext, customerId, issueDate, dueDate, amountMinor: amount, paidMinor: paid, status, writtenOffDate } });
  await inv("I1", c1.id, "2026-06-01", "2026-07-01", 3_000_000n);
  const i2 = await inv("I2", c1.id, "2026-05-01", "2026-06-20", 1_400_000n, 400_000n);
  await inv("I3", c2.id, "2026-02-01", "2026-03-22", 2_500_000n);
  await inv("I4", c3.id, "2025-09-01", "2025-10-01", 800_000n, 0n, "written_off", "2025-12-12");
  await inv("I5", c4.id, "2026-04-01", "2026-05-16", 500_000n);
  await inv("I6", c1.id, "2026-07-05", "2026-08-05", 9_900_000n); // issued after asOf: not known yet
  await inv("I7", c1.id, "2026-01-10", "2026-02-10", 700_000n, 700_000n, "paid");
  await p.payment.create({ data: { externalId: "P1", customerId: c1.id, invoiceId: i2.id, date: "2026-06-10", amountMinor: 400_000n } });
  await p.scoreSnapshot.createMany({
    data: [
      { customerId: c1.id, asOf: "2026-05-31", pd: 0.02, score: 700, tier: "A", modelId: "m1", source: "rescore" },
      { customerId: c2.id, asOf: "2026-05-31", pd: 0.2, score: 500, tier: "C", modelId: "m1", source: "rescore" },
      { customerId: c1.id, asOf: "2026-06-30", pd: 0.01, score: 720, tier: "A", modelId: "m1", source: "rescore" },
    ],
  });
  const reasons = [
    { code: "R01", feature: "max_days_late_6m", value: 100, contribution: 0.8, en: "Paid late recently", zh: "近期付款逾期" },
    { code: "R02", feature: "overdue_share", value: 0.9, contribution: 0.35, en: "High overdue share", zh: "逾期占比高" },
  ];
  await p.decision.create({
    data: {
      id: "dec_1", kind: "order_check", customerId: c2.id, customerRef: "C2", orderRef: "O1", modelId: "m1", modelVersion: "1", policyVersion: "p1",
      pd: 0.3, score: 480, tier: "D", decision: "hold", creditLimitMinor: 2_000_000n, exposureMinor: 2_500_000n, currency: "CNY",
      input: {}, features: { overdue_share: 0.9 }, reasons, rules: [{ id: "exposure_over_limit", outcome: "hold", text: "Exposure over limit" }], output: {},
    },
  });
  await p.order.create({ data: { externalId: "O1", customerId: c2.id, amountMinor: 300_000n, orderDate: AS_OF, status: "held", decisionId: "dec_1" } });
  await p.order.create({ data: { externalId: "O2", customerId: c1.id, amountMinor: 100_000n, orderDate: AS_OF, status: "approved" } });
  await p.collectionAction.create({ data: { invoiceId: i2.id, customerId: c1.id, step: "call", kind: "call", status: "due", dueDate: "2026-06-28" } });
  await p.collectionAction.create({ data: { invoiceId: i2.id, customerId: c1.id, step: "letter", kind: "letter", status: "planned", dueDate: "2026-07-30" } });
}

function suite(name: string, open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>) {
  describe(name, () => {
    let db: Database;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ db, cleanup } = await open());
      await seed(db);
    });
    afterAll(async () => {
      await db?.close();
      await cleanup?.();
    });

    it("aggregates the portfolio by tier, aging bucket and utilisation band", async () => {
      const s = await portfolioSummary(db, AS_OF, { topN: 3 });
      expect(s.currency).toBe("CNY");
      expect(s.aging).toEqual([
        { bucket: "current", invoices: 1, amount: 30_000 },
        { bucket: "1-30", invoices: 1, amount: 10_000 },
        { bucket: "31-60", invoices: 1, amount: 5_000 },
        { bucket: "61-90", invoices: 0, amount: 0 },
        { bucket: "90+", invoices: 1, amount: 25_000 },
      ]);
      expect(s.totals).toMatchObject({ customers: 4, scoredCustomers: 3, exposure: 70_000, overdue: 40_000, limit: 170_000, heldOrders: 1 });
      expect(s.totals.utilisation).toBeCloseTo(65_000 / 170_000, 12);
      expect(s.totals.badRate).toBeCloseTo(2 / 3, 12);
      const a = s.tiers.find((t) => t.tier === "A")!;
      expect(a).toMatchObject({ customers: 2, exposure: 40_000, overdue: 10_000, limit: 150_000, badCustomers: 1, badRate: 0.5 });
      expect(a.avgPd).toBeCloseTo(0.02, 12);
      const d = s.tiers.find((t) => t.tier === "D")!;
      expect(d).toMatchObject({ customers: 1, exposure: 25_000, badCustomers: 1, badRate: 1, utilisation: 1.25 });
      expect(s.utilisationBands).toEqual([
        { band: "0-50", customers: 2 },
        { band: "50-80", customers: 0 },
        { band: "80-100", customers: 0 },
        { band: "100+", customers: 1 },
        { band: "no-limit", customers: 0 },
      ]);
      expect(s.topExposures.map((t) => [t.customerId, t.exposure, t.tier])).toEqual([
        ["C1", 40_000, "A"],
        ["C2", 25_000, "D"],
        ["C4", 5_000, null],
      ]);
    });

    it("builds 12-month trends from snapshots, invoices and payments", async () => {
      const s = await portfolioSummary(db, AS_OF);
      expect(s.trends.scores).toHaveLength(12);
      const may = s.trends.scores.find((m) => m.month === "2026-05")!;
      expect(may).toMatchObject({ snapshots: 2, tiers: { A: 1, C: 1 } });
      expect(may.avgPd).toBeCloseTo(0.11, 12);
      expect(s.trends.cashflow.find((m) => m.month === "2026-06")).toEqual({ month: "2026-06", invoiced: 30_000, collected: 4_000 });
      // The paid invoice I7 counts as invoiced in January; I6 (July) is after the as-of date.
      expect(s.trends.cashflow.find((m) => m.month === "2026-01")).toEqual({ month: "2026-01", invoiced: 7_000, collected: 0 });
      expect(s.trends.decisions.reduce((n, m) => n + m.total, 0)).toBeGreaterThanOrEqual(0);
    });

    it("lists held orders with the rules of their decision", async () => {
      const page = await listOrders(db, {});
      expect(page.total).toBe(1);
      expect(page.items[0]).toMatchObject({ orderId: "O1", customerId: "C2", amount: 3_000, tier: "D", decision: "hold", exposure: 25_000, limit: 20_000 });
      expect(page.items[0].rules).toEqual([{ id: "exposure_over_limit", outcome: "hold", en: "Exposure over limit", zh: "Exposure over limit" }]);
      await expect(listOrders(db, { status: ["bogus"] })).rejects.toMatchObject({ status: 400 });
    });

    it("returns a customer's overview with exposure, history and the latest reasons", async () => {
      const c = await customerOverview(db, "C1", AS_OF);
      expect(c.exposure).toEqual({ openInvoices: 2, outstanding: 40_000, overdue: 10_000 });
      expect(c.profile).toMatchObject({ tier: "A", limit: 100_000, score: 720 });
      expect(c.scoreHistory.map((h) => h.asOf)).toEqual(["2026-05-31", "2026-06-30"]);
      expect(c.invoiceCount).toBe(4);
      expect(c.invoices.find((i) => i.id === "I2")).toMatchObject({ outstanding: 10_000, daysPastDue: 10 });
      expect(c.payments).toEqual([{ id: "P1", date: "2026-06-10", amount: 4_000, currency: "CNY", invoiceId: "I2", method: null }]);
      const c2 = await customerOverview(db, "C2", AS_OF);
      expect(c2.latestDecision?.reasons).toHaveLength(2);
      await expect(customerOverview(db, "nope", AS_OF)).rejects.toMatchObject({ status: 404 });
    });

    it("searches decisions with filters and paginates", async () => {
      expect((await searchDecisions(db, { customer: "C2" })).total).toBe(1);
      expect((await searchDecisions(db, { outcome: "approve" })).total).toBe(0);
      expect((await searchDecisions(db, { order: "O1", from: "2000-01-01", to: "2999-12-31" })).items[0]).toMatchObject({ id: "dec_1", decision: "hold", exposure: 25_000 });
      expect((await searchDecisions(db, { to: "2000-01-01" })).total).toBe(0);
    });

    it("releases a held order with an audited override, which then shows in the audit", async () => {
      const r = await overrideOrder(db, "release", "O1", "bank guarantee received", { id: "officer-1", role: "officer" });
      expect(r).toMatchObject({ orderId: "O1", status: "released", decisionId: "dec_1" });
      expect((await listOrders(db, {})).total).toBe(0);
      const audit = await searchOverrides(db, { order: "O1" });
      expect(audit.items[0]).toMatchObject({ action: "release", actor: "officer-1", reason: "bank guarantee received", orderId: "O1" });
      expect((await getDecision(db, "dec_1")).overrides).toHaveLength(1);
      await expect(overrideOrder(db, "release", "O1", "again", { id: "officer-1", role: "officer" })).rejects.toMatchObject({ status: 409 });
    });

    it("lists the collections worklist and records a promise to pay", async () => {
      const w = await collectionsWorklist(db, AS_OF);
      expect(w.items.map((i) => [i.step, i.customerId, i.outstanding, i.daysPastDue])).toEqual([["call", "C1", 10_000, 10]]);
      const r = await recordCollectionOutcome(db, w.items[0].id, { outcome: "promise_to_pay", promiseDate: "2026-07-10", promiseAmount: 5_000.5 }, "officer-1", new Date("2026-06-30T09:00:00Z"));
      expect(r.status).toBe("done");
      const promise = await db.prisma.collectionAction.findUniqueOrThrow({ where: { id: r.recordedId! } });
      expect(promise).toMatchObject({ kind: "promise_to_pay", promiseDate: "2026-07-10", promiseAmountMinor: 500_050n, dueDate: "2026-06-30" });
      expect((await collectionsWorklist(db, AS_OF)).total).toBe(0);
      await expect(recordCollectionOutcome(db, w.items[0].id, { outcome: "promise_to_pay" }, "x", new Date())).rejects.toMatchObject({ status: 400 });
    });
  });
}

describe("explainDecision / firedRules", () => {
  it("names the answer's reasons and sums the other stored attributions", () => {
    const e = explainDecision({
      reasons: [
        { feature: "dispute_count_365", value: 5, contribution: 0.5 },
        { feature: "credit_utilisation", value: 1.18, contribution: 0.25 },
        { feature: "tenure_days", value: 700, contribution: -0.125 },
        { feature: "open_exposure", value: 10, contribution: 0.0625 },
      ],
      output: { reasons: [{ code: "R_D", feature: "dispute_count_365", value: 5, contribution: 0.5, text: { en: "5 disputes", zh: "5张争议发票" } }] },
    });
    expect(e.reasons).toEqual([{ code: "R_D", feature: "dispute_count_365", value: 5, contribution: 0.5, en: "5 disputes", zh: "5张争议发票" }]);
    expect(e.others).toEqual({ count: 3, contribution: 0.1875 });
    expect(e.total).toBe(0.6875);
  });

  it("falls back to the stored attributions with the feature catalogue's wording", () => {
    const e = explainDecision({ reasons: [{ feature: "credit_utilisation", value: 1.5, contribution: 0.3 }, { feature: "x", value: 1, contribution: -0.1 }], output: {} });
    expect(e.reasons.map((r) => r.feature)).toEqual(["credit_utilisation"]);
    expect(e.reasons[0].zh).toMatch(/150%/);
    expect(e.others).toEqual({ count: 1, contribution: -0.1 });
  });

  it("reads fired rules from {fired: [...]} with bilingual text", () => {
    expect(firedRules({ fired: [{ id: "exposure_over_limit", outcome: "hold", text: { en: "Over", zh: "超过" } }], limitCalculation: {} })).toEqual([
      { id: "exposure_over_limit", outcome: "hold", en: "Over", zh: "超过" },
    ]);
    expect(firedRules(null)).toEqual([]);
  });
});

describe("last12Months", () => {
  it("lists the 12 months ending with the as-of month", () => {
    expect(last12Months("2026-03-15")).toEqual(["2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]);
  });
});

suite("console read models (SQLite)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "console-rm-"));
  const db = await openDatabase(`file:${join(dir, "t.db")}`);
  return { db, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe.runIf(hasPostgres)("on PostgreSQL", () => {
  suite("console read models (PostgreSQL)", async () => {
    const pg = await createPgDatabase("console");
    const db = await openDatabase(pg.url, { poolSize: 2 });
    return { db, cleanup: pg.drop };
  });
});
