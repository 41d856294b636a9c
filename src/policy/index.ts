/**
 * The policy layer: versioned policy files, tiers, limits with their calculation, the order credit check,
 * the collections ladder and worklist, dynamic limit reviews, order overrides and portfolio simulation.
 * Everything here is pure (no I/O, no clock) except `loadPolicyFile`/`PolicyStore.reload` (read a file) and
 * `loadPortfolio` / `loadWorklist` (read the database).
 */
export { parsePolicy, loadPolicyFile, type Policy, type PolicyFile, type PolicyTier, type TierLimit, type LadderStep, type Outcome, type Text } from "./schema";
export { PolicyStore } from "./store";
export { evaluateCredit, assignTier, tierForPd, computeLimit, roundLimit, reviewDateFor, isTrialCustomer, formatMoney, OUTCOME_SEVERITY } from "./evaluate";
export type {
  CreditFacts,
  CreditInput,
  CreditDecision,
  CreditLimit,
  LimitCalculation,
  LimitTerm,
  ProfileState,
  OrderInput,
  RuleId,
  RuleResult,
  TierReason,
  TierReasonCode,
} from "./types";
export {
  planCollections,
  buildWorklist,
  forecastPayment,
  type CollectionInvoice,
  type RecordedAction,
  type CollectionPlan,
  type PlannedStep,
  type NextAction,
  type LadderState,
  type StepStatus,
  type WorklistItem,
  type WorklistRow,
  type PaymentForecast,
} from "./collections";
export { reviewLimit, type ReviewInput, type ReviewResult, type ReviewStatus } from "./review";
export {
  decideOverride,
  OPEN_ORDER_STATUSES,
  RELEASABLE,
  REJECTABLE,
  OVERRIDE_ROLES,
  type OrderStatus,
  type OrderState,
  type OverrideActor,
  type OrderOverrideDecision,
} from "./overrides";
export { simulatePortfolio, type PortfolioEntry, type SimulationReport, type SimulationSide, type DecisionCounts } from "./simulate";
export { loadPortfolio, loadWorklist, AWAITING_DECISION, type LoadedPortfolio, type WorklistOptions } from "./portfolio";
