import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { addDays, daysBetween } from "../shared";
import {
  FEATURE_CATALOG,
  agingBuckets,
  computeFacts,
  computeFeatures,
  formatFeatureValue,
  type CustomerHistory,
  type InvoiceRecord,
  type PaymentRecord,
} from "./index";

function inv(id: string, issueDate: string, dueDate: string, amountMinor: number, extra: Partial<InvoiceRecord> = {}): InvoiceRecord {
  return { id, customerId: "C1", issueDate, dueDate, amountMinor, currency: "CNY", paidMinor: 0, settledDate: null, disputed: false, status: "open", writtenOffDate: null, ...extra };
}
function pay(id: string, invoiceId: string | null, date: string, amountMinor: number): PaymentRecord {
  return { id, customerId: "C1", invoiceId, date, amountMinor };
}

/** A small hand-built history; the expected numbers below are worked out by hand. */
function sample(): CustomerHistory {
  return {
    customerId: "C1",
    registrationDate: "2024-01-01",
    industry: "制造业",
    paymentTermsDays: 30,
    creditLimitMinor: 100_000,
    invoices: [
      inv("I1", "2024-01-10", "2024-02-09", 10_000, { paidMinor: 10_000, settledDate: "2024-02-05", status: "paid" }),
      inv("I2", "2024-06-01", "2024-07-01", 20_000, { paidMinor: 20_000, settledDate: "2024-07-21", status: "paid" }),
      // Partly paid before the as-of date, the rest after it.
      inv("I3", "2024-10-01", "2024-10-31", 30_000, { paidMinor: 30_000, settledDate: "2025-01-10", status: "paid" }),
      inv("I4", "2024-12-15", "2025-01-14", 40_000, { disputed: true }),
      // Issued after the as-of date.
      inv("I5", "2025-01-05", "2025-02-04", 50_000),
    ],
    payments: [
      pay("P1", "I1", "2024-02-05", 10_000),
      pay("P2", "I2", "2024-07-21", 20_000),
      pay("P3", "I3", "2024-11-10", 10_000),
      pay("P4", "I3", "2025-01-10", 20_000),
    ],
  };
}

const AS_OF = "2024-12-31";

describe("computeFeatures on a hand-built history", () => {
  const f = computeFeatures(sample(), AS_OF);

  it("counts invoices issued in each window (I1 is 356 days old, I3 91, I4 16; I5 is in the future)", () => {
    expect([f.invoice_count_90, f.invoice_count_180, f.invoice_count_365]).toEqual([1, 2, 4]);
    expect([f.invoice_amount_90, f.invoice_amount_180, f.invoice_amount_365]).toEqual([40_000, 70_000, 100_000]);
  });

  it("measures lateness over invoices due in each window", () => {
    // Due within 90 and 180 days: only I3 (61 days past due, still owed 20,000). I2 was due 183 days ago.
    expect([f.on_time_share_90, f.avg_days_late_90, f.max_days_late_90]).toEqual([0, 61, 61]);
    expect([f.on_time_share_180, f.avg_days_late_180, f.max_days_late_180]).toEqual([0, 61, 61]);
    // 12 months: I1 on time (0), I2 20 days late, I3 61 days past due.
    expect(f.on_time_share_365).toBeCloseTo(1 / 3, 12);
    expect(f.avg_days_late_365).toBe(27);
    expect(f.max_days_late_365).toBe(61);
    expect([f.late_1_30_share_365, f.late_31_60_share_365, f.late_61_90_share_365, f.late_over_90_share_365]).toEqual([1 / 3, 0, 1 / 3, 0]);
    // Recent (due <= 90 days ago): 61; older: mean(0, 20) = 10.
    expect(f.lateness_trend).toBe(51);
  });

  it("computes exposure, disputes, tenure and utilisation at the as-of date", () => {
    expect(f.open_exposure).toBe(60_000);
    expect(f.overdue_exposure).toBe(20_000);
    expect(f.overdue_share).toBeCloseTo(1 / 3, 12);
    expect(f.oldest_overdue_days).toBe(61);
    expect(f.open_invoice_count).toBe(2);
    expect(f.dispute_count_365).toBe(1);
    expect(f.disputed_share_365).toBe(0.25);
    expect(f.ever_90dpd_count).toBe(0);
    expect(f.write_off_count).toBe(0);
    expect(f.tenure_days).toBe(365);
    expect(f.days_since_last_late).toBe(0);
    expect(f.credit_utilisation).toBe(0.6);
    expect(f.avg_invoice_amount_365).toBe(25_000);
    expect(f.volume_trend).toBeCloseTo((40_000 * 365) / 90 / 100_000, 12);
    // Settled within 12 months: I1 after 26 days, I2 after 50.
    expect(f.avg_days_to_pay_365).toBe(38);
    expect(f.payment_terms_days).toBe(30);
    expect(f.industry).toBe("制造业");
  });

  it("returns exactly the catalog's features, in catalog order", () => {
    expect(Object.keys(f)).toEqual(FEATURE_CATALOG.map((s) => s.name));
  });

  it("gives days since the last late payment once nothing is overdue, and the cap for a customer never late", () => {
    const h = sample();
    // On 2024-08-01 I2 (settled 2024-07-21, 20 days late) is the last late payment.
    expect(computeFeatures(h, "2024-08-01").days_since_last_late).toBe(11);
    expect(computeFeatures(h, "2024-03-01").days_since_last_late).toBe(730);
  });

  it("returns missing values before any invoice is due and null tenure without history", () => {
    const h = sample();
    const early = computeFeatures(h, "2024-01-15");
    expect(early.on_time_share_365).toBeNull();
    expect(early.avg_days_late_365).toBeNull();
    expect(early.lateness_trend).toBeNull();
    const empty = computeFeatures({ ...h, registrationDate: null, invoices: [], payments: [] }, AS_OF);
    expect(empty.tenure_days).toBeNull();
    expect(empty.overdue_share).toBe(0);
  });

  it("counts 90+ DPD episodes and write-offs", () => {
    const h: CustomerHistory = {
      ...sample(),
      invoices: [
        inv("W1", "2023-01-01", "2023-01-31", 5_000, { status: "written_off", writtenOffDate: "2023-08-01" }),
        // 91 days late: crossed the threshold on day 90 while still owed.
        inv("L1", "2023-02-01", "2023-03-03", 7_000, { status: "paid", paidMinor: 7_000, settledDate: "2023-06-02" }),
        // Paid on day 90 exactly: not a default episode.
        inv("L2", "2023-02-01", "2023-03-03", 7_000, { status: "paid", paidMinor: 7_000, settledDate: "2023-06-01" }),
      ],
      payments: [],
    };
    const f2 = computeFeatures(h, "2023-12-31");
    expect(f2.ever_90dpd_count).toBe(2);
    expect(f2.write_off_count).toBe(1);
    // Before the write-off, W1 is owed, 182 days past due on 2023-07-31.
    expect(computeFeatures(h, "2023-07-31").oldest_overdue_days).toBe(181);
    expect(computeFeatures(h, "2023-07-31").write_off_count).toBe(0);
  });

  it("ignores a write-off dated after the invoice was paid in full", () => {
    const h: CustomerHistory = {
      ...sample(),
      invoices: [inv("Z", "2024-01-01", "2024-01-31", 1_000, { status: "written_off", writtenOffDate: "2024-03-01" })],
      payments: [pay("PZ", "Z", "2024-02-10", 1_000)],
    };
    const f4 = computeFeatures(h, "2024-06-30");
    expect([f4.write_off_count, f4.ever_90dpd_count, f4.max_days_late_365]).toEqual([0, 0, 10]);
    expect(computeFacts(h, "2024-06-30").writtenOffMinor12m).toBe(0);
  });

  it("ignores cancelled invoices and uses settledDate when no payments are recorded", () => {
    const h: CustomerHistory = {
      ...sample(),
      invoices: [inv("X", "2024-01-01", "2024-01-31", 9_000, { status: "cancelled" }), inv("Y", "2024-01-01", "2024-01-31", 1_000, { status: "paid", paidMinor: 1_000, settledDate: "2024-02-10" })],
      payments: [],
    };
    const f3 = computeFeatures(h, "2024-03-01");
    expect(f3.invoice_count_365).toBe(1);
    expect(f3.avg_days_late_365).toBe(10);
    expect(f3.open_exposure).toBe(0);
  });

  it("rejects a malformed as-of date with a field issue", () => {
    expect(() => computeFeatures(sample(), "2024-13-01")).toThrow(/asOf: expected a YYYY-MM-DD calendar date/);
  });
});

describe("computeFacts and agingBuckets", () => {
  it("pins the policy facts of the sample at the as-of date", () => {
    expect(computeFacts(sample(), AS_OF)).toEqual({
      asOf: AS_OF,
      openReceivablesMinor: 60_000,
      overdueMinor: 20_000,
      overdueShare: 1 / 3,
      oldestOverdueDays: 61,
      disputedOpenMinor: 40_000,
      writtenOffMinor12m: 0,
      // 100,000 over the 357 days observed (2024-01-10 .. 2024-12-31) in months of 365/12 days.
      avgMonthlyPurchasesMinor12m: Math.round((100_000 * 365) / 12 / 357),
      invoiceCount12m: 4,
      onTimeShare12m: 1 / 3,
      avgDaysLate12m: 27,
      maxDaysLate12m: 61,
      tenureDays: 365,
      // I1 26 days, I2 50 days, I3 still open at 91 days old (a lower bound).
      expectedDaysToPay: (26 + 50 + 91) / 3,
    });
    expect(computeFacts(sample(), AS_OF).avgMonthlyPurchasesMinor12m).toBe(8520);
  });

  it("reports written-off amounts net of payments before the write-off", () => {
    const h: CustomerHistory = {
      ...sample(),
      invoices: [inv("W", "2024-01-01", "2024-01-31", 10_000, { status: "written_off", paidMinor: 3_000, writtenOffDate: "2024-09-01" })],
      payments: [pay("PW", "W", "2024-03-01", 3_000)],
    };
    expect(computeFacts(h, AS_OF).writtenOffMinor12m).toBe(7_000);
    expect(computeFacts(h, "2024-08-31").writtenOffMinor12m).toBe(0);
    expect(computeFacts(h, "2024-08-31").overdueMinor).toBe(7_000);
  });

  it("buckets outstanding amounts by days past due", () => {
    expect(agingBuckets(sample(), AS_OF)).toEqual({
      asOf: AS_OF,
      currentMinor: 40_000,
      dpd1to30Minor: 0,
      dpd31to60Minor: 0,
      dpd61to90Minor: 20_000,
      dpd90PlusMinor: 0,
      totalMinor: 60_000,
    });
    const jul = agingBuckets(sample(), "2024-07-10");
    expect(jul.dpd1to30Minor).toBe(20_000);
    expect(jul.totalMinor).toBe(20_000);
    const feb = agingBuckets(sample(), "2025-02-20");
    // I4 37 days past due, I5 16 days past due; I3 paid in January.
    expect([feb.dpd1to30Minor, feb.dpd31to60Minor, feb.totalMinor]).toEqual([50_000, 40_000, 90_000]);
  });
});

describe("catalog and formatting", () => {
  it("describes every feature in English and Chinese with a {value} reason", () => {
    const names = new Set<string>();
    for (const s of FEATURE_CATALOG) {
      expect(names.has(s.name)).toBe(false);
      names.add(s.name);
      expect(s.description.en.length).toBeGreaterThan(5);
      expect(/[\u4e00-\u9fff]/.test(s.description.zh)).toBe(true);
      expect(s.reason.en).toContain("{value}");
      expect(s.reason.zh).toContain("{value}");
      expect(s.kind === "categorical").toBe(s.unit === "category");
    }
  });

  it("formats ratios, days, money and missing values", () => {
    expect(formatFeatureValue("on_time_share_365", 0.625, "en")).toBe("63%");
    expect(formatFeatureValue("avg_days_late_365", 12.4, "en")).toBe("12 days");
    expect(formatFeatureValue("avg_days_late_365", 1, "en")).toBe("1 day");
    expect(formatFeatureValue("avg_days_late_365", 12.4, "zh")).toBe("12天");
    expect(formatFeatureValue("overdue_exposure", 123_456_789, "en")).toBe("CNY 1,234,567.89");
    expect(formatFeatureValue("overdue_exposure", 123_456_789, "zh")).toBe("1,234,567.89元");
    expect(formatFeatureValue("invoice_count_90", 3, "zh")).toBe("3");
    expect(formatFeatureValue("credit_utilisation", null, "zh")).toBe("无");
    expect(formatFeatureValue("industry", "物流", "en")).toBe("物流");
  });
});

/** Random histories, and a mutation of everything dated after the as-of date. */
const BASE = "2023-01-01";
const arbHistory = fc
  .array(
    fc.record({
      issue: fc.integer({ min: 0, max: 700 }),
      terms: fc.constantFrom(30, 60, 90),
      amount: fc.integer({ min: 100, max: 1_000_000 }),
      pays: fc.array(fc.record({ after: fc.integer({ min: -20, max: 400 }), frac: fc.double({ min: 0.05, max: 1, noNaN: true }) }), { maxLength: 3 }),
      wo: fc.option(fc.integer({ min: 30, max: 500 })),
      disputed: fc.boolean(),
    }),
    { maxLength: 25 },
  )
  .map((specs): CustomerHistory => {
    const invoices: InvoiceRecord[] = [];
    const payments: PaymentRecord[] = [];
    specs.forEach((s, i) => {
      const issueDate = addDays(BASE, s.issue);
      const dueDate = addDays(issueDate, s.terms);
      let paid = 0;
      s.pays.forEach((p, j) => {
        const amt = Math.max(1, Math.round(s.amount * p.frac));
        paid += amt;
        payments.push(pay(`P${i}_${j}`, `I${i}`, addDays(dueDate, Math.max(p.after, -s.terms)), amt));
      });
      invoices.push(
        inv(`I${i}`, issueDate, dueDate, s.amount, {
          paidMinor: Math.min(paid, s.amount),
          disputed: s.disputed,
          writtenOffDate: s.wo === null ? null : addDays(dueDate, s.wo),
          status: s.wo !== null ? "written_off" : paid >= s.amount ? "paid" : "open",
        }),
      );
    });
    return { customerId: "C1", registrationDate: BASE, industry: "物流", paymentTermsDays: 60, creditLimitMinor: 500_000, invoices, payments };
  });

function mutateFuture(h: CustomerHistory, asOf: string, shift: number): CustomerHistory {
  const after = (d: string | null) => d !== null && daysBetween(asOf, d) > 0;
  const invoices = h.invoices.map((i): InvoiceRecord => {
    if (after(i.issueDate)) return { ...i, amountMinor: i.amountMinor * 3 + 7, dueDate: addDays(i.dueDate, shift), disputed: !i.disputed, status: "open" as const };
    return {
      ...i,
      // Today's values that reflect later events: a different status, paid amount and settlement.
      status: (["open", "paid", "written_off"] as const)[shift % 3],
      paidMinor: after(i.settledDate) || i.settledDate === null ? i.paidMinor + shift : i.paidMinor,
      writtenOffDate: after(i.writtenOffDate) ? addDays(i.writtenOffDate!, shift) : i.writtenOffDate,
      settledDate: after(i.settledDate) ? addDays(i.settledDate!, shift) : i.settledDate,
    };
  });
  invoices.push(inv("NEW", addDays(asOf, 1), addDays(asOf, 31), 999_999, { writtenOffDate: addDays(asOf, 100) }));
  const payments = h.payments.map((p) => (after(p.date) ? { ...p, amountMinor: p.amountMinor + shift * 11, date: addDays(p.date, shift) } : p));
  payments.push(pay("PNEW", h.invoices[0]?.id ?? null, addDays(asOf, 1), 123_456));
  return { ...h, invoices, payments };
}

describe("no leakage from after the as-of date", () => {
  it("features, facts and aging are identical whatever happens after the as-of date", () => {
    fc.assert(
      fc.property(arbHistory, fc.integer({ min: 0, max: 900 }), fc.integer({ min: 1, max: 60 }), (h, asOffset, shift) => {
        const asOf = addDays(BASE, asOffset);
        const m = mutateFuture(h, asOf, shift);
        expect(computeFeatures(m, asOf)).toEqual(computeFeatures(h, asOf));
        expect(computeFacts(m, asOf)).toEqual(computeFacts(h, asOf));
        expect(agingBuckets(m, asOf)).toEqual(agingBuckets(h, asOf));
      }),
      { numRuns: 300, seed: 20261122 },
    );
  });
});

describe("fast date parsing", () => {
  it("agrees with toEpochDay on every day from 1900 to 2100", async () => {
    const { dayOf } = await import("./pit");
    const { toEpochDay, fromEpochDay } = await import("../shared");
    for (let d = toEpochDay("1900-01-01"); d <= toEpochDay("2100-12-31"); d++) {
      const s = fromEpochDay(d);
      if (dayOf(s) !== d) throw new Error(`dayOf(${s}) = ${dayOf(s)}, expected ${d}`);
    }
    expect(() => dayOf("2024/01/01")).toThrow(RangeError);
  });
});
