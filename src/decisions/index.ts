/**
 * Decisions: the application service that orchestrates one credit decision (features -> champion ->
 * explanation -> policy -> audit row with group commit -> answer) and the audit store.
 */
export { DecisionService, MAX_BATCH } from "./service";
export type { ScoreAnswer, AnswerReason, AnswerRule, StoredDecision, RequestMeta, ScoreRequest, OrderRequest, FeaturesRequest, DecisionServiceDeps } from "./service";
export { openDecisionWriter, SqliteDecisionWriter, PgDecisionWriter, orderStatusFor } from "./store";
export type { DecisionRow, DecisionWriter, DecisionStoreOptions, StoreObserver } from "./store";
export type * from "./ports";
export { ChampionHolder, toModelPort, summaryOf, singleArtifactSource, artifactSource, scoringReasons, registrySource, reportPath, TOP_REASONS, REQUEST_EXPLAIN, type ModelSource, type ReasonMapper } from "./models";
export { creditPort } from "./credit";
export { policyPort, adhocVerdict } from "./policy";
