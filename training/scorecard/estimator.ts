import { ValidationError } from "../../src/shared";
import { binCategorical, binNumeric, fitLogisticColumns, pdoScaling, transformWoe, type BinningOptions, type BinningResult, type LogisticFit } from "../../src/numeric";
import type { Column, Dataset } from "../data/dataset";
import {
  binPoints,
  FittedScorecard,
  type ResolvedScorecardParams,
  type ScorecardFeature,
  type ScorecardParams,
  type SelectionEntry,
} from "./fitted";

/** Options of {@link ScorecardEstimator.fit}. */
export interface ScorecardFitOptions {
  /** Called as work progresses (stage, done, total) — e.g. to drive a progress bar. */
  onProgress?: (stage: "binning" | "selection" | "fit", done: number, total: number) => void;
}

const DEFAULTS: ResolvedScorecardParams = {
  binning: {},
  binningByFeature: {},
  minIv: 0.02,
  maxFeatures: 15,
  maxCorrelation: 0.8,
  l2: 1,
  requirePositiveCoefficients: true,
  features: null,
  exclude: [],
  scaling: { basePoints: 600, baseOdds: 50, pdo: 20 },
  seed: 0,
};

/** Fills defaults and checks ranges. @throws ValidationError naming the bad parameter. */
export function resolveScorecardParams(p: ScorecardParams = {}): ResolvedScorecardParams {
  const r: ResolvedScorecardParams = {
    binning: { ...(p.binning ?? {}) },
    binningByFeature: { ...(p.binningByFeature ?? {}) },
    minIv: p.minIv ?? DEFAULTS.minIv,
    maxFeatures: p.maxFeatures ?? DEFAULTS.maxFeatures,
    maxCorrelation: p.maxCorrelation ?? DEFAULTS.maxCorrelation,
    l2: p.l2 ?? DEFAULTS.l2,
    requirePositiveCoefficients: p.requirePositiveCoefficients ?? DEFAULTS.requirePositiveCoefficients,
    features: p.features ? [...p.features] : null,
    exclude: [...(p.exclude ?? [])],
    scaling: { ...DEFAULTS.scaling, ...stripUndefined(p.scaling ?? {}) },
    seed: p.seed ?? DEFAULTS.seed,
  };
  const issues = [];
  if (!(r.minIv >= 0)) issues.push({ path: "minIv", expected: "a number >= 0", received: String(r.minIv) });
  if (!(Number.isInteger(r.maxFeatures) && r.maxFeatures >= 1)) issues.push({ path: "maxFeatures", expected: "an integer >= 1", received: String(r.maxFeatures) });
  if (!(r.maxCorrelation > 0 && r.maxCorrelation <= 1)) issues.push({ path: "maxCorrelation", expected: "a number in (0, 1]", received: String(r.maxCorrelation) });
  if (!(r.l2 >= 0)) issues.push({ path: "l2", expected: "a number >= 0", received: String(r.l2) });
  if (!(r.scaling.pdo > 0)) issues.push({ path: "scaling/pdo", expected: "a number > 0", received: String(r.scaling.pdo) });
  if (!(r.scaling.baseOdds > 0)) issues.push({ path: "scaling/baseOdds", expected: "a number > 0", received: String(r.scaling.baseOdds) });
  if (issues.length) throw new ValidationError(issues);
  return r;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** "all-missing", "constant" or null for a usable column. */
function degenerate(c: Column): "all-missing" | "constant" | null {
  let first: number | string | null = null;
  let seen = false;
  let missing = false;
  for (let i = 0; i < c.values.length; i++) {
    const v = c.values[i];
    const isMissing = c.kind === "numeric" ? Number.isNaN(v as number) : v === null || v === "";
    if (isMissing) {
      missing = true;
      continue;
    }
    if (!seen) {
      first = v;
      seen = true;
    } else if (v !== first) return null;
  }
  if (!seen) return "all-missing";
  return missing ? null : "constant";
}

function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/**
 * WoE logistic scorecard (scikit-learn contract): the constructor stores parameters, {@link fit} bins every
 * usable column (monotonic optimal binning), keeps features with IV ≥ `minIv`, drops the weaker of
 * each pair whose WoE columns correlate above `maxCorrelation`, keeps at most `maxFeatures` by IV, fits an
 * L2 logistic regression on the WoE columns (dropping non-positive coefficients and refitting) and scales
 * the result to points with PDO scaling.
 */
export class ScorecardEstimator {
  readonly params: ResolvedScorecardParams;

  /** @throws ValidationError on out-of-range parameters. */
  constructor(params: ScorecardParams = {}) {
    this.params = resolveScorecardParams(params);
  }

  /**
   * Fits on a labelled dataset. Deterministic: the same data and params give the same model.
   * @throws ValidationError when `train.y` is absent, empty, or holds a single class.
   */
  fit(train: Dataset, opts: ScorecardFitOptions = {}): FittedScorecard {
    const p = this.params;
    const y = train.y;
    if (!y) throw new ValidationError([{ path: "y", expected: "a 0/1 target column", received: "an unlabeled dataset" }]);
    let events = 0;
    for (let i = 0; i < y.length; i++) events += y[i];
    if (train.n === 0 || events === 0 || events === train.n) {
      throw new ValidationError([
        { path: "y", expected: "both classes (some 0 and some 1)", received: `${train.n} rows with ${events} events` },
      ]);
    }
    const wanted = p.features ? new Set(p.features) : null;
    if (wanted) {
      const missing = [...wanted].filter((f) => !train.columns.some((c) => c.name === f));
      if (missing.length) {
        throw new ValidationError(missing.map((f) => ({ path: `params/features/${f}`, expected: "a column of the training set", received: "no such column" })));
      }
    }
    const excluded = new Set(p.exclude);
    const cols = train.columns.filter((c) => (!wanted || wanted.has(c.name)) && !excluded.has(c.name));
    const notes: string[] = [];
    const selection = new Map<string, SelectionEntry>();
    const binned: { col: Column; binning: BinningResult; woe: Float64Array }[] = [];

    cols.forEach((c, k) => {
      opts.onProgress?.("binning", k, cols.length);
      const d = degenerate(c);
      if (d) {
        selection.set(c.name, { feature: c.name, kind: c.kind, iv: null, selected: false, reason: d });
        notes.push(`${c.name}: dropped, ${d === "constant" ? "constant column" : "all values missing"}`);
        return;
      }
      const bo: BinningOptions = { ...p.binning, ...(p.binningByFeature[c.name] ?? {}) };
      const binning = c.kind === "numeric" ? binNumeric(c.name, c.values, y, bo) : binCategorical(c.name, c.values, y, bo);
      selection.set(c.name, { feature: c.name, kind: c.kind, iv: binning.iv, selected: false });
      if (binning.iv < p.minIv) {
        selection.get(c.name)!.reason = "low-iv";
        return;
      }
      binned.push({ col: c, binning, woe: transformWoe(binning, c.values) });
    });
    opts.onProgress?.("binning", cols.length, cols.length);

    // Strongest first; name breaks IV ties so the order never depends on column order.
    binned.sort((a, b) => b.binning.iv - a.binning.iv || (a.col.name < b.col.name ? -1 : 1));
    let kept: typeof binned = [];
    binned.forEach((cand, k) => {
      opts.onProgress?.("selection", k, binned.length);
      const entry = selection.get(cand.col.name)!;
      if (kept.length >= p.maxFeatures) {
        entry.reason = "max-features";
        return;
      }
      for (const other of kept) {
        const r = pearson(cand.woe, other.woe);
        if (Math.abs(r) > p.maxCorrelation) {
          entry.reason = `correlated with ${other.col.name} (r=${r.toFixed(3)})`;
          return;
        }
      }
      kept.push(cand);
    });

    let fit: LogisticFit;
    for (let round = 0; ; round++) {
      opts.onProgress?.("fit", round, round + 1);
      fit = fitLogisticColumns(
        kept.map((f) => f.woe),
        y,
        { l2: p.l2 },
        train.n,
      );
      if (!p.requirePositiveCoefficients) break;
      let worst = -1;
      for (let j = 0; j < kept.length; j++) if (fit.coefficients[j] <= 0 && (worst < 0 || fit.coefficients[j] < fit.coefficients[worst])) worst = j;
      if (worst < 0) break;
      const name = kept[worst].col.name;
      selection.get(name)!.reason = `non-positive coefficient (${fit.coefficients[worst].toFixed(4)})`;
      notes.push(`${name}: dropped, coefficient ${fit.coefficients[worst].toFixed(4)} ≤ 0 after the others entered (collinearity)`);
      kept = kept.filter((_, j) => j !== worst);
    }
    if (!fit.converged) notes.push(`logistic regression did not converge in ${fit.iterations} iterations`);
    if (kept.length === 0) notes.push("no feature passed selection: the scorecard scores everyone at the base rate");
    opts.onProgress?.("fit", 1, 1);

    const scaling = pdoScaling(p.scaling);
    const features: ScorecardFeature[] = kept.map((f, j) => {
      selection.get(f.col.name)!.selected = true;
      delete selection.get(f.col.name)!.reason;
      return {
        name: f.col.name,
        kind: f.col.kind,
        iv: f.binning.iv,
        coefficient: fit.coefficients[j],
        binning: f.binning,
        points: binPoints(scaling, fit.intercept, fit.coefficients[j], f.binning.bins.map((b) => b.woe), kept.length),
      };
    });
    return new FittedScorecard({
      params: p,
      scaling,
      intercept: fit.intercept,
      features,
      selection: cols.map((c) => selection.get(c.name)!),
      notes,
      training: { n: train.n, events, iterations: fit.iterations, converged: fit.converged, logLikelihood: fit.logLikelihood },
    });
  }

  /**
   * Restores a fitted scorecard from its JSON (object or text).
   * @throws AppError ("invalid-model") on a wrong name/version or malformed content.
   */
  static load(json: unknown): FittedScorecard {
    return FittedScorecard.fromJSON(json);
  }
}
