import { auc, badRateByBand, brier, calibrationTable, gini, ks, logLoss, psi, type ScoreBand } from "../../src/numeric";

/**
 * Evaluation of PDs on labelled rows: discrimination (AUC, Gini, KS), accuracy of probabilities (Brier,
 * log loss, calibration by decile) and the observed bad rate per score band.
 */

/** Score bands of the 600/50/20 scale (higher score = lower risk). */
export const SCORE_BANDS: ScoreBand[] = [
  { label: "<500", min: -Infinity, max: 500 },
  { label: "500-549", min: 500, max: 550 },
  { label: "550-599", min: 550, max: 600 },
  { label: "600-649", min: 600, max: 650 },
  { label: "650-699", min: 650, max: 700 },
  { label: "700+", min: 700, max: Infinity },
];

/** Metrics of one labelled sample. */
export interface SampleMetrics {
  n: number;
  badRate: number;
  auc: number;
  gini: number;
  ks: number;
  brier: number;
  logloss: number;
  calibration: { bin: number; count: number; meanPredicted: number; observedRate: number; minPredicted: number; maxPredicted: number }[];
  badRateByBand: { label: string; count: number; bads: number; badRate: number | null; share: number }[];
  psi?: number;
}

const r6 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x);

/** Computes {@link SampleMetrics} from labels, PDs and scores. */
export function evaluateSample(y: Uint8Array, pd: Float64Array, score: Float64Array): SampleMetrics {
  let bads = 0;
  for (let i = 0; i < y.length; i++) bads += y[i];
  return {
    n: y.length,
    badRate: r6(bads / y.length),
    auc: r6(auc(y, pd)),
    gini: r6(gini(y, pd)),
    ks: r6(ks(y, pd).ks),
    brier: r6(brier(y, pd)),
    logloss: r6(logLoss(y, pd)),
    calibration: calibrationTable(y, pd, 10).map((c) => ({
      bin: c.bin,
      count: c.count,
      meanPredicted: r6(c.meanPredicted),
      observedRate: r6(c.observedRate),
      minPredicted: r6(c.minPredicted),
      maxPredicted: r6(c.maxPredicted),
    })),
    badRateByBand: badRateByBand(y, score, SCORE_BANDS).rows.map((r) => ({
      label: r.label,
      count: r.count,
      bads: r.bads,
      badRate: Number.isNaN(r.badRate) ? null : r6(r.badRate),
      share: r6(r.share),
    })),
  };
}

/** PSI between two score samples (reference first), 10 quantile bins of the reference. */
export function scorePsi(reference: Float64Array, actual: Float64Array): number {
  return r6(psi(reference, actual, { bins: 10 }).psi);
}
