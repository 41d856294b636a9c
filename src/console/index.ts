/**
 * The officers' console: the browser app (served under `/console` by `consoleRouter`) and the read models
 * behind its pages (SQL aggregates over the shared database, money in major units, dates `YYYY-MM-DD`).
 * The HTTP routes live in `src/api/routes/console.ts`.
 */
export { consoleRouter, buildConsoleAssets, type ConsoleAssets } from "./serve";
export { portfolioSummary, agingBuckets, utilisationBand, CashflowCache, last12Months, AGING_BUCKETS, UTILISATION_BANDS, type PortfolioSummary, type TierSummary, type TopExposure, type AgingBucket, type UtilisationBand } from "./readmodel/portfolio";
export {
  listOrders,
  customerOverview,
  searchDecisions,
  getDecision,
  searchOverrides,
  collectionsWorklist,
  modelsOverview,
  decisionRecord,
  explainDecision,
  firedRules,
  ORDER_STATUSES,
  type CustomerOverview,
  type ModelInfo,
  type ExplainedReason,
  type FiredRule,
  type DecisionFilters,
  type OrderQueueItem,
  type Page,
} from "./readmodel/records";
export { overrideOrder, recordCollectionOutcome, type CollectionOutcome } from "./commands";
