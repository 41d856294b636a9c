/**
 * What the decision service needs from its neighbours (scoring, policy, features, the database), stated as
 * small structural interfaces. `src/cli/commands/start.ts` wires the real components into them, tests wire
 * the same real components; nothing here is a stand-in implementation.
 */
import type { IsoDate } from "../shared";

/** A feature vector: feature name to value, null = missing. */
export type Features = Record<string, number | string | null>;

/** One factor that raised the risk, in the shared reason-code vocabulary. */
export interface Reason {
  /** Stable reason code, e.g. `R03`. */
  code: string;
  feature: string;
  value: number | string | null;
  /** Contribution to the log-odds (scorecard: points lost against the best bin, converted to log-odds). */
  contribution: number;
  /** Points lost against the best bin (scorecard) or the contribution expressed in points (neural/blend). */
  points?: number;
  en: string;
  zh: string;
}

/** One scored row with its explanation. */
export interface Explained {
  pd: number;
  /** Scorecard points (PDO scaling). */
  score: number;
  /** Top factors that raised the risk, most important first. */
  reasons: Reason[];
  /** Every input's attribution in log-odds (sums to logit − baseLogit), stored as the full explanation. */
  contributions?: { feature: string; value: number | string | null; contribution: number }[];
}

/** A loaded model, compiled to plain arithmetic. */
export interface ModelPort {
  readonly id: string;
  readonly version: string;
  readonly kind: string;
  /** The model's input columns (for `{"features": ...}` scoring). */
  readonly inputColumns: readonly string[];
  /** Input columns that take numbers (a string there is rejected, null means missing). */
  readonly numericColumns?: ReadonlySet<string>;
  /** Scores one row and explains it. Missing columns are allowed and treated as missing. */
  explain(x: Features): Explained;
}

/** Summary of a registered model version. */
export interface ModelSummary {
  id: string;
  name?: string;
  version: string;
  kind: string;
  status: string;
  createdAt?: string;
  promotedAt?: string | null;
  metrics?: Record<string, unknown>;
  reportUrl?: string | null;
  [k: string]: unknown;
}

/** Where the champion comes from; promotion swaps it without a restart. */
export interface ModelProvider {
  /** The champion right now (a request keeps the object it got, so promotion never changes a request mid-flight). @throws UnavailableError when none is loaded. */
  champion(): ModelPort;
  /** True when a champion is loaded. */
  ready(): boolean;
  list(): Promise<ModelSummary[]>;
  /** @returns null when unknown. */
  get(id: string): Promise<ModelSummary | null>;
  /** Makes `id` the champion: loads and verifies it first, then swaps. @throws NotFoundError */
  promote(id: string, actor: string): Promise<ModelSummary>;
  /** Path of model `id`'s HTML report, or null. */
  reportFile?(id: string): string | null;
}

/** A policy rule that fired. */
export interface RuleHit {
  id: string;
  outcome: DecisionOutcome;
  /** English and Chinese sentence (a plain string is shown in both). */
  text: string | { en: string; zh: string };
  [k: string]: unknown;
}

export type DecisionOutcome = "approve" | "review" | "hold" | "prepay" | "reject";

/** What the policy layer answers for one scored case. */
export interface PolicyVerdict {
  tier: string;
  /** Null for ad-hoc scoring without a customer. */
  creditLimitMinor: number | null;
  exposureMinor: number | null;
  availableMinor: number | null;
  decision: DecisionOutcome;
  rules: RuleHit[];
  /** How the limit was calculated (stored with the decision). */
  limitCalculation?: unknown;
}

/** A known customer's order to check. */
export interface OrderInput {
  id: string;
  amountMinor: number;
  currency: string;
  date: IsoDate;
}

/** Policy evaluation for an ad-hoc row (tier from pd; no customer, so no limit). */
export interface PolicyPort {
  version(): string;
  /** Tier and decision for a pd without customer context. */
  evaluateAdhoc(pd: number, score: number): PolicyVerdict;
}

/** Everything the order path needs about a known customer, computed point-in-time. */
export interface CustomerCase {
  customerDbId: number;
  externalId: string;
  currency: string;
  features: Features;
  /** Open receivables + open (not yet invoiced) orders now, minor units, before any new order. */
  exposureMinor: number;
  /** Free-form facts the policy reads (exposure, overdue, blacklist...), stored with the decision. */
  facts: Record<string, unknown>;
}

/** The order credit-check path (features + policy for a known customer). */
export interface CreditPort {
  /**
   * Loads the customer's history and state and computes features and facts as of `asOf`.
   * @param excludeOrderId an order being (re)scored: not counted among the open orders.
   * @returns null when the customer is unknown.
   */
  loadCase(customerExternalId: string, asOf: IsoDate, excludeOrderId?: string): Promise<CustomerCase | null>;
  /** Runs the credit check of the current policy. */
  evaluate(c: CustomerCase, order: OrderInput, scored: Explained): PolicyVerdict;
}
