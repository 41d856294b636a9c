/**
 * The WoE logistic scorecard: estimator, fitted model (scoring, explanations, points table, JSON) and a
 * compiled single-row scorer for the request path.
 */
export { ScorecardEstimator, resolveScorecardParams, type ScorecardFitOptions } from "./estimator";
export {
  FittedScorecard,
  compileScorecard,
  binPoints,
  SCORECARD_NAME,
  SCORECARD_VERSION,
  type ScorecardParams,
  type ResolvedScorecardParams,
  type ScorecardFeature,
  type SelectionEntry,
  type ScorecardTrainingInfo,
  type ScorecardJSON,
  type Contribution,
  type Explanation,
  type PointsRow,
  type RowScore,
  type RowScorer,
} from "./fitted";
