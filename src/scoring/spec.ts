import type { BinningResult } from "../numeric";

/**
 * The inference specification stored in an artifact's model.json: everything needed to turn a record into
 * a PD with plain arithmetic (no TF.js): input encoding, candidate models, blend and calibrator.
 */

/** Format version of model.json; loading refuses any other. */
export const MODEL_FORMAT_VERSION = 1;

/** One regression tree in flat arrays (node 0 is the root; `feature[k] = -1` marks a leaf). */
export interface TreeSpec {
  /** Index into the encoded input vector, -1 for leaves. */
  feature: number[];
  /** Go left when `x <= threshold`. */
  threshold: number[];
  /** 1 when a missing value goes left. */
  missingLeft: number[];
  left: number[];
  right: number[];
  /** Leaf value in log-odds (shrinkage included); for inner nodes the would-be leaf value. */
  value: number[];
  /** Hessian sum of the training rows that reached the node (used by TreeSHAP). */
  cover: number[];
}

/** A boosted tree ensemble: margin = baseScore + Σ trees. */
export interface GbdtSpec {
  type: "gbdt";
  baseScore: number;
  trees: TreeSpec[];
}

/** How one raw feature becomes one value of the encoded vector shared by all candidates. */
export interface InputSpec {
  name: string;
  kind: "numeric" | "categorical";
  /** Categorical: smoothed weight of evidence (log-odds of bad vs the prior) of each training level. */
  levels?: Record<string, number>;
  /** Categorical: value for a level unseen in training (0 = the prior). */
  unknown?: number;
}

/** Per-input transform of the MLP (applied to the encoded value). */
export interface MlpInputSpec {
  /** Quantile knots of the encoded value (ascending); the value maps to a standardised uniform score. */
  knots: number[];
  /** Whether a missing indicator column follows the value. */
  missingIndicator: boolean;
  /** Categorical only: levels that get a one-hot column (after the value). */
  oneHot?: string[];
}

/** Dense layer: `out = act(W x + b)`, W stored row-major as [out][in]. */
export interface DenseSpec {
  w: number[][];
  b: number[];
  activation: "relu" | "linear" | "tanh";
}

export interface MlpSpec {
  type: "mlp";
  inputs: MlpInputSpec[];
  layers: DenseSpec[];
  /** Network-input baseline for integrated-gradient attributions (mean training input). */
  baseline: number[];
}

/** A linear model on the encoded vector (missing = `fill`), e.g. a WoE scorecard's margin. */
export interface LinearSpec {
  type: "linear";
  intercept: number;
  coef: number[];
  fill: number[];
}

export type ComponentSpec = GbdtSpec | MlpSpec | LinearSpec | ScorecardComponentSpec;

/**
 * A WoE scorecard as an additive model on raw values: margin = intercept + Σ contrib[bin of the feature's
 * raw value]; `binning` is the scorecard's fitted binning (src/numeric `BinningResult`).
 */
export interface ScorecardComponentSpec {
  type: "scorecard";
  intercept: number;
  features: { name: string; binning: BinningResult; contrib: number[] }[];
}

/** Maps the blended margin to a PD. */
export type CalibratorSpec =
  | { type: "none" }
  | { type: "platt"; a: number; b: number }
  | { type: "isotonic"; x: number[]; y: number[] };

/** The whole inference spec (model.json). */
export interface ModelSpec {
  formatVersion: number;
  inputs: InputSpec[];
  /** Named component models; the blend combines their margins. */
  components: Record<string, ComponentSpec>;
  /** margin = bias + Σ weight[name] * componentMargin[name]. */
  blend: { bias: number; weights: Record<string, number> };
  calibrator: CalibratorSpec;
  /** Points scaling of the final PD: score = base + pdo/ln2 * ln(odds_good / baseOdds). */
  scaling: { base: number; baseOdds: number; pdo: number };
  /** Encoded-vector baseline used for attributions of non-tree components (per input; NaN-free). */
  baseline: (number | null)[];
}
