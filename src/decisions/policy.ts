import { evaluateCredit, tierForPd, type CreditFacts, type Policy, type PolicyStore } from "../policy";
import type { PolicyPort, PolicyVerdict, RuleHit } from "./ports";

/** Rules that depend only on the PD (not on a customer's receivables), so they apply to ad-hoc rows too. */
const ADHOC_RULES = new Set(["lowest_tier"]);

const NO_FACTS: Omit<CreditFacts, "asOf"> = {
  openReceivablesMinor: 0,
  overdueMinor: 0,
  overdueShare: 0,
  oldestOverdueDays: 0,
  disputedOpenMinor: 0,
  writtenOffMinor12m: 0,
  avgMonthlyPurchasesMinor12m: 0,
  invoiceCount12m: 0,
  onTimeShare12m: null,
  avgDaysLate12m: null,
  maxDaysLate12m: null,
  tenureDays: null,
  expectedDaysToPay: null,
};

/**
 * The policy port over the policy layer's PolicyStore: each call reads the active policy once, so a
 * policy swap never mixes two versions inside one decision.
 */
export function policyPort(store: PolicyStore): PolicyPort {
  return {
    version: () => store.current().version,
    evaluateAdhoc(pd: number): PolicyVerdict {
      return adhocVerdict(store.current(), pd);
    },
  };
}

/**
 * Tier and decision of an ad-hoc row (shared, read-only object): the policy's own credit check run with no customer facts, keeping
 * only the PD-driven rules (no limit: there is no customer to hold one).
 */
export function adhocVerdict(policy: Policy, pd: number): PolicyVerdict {
  // The verdict depends on the PD only through its tier: compute once per policy object and tier.
  const tier = tierForPd(policy, pd).id;
  let byTier = cache.get(policy);
  if (!byTier) {
    byTier = new Map();
    cache.set(policy, byTier);
  }
  let v = byTier.get(tier);
  if (!v) {
    v = computeAdhoc(policy, pd);
    byTier.set(tier, v);
  }
  return v;
}

const cache = new WeakMap<Policy, Map<string, PolicyVerdict>>();

function computeAdhoc(policy: Policy, pd: number): PolicyVerdict {
  const asOf = "1970-01-01";
  const d = evaluateCredit(policy, { asOf, pd, previousPd: null, facts: { asOf, ...NO_FACTS }, openOrdersMinor: 0, profile: null, blacklisted: false });
  const rules: RuleHit[] = [];
  let decision: PolicyVerdict["decision"] = "approve";
  for (const r of d.rules) {
    if (!r.fired || !ADHOC_RULES.has(r.id)) continue;
    rules.push({ id: r.id, outcome: r.outcome, text: r.text });
    decision = r.outcome;
  }
  return { tier: d.tier, creditLimitMinor: null, exposureMinor: null, availableMinor: null, decision, rules };
}
