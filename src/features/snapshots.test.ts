import { describe, expect, it } from "vitest";
import { addDays, toEpochDay } from "../shared";
import { buildSnapshots, computeFeatures, type CustomerHistory, type InvoiceRecord, type PaymentRecord } from "./index";
import { labelAt } from "./snapshots";
import { preparePit } from "./pit";

function inv(id: string, issueDate: string, dueDate: string, amountMinor: number, extra: Partial<InvoiceRecord> = {}): InvoiceRecord {
  return { id, customerId: "X", issueDate, dueDate, amountMinor, currency: "CNY", paidMinor: 0, settledDate: null, disputed: false, status: "open", writtenOffDate: null, ...extra };
}
function hist(customerId: string, invoices: InvoiceRecord[], payments: PaymentRecord[] = []): CustomerHistory {
  return { customerId, registrationDate: "2022-01-01", industry: "建筑", paymentTermsDays: 30, creditLimitMinor: null, invoices, payments };
}
const label = (h: CustomerHistory, asOf: string, horizon = 365, dpd = 90) => labelAt(preparePit(h), toEpochDay(asOf), horizon, dpd);

describe("labels on dated examples", () => {
  // Due 2024-03-01; 90 days past due on 2024-05-30.
  const unpaid = hist("U", [inv("a", "2024-01-31", "2024-03-01", 1_000)]);

  it("labels a customer bad when an invoice reaches 90 DPD within the horizon, and excludes it once in default", () => {
    expect(label(unpaid, "2024-01-31")).toBe("bad");
    expect(label(unpaid, "2023-05-31")).toBe("bad"); // 2023-05-31 + 365 days = 2024-05-30, the crossing day
    expect(label(unpaid, "2023-05-30")).toBe("good"); // one day short of the crossing day
    expect(label(unpaid, "2024-05-29")).toBe("bad");
    expect(label(unpaid, "2024-05-30")).toBe("in_default");
    expect(label(unpaid, "2024-06-30")).toBe("in_default");
  });

  it("does not count an invoice paid on day 90, counts one paid on day 91", () => {
    const day90 = hist("P90", [inv("a", "2024-01-31", "2024-03-01", 1_000)], [{ id: "p", customerId: "P90", invoiceId: "a", date: "2024-05-30", amountMinor: 1_000 }]);
    const day91 = hist("P91", [inv("a", "2024-01-31", "2024-03-01", 1_000)], [{ id: "p", customerId: "P91", invoiceId: "a", date: "2024-05-31", amountMinor: 1_000 }]);
    expect(label(day90, "2024-01-31")).toBe("good");
    expect(label(day91, "2024-01-31")).toBe("bad");
    // After the late payment the customer is no longer in default on that invoice.
    expect(label(day91, "2024-06-30")).toBe("good");
  });

  it("counts a write-off before 90 DPD as a default and keeps the customer excluded for a horizon after it", () => {
    const wo = hist("W", [inv("a", "2024-01-01", "2024-01-31", 1_000, { status: "written_off", writtenOffDate: "2024-03-15" })]);
    expect(label(wo, "2024-02-29")).toBe("bad");
    expect(label(wo, "2024-03-15")).toBe("in_default");
    expect(label(wo, "2025-03-14")).toBe("in_default");
    expect(label(wo, "2025-03-15")).toBe("good");
  });

  it("counts invoices issued after the as-of date and respects a configurable threshold and horizon", () => {
    const later = hist("L", [inv("a", "2024-01-01", "2024-01-31", 500, { settledDate: "2024-01-20", status: "paid", paidMinor: 500 }), inv("b", "2024-06-01", "2024-07-01", 1_000)]);
    expect(label(later, "2024-03-31")).toBe("bad"); // b reaches 90 DPD on 2024-09-29
    expect(label(later, "2024-03-31", 180)).toBe("good"); // horizon ends 2024-09-27
    expect(label(later, "2024-03-31", 180, 60)).toBe("bad"); // 60 DPD on 2024-08-30
  });
});

describe("buildSnapshots", () => {
  const good = hist("G", [
    inv("g1", "2023-01-10", "2023-02-09", 1_000, { settledDate: "2023-02-01", status: "paid", paidMinor: 1_000 }),
    inv("g2", "2024-06-10", "2024-07-10", 1_000, { settledDate: "2024-07-01", status: "paid", paidMinor: 1_000 }),
    inv("g3", "2025-06-10", "2025-07-10", 1_000, { settledDate: "2025-07-01", status: "paid", paidMinor: 1_000 }),
  ]);
  const bad = hist("B", [inv("b1", "2023-01-15", "2023-02-14", 1_000, { settledDate: "2023-02-10", status: "paid", paidMinor: 1_000 }), inv("b2", "2024-03-01", "2024-03-31", 5_000)]);

  it("labels monthly snapshots with events in (asOf, asOf + horizon] and drops unobservable and in-default ones", async () => {
    const s = await buildSnapshots([good, bad], { start: "2023-01-31", everyMonths: 3, dataEnd: "2025-12-31" });
    const byCustomer = (c: string) => s.keys.map((k, i) => ({ ...k, y: s.labels[i] })).filter((k) => k.customerId === c);
    // Every 3 months from 2023-01-31 while asOf + 365 <= 2025-12-31.
    expect(byCustomer("G").map((k) => k.asOf)).toEqual(["2023-01-31", "2023-04-30", "2023-07-31", "2023-10-31", "2024-01-31", "2024-04-30", "2024-07-31", "2024-10-31"]);
    expect(byCustomer("G").every((k) => k.y === 0)).toBe(true);
    // b2 reaches 90 DPD on 2024-06-29: bad from 2023-07-31 (2023-07-31 + 365 = 2024-07-30), in default from then on.
    expect(byCustomer("B").map((k) => [k.asOf, k.y])).toEqual([
      ["2023-01-31", 0],
      ["2023-04-30", 0],
      ["2023-07-31", 1],
      ["2023-10-31", 1],
      ["2024-01-31", 1],
      ["2024-04-30", 1],
    ]);
    expect(s.rows.length).toBe(s.keys.length);
    expect(s.labels.length).toBe(s.keys.length);
    // Each row is exactly the point-in-time feature vector.
    const i = s.keys.findIndex((k) => k.customerId === "B" && k.asOf === "2024-04-30");
    expect(s.rows[i]).toEqual(computeFeatures(bad, "2024-04-30"));
  });

  it("uses month ends by default, takes the data end from the data and accepts async iterables", async () => {
    async function* stream() {
      yield good;
      yield bad;
    }
    const s = await buildSnapshots(stream(), { everyMonths: 6, minHistoryDays: 30 });
    // Data end is 2025-07-01 (g3's payment): as-of dates up to 2024-07-01.
    const asOfs = [...new Set(s.keys.map((k) => k.asOf))].sort();
    // Month ends of months whose index (year * 12 + month0) is a multiple of 6: January and July.
    expect(asOfs).toEqual(["2023-01-31", "2023-07-31", "2024-01-31"]);
    expect(s.keys.filter((k) => k.customerId === "B").map((k) => s.labels[s.keys.indexOf(k)])).toEqual([0, 1, 1]);
  });

  it("keeps label events out of the features (the row at asOf ignores everything after asOf)", async () => {
    const s = await buildSnapshots([bad], { start: "2024-01-31", end: "2024-01-31", dataEnd: "2025-12-31" });
    expect(s.labels[0]).toBe(1);
    const cut: CustomerHistory = { ...bad, invoices: bad.invoices.filter((i) => i.issueDate <= "2024-01-31") };
    expect(s.rows[0]).toEqual(computeFeatures(cut, "2024-01-31"));
  });

  it("rejects malformed options naming the field", async () => {
    await expect(buildSnapshots([], { everyMonths: 0 })).rejects.toThrow(/everyMonths: expected an integer >= 1/);
    await expect(buildSnapshots([], { start: "2024-02-30" })).rejects.toThrow(/start: expected a YYYY-MM-DD/);
  });

  it("handles a quick sanity on addDays-based horizons", () => {
    expect(addDays("2023-07-31", 365)).toBe("2024-07-30");
  });
});

describe("labels agree with a day-by-day brute force", () => {
  it("on random histories, thresholds and horizons", async () => {
    const fc = (await import("fast-check")).default;
    const { outstandingAt } = await import("./pit");
    const arb = fc.array(
      fc.record({
        issue: fc.integer({ min: 0, max: 400 }),
        terms: fc.constantFrom(30, 60),
        pay: fc.option(fc.integer({ min: -10, max: 200 })),
        part: fc.boolean(),
        wo: fc.option(fc.integer({ min: 20, max: 300 })),
      }),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: 500 }), fc.constantFrom(30, 90), fc.constantFrom(60, 365), (specs, tOff, thr, horizon) => {
        const base = "2023-01-01";
        const invoices: InvoiceRecord[] = [];
        const payments: PaymentRecord[] = [];
        specs.forEach((s, i) => {
          const issueDate = addDays(base, s.issue);
          const dueDate = addDays(issueDate, s.terms);
          if (s.pay !== null) payments.push({ id: `p${i}`, customerId: "R", invoiceId: `i${i}`, date: addDays(dueDate, s.pay), amountMinor: s.part ? 400 : 1_000 });
          invoices.push(inv(`i${i}`, issueDate, dueDate, 1_000, { writtenOffDate: s.wo === null ? null : addDays(dueDate, s.wo) }));
        });
        const h = preparePit(hist("R", invoices, payments));
        const t = toEpochDay(addDays(base, tOff));
        // Brute force: in default at t, or owed thr+ days past due / written off on some day of (t, t + horizon].
        const owedPastDue = (d: number) => h.invoices.some((x) => x.issue <= d && d - x.due >= thr && outstandingAt(x, d) > 0);
        const recentWo = h.invoices.some((x) => x.woDay <= t && t - x.woDay < horizon);
        let expected: string;
        if (owedPastDue(t) || recentWo) expected = "in_default";
        else {
          expected = "good";
          for (let d = t + 1; d <= t + horizon; d++) {
            if (owedPastDue(d) || h.invoices.some((x) => x.woDay === d && outstandingAt(x, d - 1) > 0)) {
              expected = "bad";
              break;
            }
          }
        }
        expect(labelAt(h, t, horizon, thr)).toBe(expected);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
