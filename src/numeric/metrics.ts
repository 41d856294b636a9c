/**
 * Classification metrics for binary PD models. Conventions throughout: `y` holds 0/1 labels with
 * 1 = event (bad / default) and `p` holds a risk score where larger means riskier (a probability of
 * the event for the probability metrics). Functions never mutate their inputs.
 */

/** Anything indexable by row: typed arrays or plain arrays of numbers. */
export type NumArray = ArrayLike<number>;

function checkSameLength(y: NumArray, p: NumArray, fn: string): void {
  if (y.length !== p.length) {
    throw new RangeError(`${fn}: y and p must have the same length (received ${y.length} and ${p.length})`);
  }
}

/** Row indices sorted by `p` ascending (stable). @throws RangeError on NaN (it has no rank). */
function argsortAsc(p: NumArray): Uint32Array {
  for (let i = 0; i < p.length; i++) if (Number.isNaN(p[i])) throw new RangeError(`score/probability at row ${i} is NaN`);
  const idx = new Uint32Array(p.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  // Typed-array sort with a comparator is stable in V8 and avoids boxing the indices.
  return idx.sort((a, b) => p[a] - p[b] || a - b);
}

/**
 * Area under the ROC curve by the Mann–Whitney U statistic with mid-ranks, so tied scores count as one
 * half (identical to scikit-learn's `roc_auc_score`). O(n log n).
 * @returns AUC in [0, 1]; NaN when `y` holds only one class (AUC is undefined).
 * @throws RangeError when lengths differ or `p` holds NaN.
 */
export function auc(y: NumArray, p: NumArray): number {
  checkSameLength(y, p, "auc");
  const n = y.length;
  const idx = argsortAsc(p);
  let nPos = 0;
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && p[idx[j + 1]] === p[idx[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (y[idx[k]] === 1) {
        nPos++;
        rankSumPos += midRank;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Gini coefficient (accuracy ratio) = 2·AUC − 1. NaN when only one class is present. */
export function gini(y: NumArray, p: NumArray): number {
  return 2 * auc(y, p) - 1;
}

/** ROC curve points, one per distinct threshold, starting at (0, 0) and ending at (1, 1). */
export interface RocCurve {
  /** False-positive rate (share of goods with p >= threshold). */
  fpr: Float64Array;
  /** True-positive rate (share of bads with p >= threshold). */
  tpr: Float64Array;
  /** Threshold of each point; the first is +Infinity (nobody flagged). */
  thresholds: Float64Array;
}

/**
 * ROC curve at every distinct score (like scikit-learn's `roc_curve(drop_intermediate=False)`).
 * @returns empty-class rates are NaN when a class is absent.
 */
export function rocCurve(y: NumArray, p: NumArray): RocCurve {
  checkSameLength(y, p, "rocCurve");
  const n = y.length;
  const idx = argsortAsc(p);
  let totPos = 0;
  for (let i = 0; i < n; i++) if (y[i] === 1) totPos++;
  const totNeg = n - totPos;
  const fpr: number[] = [0];
  const tpr: number[] = [0];
  const thr: number[] = [Infinity];
  let tp = 0;
  let fp = 0;
  let i = n - 1;
  while (i >= 0) {
    const t = p[idx[i]];
    while (i >= 0 && p[idx[i]] === t) {
      if (y[idx[i]] === 1) tp++;
      else fp++;
      i--;
    }
    fpr.push(fp / totNeg);
    tpr.push(tp / totPos);
    thr.push(t);
  }
  return { fpr: Float64Array.from(fpr), tpr: Float64Array.from(tpr), thresholds: Float64Array.from(thr) };
}

/** KS statistic and the curve it is read from. */
export interface KsResult {
  /** max over thresholds of |TPR − FPR|, in [0, 1]. */
  ks: number;
  /** Score threshold (flag p >= threshold) where the maximum is reached. */
  threshold: number;
  /** Share of the population flagged (p >= threshold) at the maximum. */
  atPopulationShare: number;
  curve: {
    /** Share of all rows with p >= threshold, ascending from 0 to 1. */
    populationShare: Float64Array;
    /** Cumulative share of bads captured. */
    cumBad: Float64Array;
    /** Cumulative share of goods captured. */
    cumGood: Float64Array;
    thresholds: Float64Array;
  };
}

/**
 * Kolmogorov–Smirnov separation between the score distributions of bads and goods, evaluated at every
 * distinct score (ties never split). NaN `ks` when a class is absent.
 */
export function ks(y: NumArray, p: NumArray): KsResult {
  const roc = rocCurve(y, p);
  const m = roc.fpr.length;
  const n = y.length;
  let totPos = 0;
  for (let i = 0; i < n; i++) if (y[i] === 1) totPos++;
  const totNeg = n - totPos;
  const pop = new Float64Array(m);
  let best = -1;
  let bestAt = 0;
  for (let k = 0; k < m; k++) {
    pop[k] = (roc.tpr[k] * totPos + roc.fpr[k] * totNeg) / n;
    const d = Math.abs(roc.tpr[k] - roc.fpr[k]);
    if (d > best) {
      best = d;
      bestAt = k;
    }
  }
  const undefinedKs = totPos === 0 || totNeg === 0;
  return {
    ks: undefinedKs ? NaN : best,
    threshold: roc.thresholds[bestAt],
    atPopulationShare: pop[bestAt],
    curve: { populationShare: pop, cumBad: roc.tpr, cumGood: roc.fpr, thresholds: roc.thresholds },
  };
}

/** Brier score: mean squared difference between predicted probability and outcome. Lower is better. */
export function brier(y: NumArray, p: NumArray): number {
  checkSameLength(y, p, "brier");
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const d = p[i] - y[i];
    s += d * d;
  }
  return s / y.length;
}

/**
 * Mean binary cross-entropy in nats. Probabilities are clipped to [eps, 1 − eps] so a confident miss is
 * finite (scikit-learn 1.2 uses the same eps = 1e-15).
 */
export function logLoss(y: NumArray, p: NumArray, eps = 1e-15): number {
  checkSameLength(y, p, "logLoss");
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(1 - eps, Math.max(eps, p[i]));
    s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return s / y.length;
}

/** One row of a calibration (reliability) table. */
export interface CalibrationRow {
  bin: number;
  count: number;
  minPredicted: number;
  maxPredicted: number;
  meanPredicted: number;
  observedRate: number;
}

/**
 * Reliability table by quantiles of the predicted probability: rows sorted by `p` are cut into `bins`
 * groups of (nearly) equal size; tied predictions are kept in one group, so fewer groups may come back.
 * @param bins number of groups, default 10 (deciles).
 */
export function calibrationTable(y: NumArray, p: NumArray, bins = 10): CalibrationRow[] {
  checkSameLength(y, p, "calibrationTable");
  if (!(bins >= 1)) throw new RangeError(`calibrationTable: bins must be >= 1 (received ${bins})`);
  return quantileGroups(p, bins, false).map((g, k) => {
    let s = 0;
    let e = 0;
    for (const i of g) {
      s += p[i];
      e += y[i];
    }
    return {
      bin: k + 1,
      count: g.length,
      minPredicted: p[g[0]],
      maxPredicted: p[g[g.length - 1]],
      meanPredicted: s / g.length,
      observedRate: e / g.length,
    };
  });
}

/**
 * Splits row indices, sorted by `p` (ascending, or descending with `desc`), into at most `groups`
 * consecutive groups of near-equal size without splitting ties.
 */
function quantileGroups(p: NumArray, groups: number, desc: boolean): number[][] {
  const n = p.length;
  if (n === 0) return [];
  const asc = argsortAsc(p);
  const order = desc ? Array.from(asc).reverse() : Array.from(asc);
  const out: number[][] = [];
  let start = 0;
  for (let g = 1; g <= groups && start < n; g++) {
    let end = g === groups ? n : Math.round((g * n) / groups);
    if (end <= start) continue;
    while (end < n && p[order[end]] === p[order[end - 1]]) end++;
    out.push(order.slice(start, end));
    start = end;
  }
  return out;
}

/** One bin of a PSI table. */
export interface PsiBin {
  /** Lower edge (exclusive); null = −∞. For the missing bin both edges are null. */
  lower: number | null;
  /** Upper edge (inclusive); null = +∞. */
  upper: number | null;
  /** True for the bin of missing (NaN) values. */
  missing: boolean;
  expectedCount: number;
  actualCount: number;
  expectedShare: number;
  actualShare: number;
  /** (actual − expected) · ln(actual / expected), on smoothed shares. */
  contribution: number;
}

export interface PsiResult {
  psi: number;
  /** Interior cut points used (bins are (−∞, e1], (e1, e2], …, (ek, +∞)). */
  edges: number[];
  bins: PsiBin[];
}

export interface PsiOptions {
  /** Number of quantile bins computed from `expected`, default 10. */
  bins?: number;
  /** Interior cut points to use instead of quantiles of `expected` (ascending). */
  edges?: readonly number[];
  /** Added to every share before the log so empty bins stay finite, default 1e-4. */
  epsilon?: number;
}

/**
 * Population stability index Σ (a − e)·ln(a / e) between a reference sample (`expected`, e.g. the training
 * scores) and a new one (`actual`). Edges are the quantiles of `expected` (duplicates removed); NaN values
 * form their own bin when either sample has any. Rule of thumb: < 0.1 stable, 0.1–0.25 shifting, > 0.25 shifted.
 * @throws RangeError when a sample is empty or the options are invalid.
 */
export function psi(expected: NumArray, actual: NumArray, opts: PsiOptions = {}): PsiResult {
  const eps = opts.epsilon ?? 1e-4;
  if (expected.length === 0 || actual.length === 0) throw new RangeError("psi: both samples must be non-empty");
  let edges: number[];
  if (opts.edges) {
    edges = [...opts.edges];
    for (let i = 1; i < edges.length; i++) {
      if (!(edges[i] > edges[i - 1])) throw new RangeError("psi: edges must be strictly ascending");
    }
  } else {
    const k = opts.bins ?? 10;
    if (!(k >= 1)) throw new RangeError(`psi: bins must be >= 1 (received ${k})`);
    edges = quantileEdges(expected, k);
  }
  const nb = edges.length + 1;
  const ec = new Float64Array(nb + 1);
  const ac = new Float64Array(nb + 1);
  const count = (v: NumArray, into: Float64Array) => {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      into[Number.isNaN(x) ? nb : upperBound(edges, x)]++;
    }
  };
  count(expected, ec);
  count(actual, ac);
  const hasMissing = ec[nb] > 0 || ac[nb] > 0;
  const bins: PsiBin[] = [];
  let total = 0;
  for (let b = 0; b < nb + (hasMissing ? 1 : 0); b++) {
    const es = ec[b] / expected.length;
    const as = ac[b] / actual.length;
    const e = es + eps;
    const a = as + eps;
    const c = (a - e) * Math.log(a / e);
    total += c;
    const missing = b === nb;
    bins.push({
      lower: missing || b === 0 ? null : edges[b - 1],
      upper: missing || b === nb - 1 ? null : edges[b],
      missing,
      expectedCount: ec[b],
      actualCount: ac[b],
      expectedShare: es,
      actualShare: as,
      contribution: c,
    });
  }
  return { psi: total, edges, bins };
}

/** Index of the first edge >= x, i.e. the bin of x for right-closed bins (−∞, e0], (e0, e1], …. */
export function upperBound(edges: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Distinct interior cut points at the k-quantiles of the finite values of `v` (lower-value quantiles, so
 * every cut point is an observed value and bins are right-closed). Fewer than k−1 come back when values repeat.
 */
export function quantileEdges(v: NumArray, k: number): number[] {
  const finite: number[] = [];
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i])) finite.push(v[i]);
  const s = Float64Array.from(finite).sort();
  const n = s.length;
  const out: number[] = [];
  if (n === 0) return out;
  for (let j = 1; j < k; j++) {
    const q = s[Math.max(0, Math.ceil((j * n) / k) - 1)];
    if (q < s[n - 1] && (out.length === 0 || q > out[out.length - 1])) out.push(q);
  }
  return out;
}

/** A score band [min, max): rows with min <= score < max. Use ±Infinity for open ends. */
export interface ScoreBand {
  label: string;
  min: number;
  max: number;
}

export interface BandRow {
  label: string;
  min: number;
  max: number;
  count: number;
  bads: number;
  /** bads / count; NaN for an empty band. */
  badRate: number;
  /** count / total rows. */
  share: number;
}

/**
 * Observed bad rate per score band (e.g. rating grades). Rows whose score falls in no band, or is NaN,
 * are counted in `unbanded`.
 */
export function badRateByBand(y: NumArray, score: NumArray, bands: readonly ScoreBand[]): { rows: BandRow[]; unbanded: number } {
  checkSameLength(y, score, "badRateByBand");
  const cnt = new Float64Array(bands.length);
  const bad = new Float64Array(bands.length);
  let unbanded = 0;
  for (let i = 0; i < y.length; i++) {
    const s = score[i];
    let hit = -1;
    for (let b = 0; b < bands.length; b++) {
      if (s >= bands[b].min && s < bands[b].max) {
        hit = b;
        break;
      }
    }
    if (hit < 0) unbanded++;
    else {
      cnt[hit]++;
      bad[hit] += y[i];
    }
  }
  const n = y.length;
  const rows = bands.map((b, k) => ({
    label: b.label,
    min: b.min,
    max: b.max,
    count: cnt[k],
    bads: bad[k],
    badRate: cnt[k] > 0 ? bad[k] / cnt[k] : NaN,
    share: n > 0 ? cnt[k] / n : NaN,
  }));
  return { rows, unbanded };
}

/** One row of a gains (lift) table; group 1 is the riskiest. */
export interface GainsRow {
  group: number;
  count: number;
  bads: number;
  badRate: number;
  minScore: number;
  maxScore: number;
  /** Cumulative share of all bads in groups 1..g (capture rate). */
  cumBadShare: number;
  /** Cumulative share of all goods in groups 1..g. */
  cumGoodShare: number;
  /** cumBadShare − cumGoodShare. */
  ks: number;
  /** badRate / overall bad rate. */
  lift: number;
  /** Cumulative bad rate / overall bad rate. */
  cumLift: number;
}

/**
 * Gains table: rows sorted by risk `p` descending and cut into `groups` near-equal groups (ties kept
 * together), with capture rates and lift.
 */
export function gainsTable(y: NumArray, p: NumArray, groups = 10): GainsRow[] {
  checkSameLength(y, p, "gainsTable");
  const n = y.length;
  let totBad = 0;
  for (let i = 0; i < n; i++) totBad += y[i];
  const totGood = n - totBad;
  const rate = totBad / n;
  let cumBad = 0;
  let cumCnt = 0;
  return quantileGroups(p, groups, true).map((g, k) => {
    let bads = 0;
    let mn = Infinity;
    let mx = -Infinity;
    for (const i of g) {
      bads += y[i];
      if (p[i] < mn) mn = p[i];
      if (p[i] > mx) mx = p[i];
    }
    cumBad += bads;
    cumCnt += g.length;
    const cbs = cumBad / totBad;
    const cgs = (cumCnt - cumBad) / totGood;
    return {
      group: k + 1,
      count: g.length,
      bads,
      badRate: bads / g.length,
      minScore: mn,
      maxScore: mx,
      cumBadShare: cbs,
      cumGoodShare: cgs,
      ks: cbs - cgs,
      lift: bads / g.length / rate,
      cumLift: cumBad / cumCnt / rate,
    };
  });
}
