import { addMonths, currencyExponent, describeValue, ValidationError, type IsoDate } from "../shared";
import type { Outcome, Policy, PolicyTier } from "./schema";
import type {
  CreditDecision,
  CreditFacts,
  CreditInput,
  CreditLimit,
  LimitTerm,
  RuleResult,
  TierReason,
} from "./types";

/** Severity order of outcomes: the decision is the most severe outcome of the fired rules. */
export const OUTCOME_SEVERITY: Readonly<Record<Outcome, number>> = { approve: 0, review: 1, hold: 2, prepay: 3, reject: 4 };

const exponents = new Map<string, number>();

/** Formats minor units as major units with thousands separators, e.g. 123456789 -> "1,234,567.89". */
export function formatMoney(minor: number, currency = "CNY"): string {
  let exp = exponents.get(currency);
  if (exp === undefined) exponents.set(currency, (exp = currencyExponent(currency)));
  // Integer arithmetic instead of toFixed + regex: this runs a dozen times per credit decision.
  const f = 10 ** exp;
  const abs = Math.abs(Math.round(minor));
  let int = Math.floor(abs / f);
  const frac = abs - int * f;
  let s = "";
  while (int >= 1000) {
    const r = int % 1000;
    s = (r < 10 ? ",00" : r < 100 ? ",0" : ",") + r + s;
    int = Math.floor(int / 1000);
  }
  s = int + s;
  if (exp > 0) s += "." + String(frac).padStart(exp, "0");
  return minor < 0 && abs !== 0 ? "-" + s : s;
}

// Plain function declarations, not closures: this module runs per request, and closures created per call
// cost allocations (and a naming wrapper under tsx).
function pct(x: number): string {
  return Math.round(x * 10000) / 100 + "%";
}

/** Differences of PDs and shares are compared after rounding away binary noise (0.15 - 0.10 = 0.04999...). */
function clean(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

/** The tier whose PD band holds `pd` (the first with pd < maxPd; the last tier takes the rest). */
export function tierForPd(policy: Policy, pd: number): PolicyTier {
  const tiers = policy.tiers;
  for (let i = 0; i < tiers.length - 1; i++) if (pd < tiers[i].maxPd) return tiers[i];
  return tiers[tiers.length - 1];
}

/**
 * The customer's tier: the PD band, forced to the worst tier when blacklisted, and never worse than a
 * manual whitelist floor (unless blacklisted). A floor that names no tier of the policy is ignored.
 */
export function assignTier(policy: Policy, pd: number, blacklisted: boolean, tierFloor: string | null): { tier: PolicyTier; reason: TierReason } {
  const band = tierForPd(policy, pd);
  const minPd = band.rank === 0 ? 0 : policy.tiers[band.rank - 1].maxPd;
  const bandInfo = { tier: band.id, minPd, maxPd: band.maxPd };
  if (blacklisted) {
    const worst = policy.tiers[policy.tiers.length - 1];
    return {
      tier: worst,
      reason: {
        code: "blacklist",
        band: bandInfo,
        text: { en: `Blacklisted: forced to tier ${worst.id} (${worst.name.en}); new credit is blocked.`, zh: `已列入黑名单：强制为${worst.id}级（${worst.name.zh}），禁止新增授信。` },
      },
    };
  }
  // A floor naming no tier of this policy (e.g. after a policy renamed its tiers) is ignored rather than
  // failing every decision of a whitelisted customer.
  const floor = tierFloor === null ? undefined : policy.tierById[tierFloor];
  if (floor) {
    if (floor.rank < band.rank) {
      return {
        tier: floor,
        reason: {
          code: "whitelist_floor",
          band: bandInfo,
          text: {
            en: `PD ${pct(pd)} falls in tier ${band.id}, raised to the manual whitelist floor ${floor.id} (${floor.name.en}).`,
            zh: `违约概率${pct(pd)}对应${band.id}级，按人工白名单下限提升为${floor.id}级（${floor.name.zh}）。`,
          },
        },
      };
    }
  }
  const upper = band.rank === policy.tiers.length - 1 ? "100%]" : `${pct(band.maxPd)})`;
  return {
    tier: band,
    reason: {
      code: "pd_band",
      band: bandInfo,
      text: {
        en: `PD ${pct(pd)} is in the band [${pct(minPd)}, ${upper} of tier ${band.id} (${band.name.en}).`,
        zh: `违约概率${pct(pd)}位于${band.id}级（${band.name.zh}）区间[${pct(minPd)}, ${upper}。`,
      },
    },
  };
}

const reviewDates = new Map<string, IsoDate>();

/** Review date of a tier decided on `asOf`: asOf plus the tier's review period in months. */
export function reviewDateFor(tier: PolicyTier, asOf: IsoDate): IsoDate {
  // Memoised: every request of a day asks for the same few dates.
  const key = asOf + "|" + tier.reviewMonths;
  let d = reviewDates.get(key);
  if (d === undefined) {
    if (reviewDates.size > 4096) reviewDates.clear();
    reviewDates.set(key, (d = addMonths(asOf, tier.reviewMonths)));
  }
  return d;
}

/** Rounds a limit down to the policy's step for its size. Returns the rounded amount and the step used. */
export function roundLimit(policy: Policy, minor: number): { amountMinor: number; stepMinor: number } {
  const steps = policy.limits.rounding;
  let step = steps[steps.length - 1].stepMinor;
  for (const s of steps) {
    if (minor < s.belowMinor) {
      step = s.stepMinor;
      break;
    }
  }
  return { amountMinor: Math.max(0, Math.floor(minor / step) * step), stepMinor: step };
}

/** True when the customer has too little history for a regular limit and gets a trial limit. */
export function isTrialCustomer(policy: Policy, facts: CreditFacts): boolean {
  const t = policy.limits.trial;
  return facts.invoiceCount12m < t.minInvoices || facts.tenureDays === null || facts.tenureDays < t.minTenureDays;
}

/**
 * The credit limit of a customer in `tier` with its calculation:
 * min(tier cap, k x average monthly purchases over 12 months, expected-loss budget / (max(PD, pdFloor) x LGD)),
 * where a new customer's purchases term is replaced by the trial limit (base + growth per invoice paid on
 * time, up to a maximum); 0 when blacklisted; rounded down to the policy's step. When an approved limit is
 * given (the customer's current, unexpired limit), the result is at most that: decreases apply at once,
 * increases go through `reviewLimit`.
 */
export function computeLimit(
  policy: Policy,
  tier: PolicyTier,
  pd: number,
  facts: CreditFacts,
  blacklisted: boolean,
  asOf: IsoDate,
  approvedLimitMinor: number | null = null,
): CreditLimit {
  const cur = policy.currency;
  const tl = policy.limits.perTier[tier.id];
  const lgd = policy.limits.lgd;
  const trial = isTrialCustomer(policy, facts);
  const terms: LimitTerm[] = [
    {
      id: "tier_cap",
      label: { en: `Cap of tier ${tier.id}`, zh: `${tier.id}级上限` },
      valueMinor: tl.capMinor,
      expression: formatMoney(tl.capMinor, cur),
      inputs: { tier: tier.id },
    },
  ];
  if (trial) {
    const t = policy.limits.trial;
    const onTime = Math.round(facts.invoiceCount12m * (facts.onTimeShare12m ?? 0));
    const grown = Math.min(t.maxMinor, t.baseMinor + onTime * t.growthPerOnTimeInvoiceMinor);
    terms.push({
      id: "trial",
      label: { en: "Trial limit for a new customer (grows with on-time payment)", zh: "新客户小额试单额度（随按时付款增长）" },
      valueMinor: grown,
      expression: `min(${formatMoney(t.maxMinor, cur)}, ${formatMoney(t.baseMinor, cur)} + ${onTime} x ${formatMoney(t.growthPerOnTimeInvoiceMinor, cur)})`,
      inputs: { onTimeInvoices12m: onTime, invoiceCount12m: facts.invoiceCount12m, tenureDays: facts.tenureDays },
    });
  } else {
    terms.push({
      id: "purchases",
      label: { en: `${tl.monthsOfPurchases} x average monthly purchases (12 months)`, zh: `${tl.monthsOfPurchases} 倍近12个月月均采购额` },
      valueMinor: Math.round(tl.monthsOfPurchases * facts.avgMonthlyPurchasesMinor12m),
      expression: `${tl.monthsOfPurchases} x ${formatMoney(facts.avgMonthlyPurchasesMinor12m, cur)}`,
      inputs: { monthsOfPurchases: tl.monthsOfPurchases, avgMonthlyPurchasesMinor12m: facts.avgMonthlyPurchasesMinor12m },
    });
  }
  const pdUsed = Math.max(pd, policy.limits.pdFloor);
  terms.push({
    id: "loss_budget",
    label: { en: "Expected-loss budget / (PD x LGD)", zh: "预期损失预算 / (违约概率 x 违约损失率)" },
    valueMinor: Math.round(tl.expectedLossBudgetMinor / (pdUsed * lgd)),
    expression: `${formatMoney(tl.expectedLossBudgetMinor, cur)} / (${+pdUsed.toFixed(6)} x ${lgd})`,
    inputs: { expectedLossBudgetMinor: tl.expectedLossBudgetMinor, pd: pdUsed, lgd },
  });
  if (blacklisted) {
    terms.push({ id: "blacklist", label: { en: "Blacklisted: no new credit", zh: "黑名单：不新增授信" }, valueMinor: 0, expression: "0", inputs: {} });
  }
  let binding = terms[0];
  for (const t of terms) if ((t.valueMinor ?? Infinity) < (binding.valueMinor ?? Infinity)) binding = t;
  const unrounded = binding.valueMinor ?? 0;
  const r = roundLimit(policy, unrounded);
  const capped = approvedLimitMinor !== null && approvedLimitMinor < r.amountMinor;
  const validUntil = reviewDateFor(tier, asOf);
  return {
    amountMinor: capped ? approvedLimitMinor! : r.amountMinor,
    formulaMinor: r.amountMinor,
    currency: cur,
    validUntil,
    calculation: {
      formula: capped
        ? "min(approved limit, round_down(min(terms)))"
        : `round_down(min(tier_cap, ${trial ? "trial" : "k x avg_monthly_purchases_12m"}, el_budget / (PD x LGD)${blacklisted ? ", 0" : ""}))`,
      inputs: {
        tier: tier.id,
        pd,
        lgd,
        avgMonthlyPurchasesMinor12m: facts.avgMonthlyPurchasesMinor12m,
        invoiceCount12m: facts.invoiceCount12m,
        tenureDays: facts.tenureDays,
        onTimeShare12m: facts.onTimeShare12m,
        blacklisted,
        approvedLimitMinor,
      },
      terms,
      binding: binding.id,
      unroundedMinor: unrounded,
      rounding: { stepMinor: r.stepMinor, mode: "down" },
      trial,
      ...(capped ? { approvedLimitBinding: true } : {}),
    },
  };
}

/**
 * The credit decision for a customer (and optionally an order): tier, limit with its calculation, exposure,
 * every rule's result, and the outcome. Pure and allocation-light: it runs on every scoring request.
 *
 * exposure = open receivables + open orders + this order. Rules fire when the value is strictly beyond the
 * threshold (at the threshold they pass). The effective limit is the freshly computed one, capped by the
 * customer's approved limit while that is valid.
 * @throws ValidationError when `pd` is not a number in [0, 1] or the order is not in the policy's currency
 */
export function evaluateCredit(policy: Policy, input: CreditInput): CreditDecision {
  const { asOf, pd, previousPd, facts, profile, blacklisted, order } = input;
  if (!(pd >= 0 && pd <= 1)) throw new ValidationError([{ path: "/pd", expected: "a probability in [0, 1]", received: describeValue(pd) }]);
  // Exposure adds the order to receivables in the base currency; there is no FX conversion here.
  if (order && order.currency !== policy.currency) {
    throw new ValidationError([{ path: "/order/currency", expected: `${policy.currency} (the policy's base currency)`, received: describeValue(order.currency) }]);
  }
  const cur = policy.currency;
  const { tier, reason } = assignTier(policy, pd, blacklisted, profile?.tierFloor ?? null);
  const expired = profile !== null && profile.limitValidUntil !== null && profile.limitValidUntil < asOf;
  const approved = profile !== null && !expired ? profile.limitMinor : null;
  const limit = computeLimit(policy, tier, pd, facts, blacklisted, asOf, approved);
  const exposure = facts.openReceivablesMinor + input.openOrdersMinor + (order?.amountMinor ?? 0);
  const rules = policy.rules;
  const results: RuleResult[] = [];

  const r1 = rules.blacklist;
  if (r1.enabled)
    results.push({
      id: "blacklist",
      outcome: r1.outcome,
      fired: blacklisted,
      compared: { actual: blacklisted, threshold: true, op: "==" },
      text: blacklisted
        ? { en: "The customer is on the blacklist.", zh: "客户已列入黑名单。" }
        : { en: "The customer is not on the blacklist.", zh: "客户不在黑名单中。" },
    });

  const worst = policy.tiers[policy.tiers.length - 1];
  const r2 = rules.lowestTier;
  if (r2.enabled) {
    const fired = tier.id === worst.id;
    results.push({
      id: "lowest_tier",
      outcome: r2.outcome,
      fired,
      compared: { actual: tier.id, threshold: worst.id, op: "==" },
      text: fired
        ? { en: `The customer is in tier ${worst.id} (${worst.name.en}).`, zh: `客户属于${worst.id}级（${worst.name.zh}）。` }
        : { en: `The customer is in tier ${tier.id}, not ${worst.id}.`, zh: `客户属于${tier.id}级，而非${worst.id}级。` },
    });
  }

  const r3 = rules.exposureOverLimit;
  if (r3.enabled) {
    const threshold = Math.round(limit.amountMinor * (1 + r3.tolerance));
    const fired = exposure > threshold;
    results.push({
      id: "exposure_over_limit",
      outcome: r3.outcome,
      fired,
      compared: { actual: exposure, threshold, op: ">" },
      text: fired
        ? { en: `Exposure ${formatMoney(exposure, cur)} exceeds the limit ${formatMoney(threshold, cur)}.`, zh: `敞口${formatMoney(exposure, cur)}超过授信额度${formatMoney(threshold, cur)}。` }
        : { en: `Exposure ${formatMoney(exposure, cur)} is within the limit ${formatMoney(threshold, cur)}.`, zh: `敞口${formatMoney(exposure, cur)}未超过授信额度${formatMoney(threshold, cur)}。` },
    });
  }

  const r4 = rules.oldestOverdueDays;
  if (r4.enabled) {
    const d = facts.oldestOverdueDays;
    const fired = d > r4.maxDays;
    results.push({
      id: "oldest_overdue_days",
      outcome: r4.outcome,
      fired,
      compared: { actual: d, threshold: r4.maxDays, op: ">" },
      text: fired
        ? { en: `The oldest overdue invoice is ${d} days past due, more than ${r4.maxDays}.`, zh: `最早逾期发票已逾期${d}天，超过${r4.maxDays}天。` }
        : { en: `The oldest overdue invoice is ${d} days past due, at most ${r4.maxDays}.`, zh: `最早逾期发票逾期${d}天，未超过${r4.maxDays}天。` },
    });
  }

  const r5 = rules.overdueShare;
  if (r5.enabled) {
    const s = clean(facts.overdueShare);
    const fired = s > r5.maxShare;
    results.push({
      id: "overdue_share",
      outcome: r5.outcome,
      fired,
      compared: { actual: s, threshold: r5.maxShare, op: ">" },
      text: fired
        ? { en: `${pct(s)} of open receivables are overdue, more than ${pct(r5.maxShare)}.`, zh: `逾期金额占应收账款${pct(s)}，超过${pct(r5.maxShare)}。` }
        : { en: `${pct(s)} of open receivables are overdue, at most ${pct(r5.maxShare)}.`, zh: `逾期金额占应收账款${pct(s)}，未超过${pct(r5.maxShare)}。` },
    });
  }

  const r6 = rules.limitExpired;
  if (r6.enabled) {
    const until = profile?.limitValidUntil ?? null;
    results.push({
      id: "limit_expired",
      outcome: r6.outcome,
      fired: expired,
      compared: { actual: until, threshold: asOf, op: "<" },
      text: expired
        ? { en: `The credit limit expired on ${until}; it must be reviewed.`, zh: `授信额度已于${until}到期，需要重新评审。` }
        : until === null
          ? { en: "No stored limit has expired.", zh: "没有已到期的授信额度。" }
          : { en: `The credit limit is valid until ${until}.`, zh: `授信额度有效期至${until}。` },
    });
  }

  const r7 = rules.pdRise;
  if (r7.enabled) {
    const rise = previousPd === null ? null : clean(pd - previousPd);
    const fired = rise !== null && rise > r7.maxIncrease;
    results.push({
      id: "pd_rise",
      outcome: r7.outcome,
      fired,
      compared: { actual: rise, threshold: r7.maxIncrease, op: ">" },
      text:
        rise === null
          ? { en: "No previous PD to compare with.", zh: "没有可比较的历史违约概率。" }
          : fired
            ? { en: `PD rose by ${pct(rise)} since the last decision (${pct(previousPd!)} to ${pct(pd)}), more than ${pct(r7.maxIncrease)}.`, zh: `违约概率较上次决策上升${pct(rise)}（${pct(previousPd!)}升至${pct(pd)}），超过${pct(r7.maxIncrease)}。` }
            : { en: `PD changed by ${pct(rise)} since the last decision, at most ${pct(r7.maxIncrease)}.`, zh: `违约概率较上次决策变化${pct(rise)}，未超过${pct(r7.maxIncrease)}。` },
    });
  }

  let decision: Outcome = "approve";
  const fired: RuleResult[] = [];
  for (const r of results) {
    if (!r.fired) continue;
    fired.push(r);
    if (OUTCOME_SEVERITY[r.outcome] > OUTCOME_SEVERITY[decision]) decision = r.outcome;
  }
  return {
    tier: tier.id,
    tierReason: reason,
    reviewDate: limit.validUntil,
    limit,
    exposureMinor: exposure,
    availableMinor: limit.amountMinor - exposure,
    decision,
    rules: fired,
    evaluatedRules: results,
    expectedLossMinor: Math.round(exposure * pd * policy.limits.lgd),
    pd,
    policyVersion: policy.version,
  };
}
