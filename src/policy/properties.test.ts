import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateCredit, OUTCOME_SEVERITY, roundLimit } from "./evaluate";
import { reviewLimit } from "./review";
import { facts, input, testPolicy } from "./test-helpers";

const policy = testPolicy();
const money = fc.integer({ min: 0, max: 5_000_000_000 });
const pd = fc.double({ min: 0, max: 1, noNaN: true });
const arbFacts = fc.record({
  openReceivablesMinor: money,
  avgMonthlyPurchasesMinor12m: money,
  invoiceCount12m: fc.integer({ min: 0, max: 400 }),
  onTimeShare12m: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  tenureDays: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null }),
  overdueShare: fc.double({ min: 0, max: 1, noNaN: true }),
  oldestOverdueDays: fc.integer({ min: 0, max: 1000 }),
});

describe("policy properties", () => {
  it("a limit never exceeds its tier's cap, is a whole rounding step, and equals the binding term rounded down", () => {
    fc.assert(
      fc.property(pd, arbFacts, fc.boolean(), (p, f, blacklisted) => {
        const d = evaluateCredit(policy, input({ pd: p, facts: facts(f), blacklisted }));
        const cap = policy.limits.perTier[d.tier].capMinor;
        const c = d.limit.calculation;
        expect(d.limit.amountMinor).toBeLessThanOrEqual(cap);
        expect(d.limit.amountMinor % c.rounding.stepMinor).toBe(0);
        const binding = c.terms.find((t) => t.id === c.binding)!;
        expect(binding.valueMinor).toBe(Math.min(...c.terms.map((t) => t.valueMinor ?? Infinity)));
        expect(d.limit.amountMinor).toBe(roundLimit(policy, binding.valueMinor!).amountMinor);
        expect(d.limit.amountMinor).toBeGreaterThan(binding.valueMinor! - c.rounding.stepMinor);
        if (blacklisted) expect(d.limit.amountMinor).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("a larger order never gets a milder decision", () => {
    fc.assert(
      fc.property(pd, arbFacts, money, money, (p, f, a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        const at = (amountMinor: number) => evaluateCredit(policy, input({ pd: p, facts: facts(f), order: { id: "o", amountMinor, currency: "CNY", date: "2026-11-22" } })).decision;
        expect(OUTCOME_SEVERITY[at(large)]).toBeGreaterThanOrEqual(OUTCOME_SEVERITY[at(small)]);
      }),
      { numRuns: 300 },
    );
  });

  it("the decision is the most severe outcome among the fired rules", () => {
    fc.assert(
      fc.property(pd, fc.option(pd, { nil: null }), arbFacts, fc.boolean(), (p, prev, f, bl) => {
        const d = evaluateCredit(policy, input({ pd: p, previousPd: prev, facts: facts(f), blacklisted: bl }));
        const worst = d.rules.reduce((m, r) => Math.max(m, OUTCOME_SEVERITY[r.outcome]), 0);
        expect(OUTCOME_SEVERITY[d.decision]).toBe(worst);
        expect(d.rules.every((r) => r.fired)).toBe(true);
        expect(d.rules.length).toBe(d.evaluatedRules.filter((r) => r.fired).length);
      }),
      { numRuns: 300 },
    );
  });

  it("a review lowers at once, never raises beyond the proposal or one step, and only waits for approval above the threshold", () => {
    fc.assert(
      fc.property(money, money, pd, pd, (current, proposed, p, prev) => {
        const r = reviewLimit(policy, { current: { limitMinor: current, tier: "B" }, proposed: { tier: "B", limitMinor: proposed }, pd: p, previousPd: prev });
        if (proposed < current) expect(r).toMatchObject({ status: "applied", newLimitMinor: proposed });
        else {
          expect(r.newLimitMinor).toBe(r.status === "applied" ? r.targetLimitMinor : current);
          expect(r.targetLimitMinor).toBeLessThanOrEqual(proposed);
          expect(r.targetLimitMinor - current).toBeLessThanOrEqual(Math.max(Math.round(current * 0.25), 1_000_000));
          if (r.status === "pending_approval") expect(r.targetLimitMinor - current).toBeGreaterThan(policy.review.approvalAboveMinor);
          if (r.status === "applied") expect(r.newLimitMinor - current).toBeLessThanOrEqual(policy.review.approvalAboveMinor);
        }
      }),
      { numRuns: 500 },
    );
  });
});
