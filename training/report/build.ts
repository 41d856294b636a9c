import { auc, badRateByBand, brier, calibrationTable, ks, logLoss, psi, type ScoreBand } from "../../src/numeric";
import type { FittedScorecard } from "../scorecard";
import type { EvaluationReport, ScorecardReport } from "./types";

export interface EvaluateOptions {
  /** Chinese split name shown next to `label`. */
  labelZh?: string;
  /**
   * Scores (points, higher = safer) per row; when given, the distribution chart, bands and PSI use them,
   * otherwise the PD.
   */
  score?: ArrayLike<number>;
  /** Score bands (e.g. rating grades) for the bad-rate table; needs `score` unless bands are on PD. */
  bands?: readonly ScoreBand[];
  /** Reference sample for PSI of the same variable (scores if `score` is given, else PDs), e.g. training. */
  reference?: { label: string; values: ArrayLike<number> };
  /** Calibration bins, default 10. */
  calibrationBins?: number;
  /** Histogram bins, default 30. */
  histogramBins?: number;
}

/**
 * Computes every metric and curve of one split for the report.
 * @param y 0/1 outcomes (1 = default). @param pd predicted probabilities of default.
 * @throws RangeError when lengths differ.
 */
export function evaluateForReport(label: string, y: ArrayLike<number>, pd: ArrayLike<number>, opts: EvaluateOptions = {}): EvaluationReport {
  if (y.length !== pd.length) throw new RangeError(`evaluateForReport: y has ${y.length} rows, pd has ${pd.length}`);
  let events = 0;
  for (let i = 0; i < y.length; i++) events += y[i];
  const k = ks(y, pd);
  const a = auc(y, pd);
  const thin = thinIdx(k.curve.populationShare.length, 300);
  const variable = opts.score ? "score" : "pd";
  const v = opts.score ?? pd;
  return {
    label,
    ...(opts.labelZh ? { labelZh: opts.labelZh } : {}),
    metrics: { n: y.length, events, auc: a, gini: 2 * a - 1, ks: k.ks, brier: brier(y, pd), logLoss: logLoss(y, pd) },
    roc: { fpr: thin.map((i) => k.curve.cumGood[i]), tpr: thin.map((i) => k.curve.cumBad[i]) },
    ksCurve: {
      populationShare: thin.map((i) => k.curve.populationShare[i]),
      cumBad: thin.map((i) => k.curve.cumBad[i]),
      cumGood: thin.map((i) => k.curve.cumGood[i]),
      ks: k.ks,
      atPopulationShare: k.atPopulationShare,
    },
    calibration: calibrationTable(y, pd, opts.calibrationBins ?? 10),
    distribution: { ...classHistogram(y, v, opts.histogramBins ?? 30), variable },
    ...(opts.bands
      ? {
          bands: badRateByBand(y, v, opts.bands).rows.map((b) => ({
            ...b,
            min: Number.isFinite(b.min) ? b.min : null,
            max: Number.isFinite(b.max) ? b.max : null,
            badRate: Number.isNaN(b.badRate) ? null : b.badRate,
          })),
        }
      : {}),
    ...(opts.reference
      ? (() => {
          const r = psi(opts.reference.values, v);
          return { psi: { reference: opts.reference.label, value: r.psi, bins: r.bins } };
        })()
      : {}),
  };
}

/** Counts of goods and bads per bin on equal-width edges spanning the finite values. */
export function classHistogram(y: ArrayLike<number>, v: ArrayLike<number>, bins: number): { edges: number[]; goods: number[]; bads: number[] } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) continue;
    lo = Math.min(lo, v[i]);
    hi = Math.max(hi, v[i]);
  }
  if (!Number.isFinite(lo)) return { edges: [0, 1], goods: [0], bads: [0] };
  if (hi === lo) hi = lo + 1;
  const w = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * w);
  const goods = new Array(bins).fill(0);
  const bads = new Array(bins).fill(0);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) continue;
    const b = Math.min(bins - 1, Math.floor((v[i] - lo) / w));
    if (y[i] === 1) bads[b]++;
    else goods[b]++;
  }
  return { edges, goods, bads };
}

/** The scorecard part of the report from a fitted scorecard. */
export function scorecardForReport(m: FittedScorecard): ScorecardReport {
  return {
    scaling: { basePoints: m.scaling.basePoints, baseOdds: m.scaling.baseOdds, pdo: m.scaling.pdo },
    intercept: m.intercept,
    features: m.features.map((f) => ({
      name: f.name,
      iv: f.iv,
      coefficient: f.coefficient,
      trend: f.binning.trend,
      bins: f.binning.bins.map((b, k) => ({
        label: b.label,
        count: b.count,
        eventRate: b.count > 0 ? b.eventRate : null,
        woe: b.woe,
        points: f.points[k],
      })),
    })),
    selection: [...m.selection],
    pointsTable: m.pointsTable(),
  };
}

function thinIdx(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(Math.round((k * (n - 1)) / (max - 1)));
  return out;
}
