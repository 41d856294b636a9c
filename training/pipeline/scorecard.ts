import type { InputSpec, ScorecardComponentSpec } from "../../src/scoring";
import type { Dataset } from "../data/dataset";
import { FittedScorecard, ScorecardEstimator } from "../scorecard";

/**
 * The WoE scorecard (training/scorecard) as a pipeline candidate: fitted on the training part, and turned
 * into a plain additive component (per-feature bin lookup → log-odds contribution) for the scoring runtime.
 */

/** A fitted scorecard candidate. */
export interface ScorecardComponent {
  spec: ScorecardComponentSpec;
  /** Selected characteristics. */
  features: string[];
  /** The estimator's own model (points table, JSON for the artifact). */
  fitted: FittedScorecard;
}

/**
 * Fits the scorecard on `train`. Returns null when it selects no characteristic (no usable signal).
 * @param inputs the shared input encoding (only its names are used: the scorecard bins raw values).
 */
export function fitScorecardComponent(train: Dataset, inputs: InputSpec[], seed: number): ScorecardComponent | null {
  const names = new Set(inputs.map((i) => i.name));
  const fitted = new ScorecardEstimator({ seed, features: train.columns.map((c) => c.name).filter((n) => names.has(n)) }).fit(train);
  const json = fitted.toJSON();
  if (json.features.length === 0) return null;
  return {
    spec: {
      type: "scorecard",
      intercept: json.intercept,
      features: json.features.map((f) => ({ name: f.name, binning: f.binning, contrib: f.binning.bins.map((b) => f.coefficient * b.woe) })),
    },
    features: json.features.map((f) => f.name),
    fitted,
  };
}
