/**
 * Input of the HTML model report. Everything is plain JSON (numbers, strings, arrays) so the same object
 * can be written next to the artifact as report.json and re-rendered later. Use the builders in
 * ./build (`evaluateForReport`, `scorecardForReport`) to fill the heavy parts from labels and predictions.
 */
import type { BandRow, CalibrationRow, PsiBin } from "../../src/numeric";
import type { PointsRow, SelectionEntry } from "../scorecard";

export interface ModelReportInput {
  model: {
    /** Display name, e.g. "Trade credit PD — auto". */
    name: string;
    /** Artifact / model id. */
    id: string;
    /** ISO 8601 instant the model was trained (supplied by the caller; the report never reads the clock). */
    created: string;
    /** Model family, e.g. "scorecard", "blend(gbdt, mlp, scorecard)". */
    type?: string;
    description?: string;
  };
  data: DataSummary;
  /** One entry per evaluated split, e.g. validation then test. */
  evaluations: EvaluationReport[];
  /** Candidate models compared during training (the chosen one first or flagged). */
  candidates?: CandidateRow[];
  scorecard?: ScorecardReport;
  /** Free-text notes shown at the end (dropped columns, warnings). */
  notes?: string[];
}

export interface DataSummary {
  /** Where the data came from, e.g. a file name relative to the project root. */
  source?: string;
  target?: string;
  /** Rows and events per split. */
  splits: { name: string; rows: number; events: number }[];
  /** Model inputs; `missingShare` in [0, 1]. */
  features: { name: string; kind: "numeric" | "categorical"; missingShare?: number; note?: string }[];
}

export interface CandidateRow {
  name: string;
  chosen?: boolean;
  /** Metric name → value, e.g. { "valid AUC": 0.78, "test AUC": 0.77 }; null shows as "–". */
  metrics: Record<string, number | null>;
}

export interface EvaluationMetrics {
  n: number;
  events: number;
  auc: number;
  gini: number;
  ks: number;
  brier: number;
  logLoss: number;
}

export interface EvaluationReport {
  /** Split name in English, e.g. "Validation", "Test". */
  label: string;
  /** Split name in Chinese, e.g. "验证集", "测试集". */
  labelZh?: string;
  metrics: EvaluationMetrics;
  /** ROC points (already thinned to a few hundred). */
  roc: { fpr: number[]; tpr: number[] };
  ksCurve: { populationShare: number[]; cumBad: number[]; cumGood: number[]; ks: number; atPopulationShare: number };
  calibration: CalibrationRow[];
  /** Histogram of the score (or PD) by class, counts per bin on shared edges. */
  distribution: { edges: number[]; goods: number[]; bads: number[]; variable: string };
  /** Bad rate per score band; open ends are null (JSON has no Infinity). */
  bands?: (Omit<BandRow, "min" | "max" | "badRate"> & { min: number | null; max: number | null; badRate: number | null })[];
  /** PSI of this split's score against a reference split. */
  psi?: { reference: string; value: number; bins: PsiBin[] };
}

export interface ScorecardReport {
  scaling: { basePoints: number; baseOdds: number; pdo: number };
  intercept: number;
  features: {
    name: string;
    iv: number;
    coefficient: number;
    trend: "ascending" | "descending" | "peak" | "valley" | "none";
    bins: { label: string; count: number; eventRate: number | null; woe: number; points: number }[];
  }[];
  selection: SelectionEntry[];
  pointsTable: PointsRow[];
}
