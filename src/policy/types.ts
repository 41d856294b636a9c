import type { IsoDate } from "../shared";
import type { Outcome, Text } from "./schema";

export type { Outcome, Text };

/** Facts about a customer's receivables at an as-of date (money in minor units), from src/features `computeFacts`. */
export type { CreditFacts } from "../features";
import type { CreditFacts } from "../features";

/** The customer's stored credit profile, as far as the check needs it. */
export interface ProfileState {
  tier: string;
  limitMinor: number;
  limitValidUntil: IsoDate | null;
  /** Manual whitelist: the customer is never placed in a tier worse than this. */
  tierFloor: string | null;
}

export interface OrderInput {
  id: string;
  amountMinor: number;
  currency: string;
  date: IsoDate;
}

/** Everything `evaluateCredit` needs: facts, not database rows. */
export interface CreditInput {
  asOf: IsoDate;
  /** Probability of default from the scoring model, in [0, 1]. */
  pd: number;
  /** PD at the customer's previous decision, or null. */
  previousPd: number | null;
  facts: CreditFacts;
  /** Open (not yet invoiced) orders, excluding `order`, minor units. */
  openOrdersMinor: number;
  profile: ProfileState | null;
  blacklisted: boolean;
  order?: OrderInput;
}

export type TierReasonCode = "pd_band" | "blacklist" | "whitelist_floor";

export interface TierReason {
  code: TierReasonCode;
  /** The PD band [min, max) of the tier the PD fell in. */
  band: { tier: string; minPd: number; maxPd: number };
  text: Text;
}

export interface LimitTerm {
  id: "tier_cap" | "purchases" | "trial" | "loss_budget" | "blacklist";
  label: Text;
  /** The term's amount in minor units (null when the term is unbounded). */
  valueMinor: number | null;
  /** How the term was computed, e.g. `3 x 1,200,000.00`. */
  expression: string;
  inputs: Record<string, number | string | null>;
}

/** How a limit was computed: what a credit officer sees for "why this limit". */
export interface LimitCalculation {
  formula: string;
  inputs: Record<string, number | string | boolean | null>;
  terms: LimitTerm[];
  /** Id of the smallest term, the one that set the limit. */
  binding: LimitTerm["id"];
  /** Minimum of the terms before rounding, minor units. */
  unroundedMinor: number;
  rounding: { stepMinor: number; mode: "down" };
  trial: boolean;
  /** True when the customer's approved limit was lower than the formula and set the amount. */
  approvedLimitBinding?: boolean;
}

export interface CreditLimit {
  /** The limit in force for this decision: the formula's result, capped by a valid approved limit. */
  amountMinor: number;
  /** The formula's result alone (what a review would raise the approved limit towards). */
  formulaMinor: number;
  currency: string;
  validUntil: IsoDate;
  calculation: LimitCalculation;
}

export type RuleId = "blacklist" | "lowest_tier" | "exposure_over_limit" | "oldest_overdue_days" | "overdue_share" | "limit_expired" | "pd_rise";

export interface RuleResult {
  id: RuleId;
  outcome: Outcome;
  fired: boolean;
  compared: { actual: number | string | boolean | null; threshold: number | string | boolean | null; op: ">" | "<" | "==" };
  text: Text;
}

export interface CreditDecision {
  tier: string;
  tierReason: TierReason;
  /** Date by which tier and limit must be reviewed (also the limit's valid-until date). */
  reviewDate: IsoDate;
  limit: CreditLimit;
  /** Open receivables + open orders + this order, minor units. */
  exposureMinor: number;
  /** limit - exposure (negative when over the limit). */
  availableMinor: number;
  decision: Outcome;
  /** The rules that fired (the answer). */
  rules: RuleResult[];
  /** Every rule evaluated, fired or not (the audit). */
  evaluatedRules: RuleResult[];
  /** exposure x PD x LGD, minor units. */
  expectedLossMinor: number;
  pd: number;
  policyVersion: string;
}
