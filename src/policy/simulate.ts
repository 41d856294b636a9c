import type { IsoDate } from "../shared";
import { evaluateCredit, OUTCOME_SEVERITY } from "./evaluate";
import type { Outcome, Policy } from "./schema";
import type { CreditFacts, OrderInput, ProfileState } from "./types";

/** One customer's stored state, as the simulation replays it. */
export interface PortfolioEntry {
  customerId: string;
  /** Last PD from the profile; null for a customer never scored (counted apart as `unscored`). */
  pd: number | null;
  facts: CreditFacts;
  /** All of the customer's open orders, minor units. */
  openOrdersMinor: number;
  profile: ProfileState | null;
  blacklisted: boolean;
  /** Orders waiting for a decision (each also counted in openOrdersMinor). */
  pendingOrders: OrderInput[];
}

export type DecisionCounts = Record<Outcome, number>;

export interface SimulationSide {
  version: string;
  /** Customers per tier (scored customers only). */
  tiers: Record<string, number>;
  totalLimitMinor: number;
  /** Sum of exposure x PD x LGD (changes between policies only through LGD). */
  expectedLossMinor: number;
  /** Sum of limit x PD x LGD: the loss the policy underwrites if every limit is drawn. */
  limitExpectedLossMinor: number;
  orders: DecisionCounts;
  /** Pending orders that would be approved: their amount and its expected loss (amount x PD x LGD). */
  approvedOrdersMinor: number;
  approvedOrdersExpectedLossMinor: number;
}

export interface SimulationReport {
  asOf: IsoDate;
  currency: string;
  customers: { total: number; scored: number; unscored: number };
  current: SimulationSide;
  candidate: SimulationSide;
  /** Every tier id of either policy, current's order first. */
  tierIds: string[];
  /** migration[from][to]: scored customers moving from a current tier to a candidate tier. */
  migration: Record<string, Record<string, number>>;
  limits: { increased: number; decreased: number; unchanged: number; storedTotalMinor: number };
  exposure: {
    /** Sum of every customer's open receivables (facts at asOf). */
    receivablesMinor: number;
    openOrdersMinor: number;
    totalMinor: number;
  };
  orders: { count: number; amountMinor: number; changed: number; migration: Record<Outcome, DecisionCounts> };
}

const OUTCOMES = Object.keys(OUTCOME_SEVERITY) as Outcome[];
const zeroCounts = (): DecisionCounts => ({ approve: 0, review: 0, hold: 0, prepay: 0, reject: 0 });

/**
 * Replays a portfolio under the current and a candidate policy: customers per tier (with the migration
 * matrix), total limits, exposure, decisions on the pending orders and expected loss. Limits are the
 * policies' formula limits (the stored approved limit does not cap them; its total is reported apart);
 * whitelist floors and the blacklist apply. Pure.
 */
export function simulatePortfolio(current: Policy, candidate: Policy, entries: readonly PortfolioEntry[], asOf: IsoDate): SimulationReport {
  const side = (p: Policy): SimulationSide => ({
    version: p.version,
    tiers: Object.fromEntries(p.tiers.map((t) => [t.id, 0])),
    totalLimitMinor: 0,
    expectedLossMinor: 0,
    limitExpectedLossMinor: 0,
    orders: zeroCounts(),
    approvedOrdersMinor: 0,
    approvedOrdersExpectedLossMinor: 0,
  });
  const cur = side(current);
  const cand = side(candidate);
  const tierIds = [...new Set([...current.tiers.map((t) => t.id), ...candidate.tiers.map((t) => t.id)])];
  const migration: SimulationReport["migration"] = Object.fromEntries(current.tiers.map((a) => [a.id, Object.fromEntries(candidate.tiers.map((b) => [b.id, 0]))]));
  const orderMigration = Object.fromEntries(OUTCOMES.map((o) => [o, zeroCounts()])) as Record<Outcome, DecisionCounts>;
  const limits = { increased: 0, decreased: 0, unchanged: 0, storedTotalMinor: 0 };
  const exposure = { receivablesMinor: 0, openOrdersMinor: 0, totalMinor: 0 };
  const orders = { count: 0, amountMinor: 0, changed: 0, migration: orderMigration };
  let scored = 0;

  for (const e of entries) {
    exposure.receivablesMinor += e.facts.openReceivablesMinor;
    exposure.openOrdersMinor += e.openOrdersMinor;
    limits.storedTotalMinor += e.profile?.limitMinor ?? 0;
    if (e.pd === null) continue;
    scored++;
    // The approved limit must not cap either side: the comparison is between the two policies' formulas.
    const profile = e.profile ? { ...e.profile, limitMinor: Number.MAX_SAFE_INTEGER, limitValidUntil: null } : null;
    const base = { asOf, pd: e.pd, previousPd: null, facts: e.facts, openOrdersMinor: e.openOrdersMinor, profile, blacklisted: e.blacklisted };
    const a = evaluateCredit(current, base);
    const b = evaluateCredit(candidate, base);
    cur.tiers[a.tier]++;
    cand.tiers[b.tier]++;
    migration[a.tier][b.tier]++;
    cur.totalLimitMinor += a.limit.amountMinor;
    cand.totalLimitMinor += b.limit.amountMinor;
    cur.expectedLossMinor += a.expectedLossMinor;
    cand.expectedLossMinor += b.expectedLossMinor;
    cur.limitExpectedLossMinor += Math.round(a.limit.amountMinor * e.pd * current.limits.lgd);
    cand.limitExpectedLossMinor += Math.round(b.limit.amountMinor * e.pd * candidate.limits.lgd);
    if (b.limit.amountMinor > a.limit.amountMinor) limits.increased++;
    else if (b.limit.amountMinor < a.limit.amountMinor) limits.decreased++;
    else limits.unchanged++;
    for (const o of e.pendingOrders) {
      const others = e.openOrdersMinor - o.amountMinor;
      const oa = evaluateCredit(current, { ...base, openOrdersMinor: others, order: o }).decision;
      const ob = evaluateCredit(candidate, { ...base, openOrdersMinor: others, order: o }).decision;
      cur.orders[oa]++;
      cand.orders[ob]++;
      if (oa === "approve") {
        cur.approvedOrdersMinor += o.amountMinor;
        cur.approvedOrdersExpectedLossMinor += Math.round(o.amountMinor * e.pd * current.limits.lgd);
      }
      if (ob === "approve") {
        cand.approvedOrdersMinor += o.amountMinor;
        cand.approvedOrdersExpectedLossMinor += Math.round(o.amountMinor * e.pd * candidate.limits.lgd);
      }
      orderMigration[oa][ob]++;
      orders.count++;
      orders.amountMinor += o.amountMinor;
      if (oa !== ob) orders.changed++;
    }
  }
  exposure.totalMinor = exposure.receivablesMinor + exposure.openOrdersMinor;
  return {
    asOf,
    currency: current.currency,
    customers: { total: entries.length, scored, unscored: entries.length - scored },
    current: cur,
    candidate: cand,
    tierIds,
    migration,
    limits,
    exposure,
    orders,
  };
}
