import { describe, expect, it } from "vitest";
import { ValidationError } from "../shared";
import { buildWorklist, forecastPayment, planCollections, type RecordedAction, type WorklistItem } from "./collections";
import { testPolicy } from "./test-helpers";

const policy = testPolicy();
// Tier B ladder in policy/default.yaml: pre_due_reminder -3, friendly_reminder +3, call +15, formal_letter +30,
// stop_shipments +45, legal +90 days from the due date.
const invoice = { id: "INV-1", issueDate: "2026-10-01", dueDate: "2026-10-31", amountMinor: 1_000_000, paidMinor: 0, disputed: false };
const plan = (asOf: string, done: RecordedAction[] = [], inv = invoice, tier = "B") => planCollections(policy, { invoice: inv, tier, asOf, done });
const doneStep = (step: string): RecordedAction => ({ step, status: "sent", date: null });

describe("collections ladder on dated examples (tier B, due 2026-10-31)", () => {
  it("before the reminder date: nothing due yet, the reminder is next", () => {
    const p = plan("2026-10-27");
    expect(p).toMatchObject({ state: "not_due", daysPastDue: -4, daysOverdue: 0, currentStep: null });
    expect(p.nextAction).toMatchObject({ step: "pre_due_reminder", kind: "reminder", dueDate: "2026-10-28", dedupeKey: "INV-1:pre_due_reminder" });
  });

  it("3 days before due: the reminder is due today; once sent, the friendly reminder is next", () => {
    expect(plan("2026-10-28").nextAction).toMatchObject({ step: "pre_due_reminder", dueDate: "2026-10-28" });
    expect(plan("2026-10-28").currentStep?.id).toBe("pre_due_reminder");
    const p = plan("2026-10-30", [doneStep("pre_due_reminder")]);
    expect(p.state).toBe("not_due");
    expect(p.nextAction).toMatchObject({ step: "friendly_reminder", dueDate: "2026-11-03" });
  });

  it("each dunning level comes due on its day", () => {
    const cases: [string, string, string][] = [
      ["2026-11-02", "pre_due_reminder", "2026-10-28"],
      ["2026-11-03", "friendly_reminder", "2026-11-03"],
      ["2026-11-14", "friendly_reminder", "2026-11-03"],
      ["2026-11-15", "call", "2026-11-15"],
      ["2026-11-30", "formal_letter", "2026-11-30"],
      ["2026-12-15", "stop_shipments", "2026-12-15"],
      ["2027-01-28", "stop_shipments", "2026-12-15"],
      ["2027-01-29", "legal", "2027-01-29"],
    ];
    for (const [asOf, step, due] of cases) {
      const p = plan(asOf);
      expect({ asOf, step: p.nextAction?.step, due: p.nextAction?.dueDate }).toEqual({ asOf, step, due });
    }
    expect(plan("2026-11-15").daysOverdue).toBe(15);
  });

  it("skips earlier steps that were never done once a later one is due", () => {
    const p = plan("2026-11-30", [doneStep("pre_due_reminder")]);
    expect(p.steps.map((s) => [s.id, s.status])).toEqual([
      ["pre_due_reminder", "done"],
      ["friendly_reminder", "skipped"],
      ["call", "skipped"],
      ["formal_letter", "due"],
      ["stop_shipments", "upcoming"],
      ["legal", "upcoming"],
    ]);
    expect(p.state).toBe("overdue");
  });

  it("after the current step is done, the next one is planned with its date; after legal the ladder is exhausted", () => {
    expect(plan("2026-11-20", [doneStep("call")]).nextAction).toMatchObject({ step: "formal_letter", dueDate: "2026-11-30" });
    const p = plan("2027-03-01", [doneStep("legal")]);
    expect(p.state).toBe("exhausted");
    expect(p.nextAction).toBeNull();
  });

  it("failed or cancelled actions do not count as done", () => {
    expect(plan("2026-11-20", [{ step: "call", status: "failed" }]).nextAction?.step).toBe("call");
  });

  it("a promise to pay pauses the ladder until the promised date; a broken promise resumes it", () => {
    const promise: RecordedAction = { step: "promise_to_pay", status: "done", promiseDate: "2026-12-05", promiseAmountMinor: 1_000_000 };
    const held = plan("2026-11-20", [promise]);
    expect(held.state).toBe("promised");
    expect(held.activePromise).toEqual({ date: "2026-12-05", amountMinor: 1_000_000 });
    expect(held.nextAction).toMatchObject({ step: "promise_follow_up", dueDate: "2026-12-06", dedupeKey: "INV-1:promise_follow_up:2026-12-05" });
    expect(plan("2026-12-05", [promise]).state).toBe("promised");
    const broken = plan("2026-12-06", [promise]);
    expect(broken.brokenPromise).toBe(true);
    expect(broken.state).toBe("overdue");
    expect(broken.nextAction).toMatchObject({ step: "formal_letter", dueDate: "2026-11-30" });
  });

  it("pauses disputed invoices and closes paid ones", () => {
    expect(plan("2026-11-20", [], { ...invoice, disputed: true })).toMatchObject({ state: "disputed", nextAction: null });
    expect(plan("2026-11-20", [], { ...invoice, paidMinor: 1_000_000 })).toMatchObject({ state: "closed", nextAction: null, openMinor: 0 });
  });

  it("uses the tier's own ladder (D calls the day after the due date)", () => {
    expect(plan("2026-11-01", [], invoice, "D").nextAction).toMatchObject({ step: "call", dueDate: "2026-11-01" });
    expect(() => plan("2026-11-01", [], invoice, "Z")).toThrow(ValidationError);
  });
});

describe("payment forecast and worklist", () => {
  const item = (over: Partial<WorklistItem> & { id?: string; dueDate?: string; amountMinor?: number }): WorklistItem => ({
    invoice: { ...invoice, id: over.id ?? invoice.id, dueDate: over.dueDate ?? invoice.dueDate, amountMinor: over.amountMinor ?? invoice.amountMinor },
    customerId: "C1",
    tier: "B",
    pd: 0.05,
    expectedDaysToPay: null,
    ...over,
  });

  it("forecasts from expected days to pay, from blended history, or from the tier prior", () => {
    // issue 2026-10-01 + 45 days = 2026-11-15
    expect(forecastPayment(policy, item({ expectedDaysToPay: 45 }), "2026-11-05")).toEqual({ date: "2026-11-15", furtherDays: 10, basis: "expected_days_to_pay", behindPattern: false });
    // (9 x 20 + 3 x 8) / 12 = 17 days late -> 2026-11-17
    expect(forecastPayment(policy, item({ avgDaysLate12m: 20, invoiceCount12m: 9 }), "2026-11-05")).toMatchObject({ date: "2026-11-17", basis: "blended_history" });
    // tier B prior: 8 days late -> 2026-11-08
    expect(forecastPayment(policy, item({}), "2026-11-05")).toMatchObject({ date: "2026-11-08", furtherDays: 3, basis: "tier_prior" });
    // behind its pattern by 12 days: expected to take about as long again
    expect(forecastPayment(policy, item({}), "2026-11-20")).toEqual({ date: "2026-12-02", furtherDays: 12, basis: "tier_prior", behindPattern: true });
  });

  it("ranks by expected loss weighted by days overdue and expected further delay", () => {
    const asOf = "2026-11-20";
    const rows = buildWorklist(
      policy,
      [
        // EL 1,000,000 x 0.05 x 0.45 = 22,500; 20 days overdue; pays on day 45 after issue = 2026-11-15 -> behind by 5
        item({ id: "A", expectedDaysToPay: 45 }),
        // same amount and PD but pays 90 days after issue (2026-12-30): 40 further days
        item({ id: "B", expectedDaysToPay: 90 }),
        // ten times the PD, not yet due
        item({ id: "C", pd: 0.5, dueDate: "2026-12-10", expectedDaysToPay: 70 }),
        // paid: left out
        item({ id: "D", invoice: { ...invoice, id: "D", paidMinor: 1_000_000 } }),
      ],
      asOf,
    );
    expect(rows.map((r) => r.invoiceId)).toEqual(["C", "B", "A"]);
    expect(rows.map((r) => r.rank)).toEqual([1, 2, 3]);
    const a = rows.find((r) => r.invoiceId === "A")!;
    expect(a.expectedLossMinor).toBe(22_500);
    expect(a.daysOverdue).toBe(20);
    expect(a.forecast).toMatchObject({ furtherDays: 5, behindPattern: true });
    expect(a.score).toBe(Math.round(22_500 * (1 + 20 / 30) * (1 + 5 / 30) * 100) / 100);
    expect(a.nextAction?.step).toBe("call");
    const b = rows.find((r) => r.invoiceId === "B")!;
    expect(b.score).toBe(Math.round(22_500 * (1 + 20 / 30) * (1 + 40 / 30) * 100) / 100);
    const c = rows.find((r) => r.invoiceId === "C")!;
    expect(c.daysOverdue).toBe(0);
    expect(c.nextAction).toMatchObject({ step: "pre_due_reminder", dueDate: "2026-12-07" });
  });

  it("caps days overdue and further delay in the score", () => {
    const old = { ...invoice, id: "OLD", issueDate: "2024-01-01", dueDate: "2024-01-31" };
    const [row] = buildWorklist(policy, [item({ invoice: old, expectedDaysToPay: 45 })], "2026-11-20");
    // 1,024 days overdue; expected on 2024-02-15, so about as long again behind the pattern: both capped at 180.
    expect(row.daysOverdue).toBe(1024);
    expect(row.forecast.furtherDays).toBe(1009);
    expect(row.score).toBe(Math.round(22_500 * (1 + 180 / 30) * (1 + 180 / 30) * 100) / 100);
  });

  it("breaks ties by days overdue, then invoice id", () => {
    const rows = buildWorklist(policy, [item({ id: "Y", pd: 0 }), item({ id: "X", pd: 0 }), item({ id: "Z", pd: 0, dueDate: "2026-11-10" })], "2026-11-20");
    expect(rows.map((r) => r.invoiceId)).toEqual(["X", "Y", "Z"]);
  });
});
