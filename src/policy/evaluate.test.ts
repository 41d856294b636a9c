import { describe, expect, it } from "vitest";
import { assignTier, computeLimit, evaluateCredit, formatMoney, roundLimit, tierForPd } from "./evaluate";
import { facts, input, testPolicy } from "./test-helpers";
import type { CreditInput, RuleId } from "./types";

const policy = testPolicy();
const order = (amountMinor: number) => ({ id: "SO-1", amountMinor, currency: "CNY", date: "2026-11-22" });
const rule = (d: ReturnType<typeof evaluateCredit>, id: RuleId) => d.evaluatedRules.find((r) => r.id === id)!;
const fires = (i: Partial<CreditInput>, id: RuleId) => rule(evaluateCredit(policy, input(i)), id).fired;

describe("tiers", () => {
  it("maps PD bands with the upper bound exclusive", () => {
    expect(tierForPd(policy, 0).id).toBe("A");
    expect(tierForPd(policy, 0.019999).id).toBe("A");
    expect(tierForPd(policy, 0.02).id).toBe("B");
    expect(tierForPd(policy, 0.079999).id).toBe("B");
    expect(tierForPd(policy, 0.08).id).toBe("C");
    expect(tierForPd(policy, 0.2).id).toBe("D");
    expect(tierForPd(policy, 1).id).toBe("D");
  });

  it("forces the blacklist to the worst tier, even over a whitelist floor", () => {
    const r = assignTier(policy, 0.001, true, "A");
    expect(r.tier.id).toBe("D");
    expect(r.reason.code).toBe("blacklist");
    expect(r.reason.band.tier).toBe("A");
  });

  it("raises a worse tier to the whitelist floor and leaves a better one alone", () => {
    const raised = assignTier(policy, 0.3, false, "B");
    expect(raised.tier.id).toBe("B");
    expect(raised.reason.code).toBe("whitelist_floor");
    expect(raised.reason.text.en).toContain("whitelist floor B");
    const kept = assignTier(policy, 0.01, false, "B");
    expect(kept.tier.id).toBe("A");
    expect(kept.reason.code).toBe("pd_band");
    expect(kept.reason.band).toEqual({ tier: "A", minPd: 0, maxPd: 0.02 });
  });

  it("ignores a floor that names no tier of the policy", () => {
    expect(assignTier(policy, 0.1, false, "Z")).toMatchObject({ tier: { id: "C" }, reason: { code: "pd_band" } });
  });

  it("sets the review date from the tier's period (A yearly, B quarterly, C two months, D monthly)", () => {
    const at = (pd: number) => evaluateCredit(policy, input({ pd, asOf: "2026-01-31" })).reviewDate;
    expect(at(0.01)).toBe("2027-01-31");
    expect(at(0.05)).toBe("2026-04-30");
    expect(at(0.1)).toBe("2026-03-31");
    expect(at(0.5)).toBe("2026-02-28");
  });
});

describe("limits", () => {
  it("takes the lowest of cap, k x purchases and budget / (PD x LGD), with every term explained", () => {
    const d = evaluateCredit(policy, input());
    const c = d.limit.calculation;
    expect(c.terms.map((t) => [t.id, t.valueMinor])).toEqual([
      ["tier_cap", 200_000_000],
      ["purchases", 20_000_000],
      ["loss_budget", 133_333_333],
    ]);
    expect(c.binding).toBe("purchases");
    expect(c.unroundedMinor).toBe(20_000_000);
    expect(c.rounding).toEqual({ stepMinor: 1_000_000, mode: "down" });
    expect(c.trial).toBe(false);
    expect(c.terms[1].expression).toBe("2 x 100,000.00");
    expect(c.terms[2].expression).toBe("30,000.00 / (0.05 x 0.45)");
    expect(c.terms[2].label).toEqual({ en: "Expected-loss budget / (PD x LGD)", zh: "预期损失预算 / (违约概率 x 违约损失率)" });
    expect(d.limit).toMatchObject({ amountMinor: 20_000_000, formulaMinor: 20_000_000, currency: "CNY", validUntil: "2027-02-22" });
  });

  it("binds the loss budget at high PD and the cap for large buyers", () => {
    // C: budget 10,000 / (0.15 x 0.45) = 148,148.15 -> rounded down to 140,000 (step 10,000)
    const c = evaluateCredit(policy, input({ pd: 0.15, facts: facts({ avgMonthlyPurchasesMinor12m: 40_000_000 }) }));
    expect(c.limit.calculation.binding).toBe("loss_budget");
    expect(c.limit.calculation.unroundedMinor).toBe(14_814_815);
    expect(c.limit.amountMinor).toBe(14_000_000);
    const a = evaluateCredit(policy, input({ pd: 0.005, facts: facts({ avgMonthlyPurchasesMinor12m: 500_000_000 }) }));
    expect(a.limit.calculation.binding).toBe("tier_cap");
    expect(a.limit.amountMinor).toBe(500_000_000);
  });

  it("uses the PD floor so that PD 0 does not make the budget infinite", () => {
    const d = evaluateCredit(policy, input({ pd: 0 }));
    const t = d.limit.calculation.terms.find((x) => x.id === "loss_budget")!;
    expect(t.valueMinor).toBe(Math.round(6_000_000 / (0.0001 * 0.45)));
    expect(t.inputs.pd).toBe(0.0001);
  });

  it("rounds down with a step that grows with the amount", () => {
    expect(roundLimit(policy, 9_999_999)).toEqual({ amountMinor: 9_900_000, stepMinor: 100_000 });
    expect(roundLimit(policy, 10_000_000)).toEqual({ amountMinor: 10_000_000, stepMinor: 1_000_000 });
    expect(roundLimit(policy, 99_999_999)).toEqual({ amountMinor: 99_000_000, stepMinor: 1_000_000 });
    expect(roundLimit(policy, 123_456_789)).toEqual({ amountMinor: 120_000_000, stepMinor: 5_000_000 });
    expect(roundLimit(policy, 0)).toEqual({ amountMinor: 0, stepMinor: 100_000 });
  });

  it("gives a new customer a trial limit that grows with invoices paid on time, up to its maximum", () => {
    const trial = (invoiceCount12m: number, onTimeShare12m: number | null, tenureDays: number | null = 60) =>
      computeLimit(policy, policy.tierById.B, 0.05, facts({ invoiceCount12m, onTimeShare12m, tenureDays, avgMonthlyPurchasesMinor12m: 50_000_000 }), false, "2026-11-22");
    const first = trial(0, null);
    expect(first.calculation.trial).toBe(true);
    expect(first.calculation.binding).toBe("trial");
    expect(first.amountMinor).toBe(2_000_000);
    expect(trial(3, 1).amountMinor).toBe(5_000_000);
    expect(trial(4, 0.5).amountMinor).toBe(4_000_000);
    expect(trial(5, 1).amountMinor).toBe(7_000_000);
    // Tenure below 180 days keeps a customer on trial even with many invoices; the trial max caps growth.
    expect(trial(20, 1).amountMinor).toBe(8_000_000);
    expect(trial(20, 1).calculation.terms[1].expression).toBe("min(80,000.00, 20,000.00 + 20 x 10,000.00)");
    // Unknown tenure counts as new; at 6 invoices and 180 days the regular formula applies.
    expect(trial(10, 1, null).calculation.trial).toBe(true);
    expect(trial(6, 1, 180).calculation.trial).toBe(false);
    expect(trial(5, 1, 180).calculation.trial).toBe(true);
  });

  it("gives a blacklisted customer no credit", () => {
    const d = evaluateCredit(policy, input({ blacklisted: true, pd: 0.01 }));
    expect(d.limit.amountMinor).toBe(0);
    expect(d.tier).toBe("D");
  });

  it("caps the limit at a valid approved limit and ignores an expired one", () => {
    const profile = { tier: "B", limitMinor: 15_000_000, limitValidUntil: "2026-12-31", tierFloor: null };
    const capped = evaluateCredit(policy, input({ profile }));
    expect(capped.limit.amountMinor).toBe(15_000_000);
    expect(capped.limit.formulaMinor).toBe(20_000_000);
    expect(capped.limit.calculation.approvedLimitBinding).toBe(true);
    const expired = evaluateCredit(policy, input({ profile: { ...profile, limitValidUntil: "2026-11-21" } }));
    expect(expired.limit.amountMinor).toBe(20_000_000);
  });
});

describe("order credit check rules (at, just below and just above each threshold)", () => {
  it("exposure over the limit: open receivables + open orders + this order against the limit", () => {
    // limit 20,000,000; receivables 5,000,000; open orders 1,000,000
    const at = evaluateCredit(policy, input({ openOrdersMinor: 1_000_000, order: order(14_000_000) }));
    expect(at.exposureMinor).toBe(20_000_000);
    expect(at.availableMinor).toBe(0);
    expect(rule(at, "exposure_over_limit")).toMatchObject({ fired: false, compared: { actual: 20_000_000, threshold: 20_000_000, op: ">" } });
    expect(fires({ openOrdersMinor: 1_000_000, order: order(13_999_999) }, "exposure_over_limit")).toBe(false);
    const over = evaluateCredit(policy, input({ openOrdersMinor: 1_000_000, order: order(14_000_001) }));
    expect(over.decision).toBe("hold");
    expect(over.rules).toEqual([
      {
        id: "exposure_over_limit",
        outcome: "hold",
        fired: true,
        compared: { actual: 20_000_001, threshold: 20_000_000, op: ">" },
        text: { en: "Exposure 200,000.01 exceeds the limit 200,000.00.", zh: "敞口200,000.01超过授信额度200,000.00。" },
      },
    ]);
  });

  it("exposure tolerance widens the threshold", () => {
    const p = testPolicy((d) => (d.rules.exposureOverLimit.tolerance = 0.1));
    const d = evaluateCredit(p, input({ order: order(17_000_000) }));
    expect(rule(d, "exposure_over_limit")).toMatchObject({ fired: false, compared: { actual: 22_000_000, threshold: 22_000_000 } });
    expect(rule(evaluateCredit(p, input({ order: order(17_000_001) })), "exposure_over_limit").fired).toBe(true);
  });

  it("oldest overdue invoice beyond N days", () => {
    expect(fires({ facts: facts({ oldestOverdueDays: 59 }) }, "oldest_overdue_days")).toBe(false);
    expect(fires({ facts: facts({ oldestOverdueDays: 60 }) }, "oldest_overdue_days")).toBe(false);
    const d = evaluateCredit(policy, input({ facts: facts({ oldestOverdueDays: 61 }) }));
    expect(d.decision).toBe("hold");
    expect(d.rules[0]).toMatchObject({ id: "oldest_overdue_days", compared: { actual: 61, threshold: 60, op: ">" } });
    expect(d.rules[0].text.zh).toBe("最早逾期发票已逾期61天，超过60天。");
  });

  it("overdue share above X", () => {
    expect(fires({ facts: facts({ overdueShare: 0.2999 }) }, "overdue_share")).toBe(false);
    expect(fires({ facts: facts({ overdueShare: 0.3 }) }, "overdue_share")).toBe(false);
    expect(fires({ facts: facts({ overdueShare: 0.3001 }) }, "overdue_share")).toBe(true);
    expect(evaluateCredit(policy, input({ facts: facts({ overdueShare: 0.3001 }) })).decision).toBe("review");
  });

  it("blacklist rejects", () => {
    const d = evaluateCredit(policy, input({ blacklisted: true }));
    expect(d.decision).toBe("reject");
    // Limit 0 makes any exposure exceed it, too.
    expect(d.rules.map((r) => r.id)).toEqual(["blacklist", "lowest_tier", "exposure_over_limit"]);
  });

  it("the worst tier asks for prepayment, the one above does not", () => {
    expect(evaluateCredit(policy, input({ pd: 0.2 })).decision).toBe("prepay");
    const c = evaluateCredit(policy, input({ pd: 0.199999 }));
    expect(c.tier).toBe("C");
    expect(rule(c, "lowest_tier").fired).toBe(false);
  });

  it("an expired limit: valid through its last day, expired the day after", () => {
    const profile = (limitValidUntil: string | null) => ({ tier: "B", limitMinor: 20_000_000, limitValidUntil, tierFloor: null });
    expect(fires({ profile: profile("2026-11-23") }, "limit_expired")).toBe(false);
    expect(fires({ profile: profile("2026-11-22") }, "limit_expired")).toBe(false);
    expect(fires({ profile: profile(null) }, "limit_expired")).toBe(false);
    const d = evaluateCredit(policy, input({ profile: profile("2026-11-21") }));
    expect(d.decision).toBe("review");
    expect(d.rules[0]).toMatchObject({ id: "limit_expired", compared: { actual: "2026-11-21", threshold: "2026-11-22", op: "<" } });
  });

  it("a sharp rise in PD since the last decision (exact at the threshold despite binary fractions)", () => {
    expect(fires({ pd: 0.06, previousPd: 0.0100001 }, "pd_rise")).toBe(false);
    expect(fires({ pd: 0.15, previousPd: 0.1 }, "pd_rise")).toBe(false);
    expect(fires({ pd: 0.17, previousPd: 0.12 }, "pd_rise")).toBe(false);
    expect(fires({ pd: 0.0600001, previousPd: 0.01 }, "pd_rise")).toBe(true);
    expect(fires({ pd: 0.5, previousPd: null }, "pd_rise")).toBe(false);
  });

  it("takes the most severe outcome and lists only fired rules in the answer, all in the audit", () => {
    const d = evaluateCredit(policy, input({ facts: facts({ overdueShare: 0.5, oldestOverdueDays: 90 }), order: order(100_000_000) }));
    expect(d.decision).toBe("hold");
    expect(d.rules.map((r) => r.id)).toEqual(["exposure_over_limit", "oldest_overdue_days", "overdue_share"]);
    expect(d.evaluatedRules).toHaveLength(7);
    expect(d.policyVersion).toBe(policy.version);
    const ok = evaluateCredit(policy, input({ order: order(1_000_000) }));
    expect(ok.decision).toBe("approve");
    expect(ok.rules).toEqual([]);
  });

  it("refuses a PD outside [0, 1]", () => {
    for (const pd of [NaN, -0.01, 1.01]) expect(() => evaluateCredit(policy, input({ pd }))).toThrow(/\/pd: expected a probability in \[0, 1\]/);
  });

  it("refuses an order in another currency than the policy's", () => {
    expect(() => evaluateCredit(policy, input({ order: { ...order(100), currency: "USD" } }))).toThrow(/\/order\/currency: expected CNY/);
  });

  it("skips disabled rules", () => {
    const p = testPolicy((d) => (d.rules.overdueShare.enabled = false));
    const d = evaluateCredit(p, input({ facts: facts({ overdueShare: 0.9 }) }));
    expect(d.decision).toBe("approve");
    expect(d.evaluatedRules.map((r) => r.id)).not.toContain("overdue_share");
  });

  it("computes expected loss as exposure x PD x LGD", () => {
    const d = evaluateCredit(policy, input({ openOrdersMinor: 1_000_000, order: order(4_000_000) }));
    expect(d.exposureMinor).toBe(10_000_000);
    expect(d.expectedLossMinor).toBe(Math.round(10_000_000 * 0.05 * 0.45));
  });
});

describe("formatMoney", () => {
  it("formats minor units with separators and the currency's exponent", () => {
    expect(formatMoney(123_456_789)).toBe("1,234,567.89");
    expect(formatMoney(0)).toBe("0.00");
    expect(formatMoney(-150)).toBe("-1.50");
    expect(formatMoney(1234567, "JPY")).toBe("1,234,567");
    expect(formatMoney(100_001_000_05)).toBe("100,001,000.05");
    expect(formatMoney(1_000_005)).toBe("10,000.05");
    expect(formatMoney(-1)).toBe("-0.01");
    expect(formatMoney(500, "KWD")).toBe("0.500");
  });
});
