import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import { AppError, ValidationError } from "../../src/shared";
import {
  compileBinning,
  logitToScore,
  sigmoid,
  type BinningOptions,
  type BinningResult,
  type BinLookup,
  type PdoScaling,
} from "../../src/numeric";
import type { Dataset } from "../data/dataset";

/** Name and format version written by {@link FittedScorecard.toJSON}; loading refuses anything else. */
export const SCORECARD_NAME = "scorecard";
export const SCORECARD_VERSION = 1;

/** Parameters of {@link ScorecardEstimator}, all optional (defaults in brackets). */
export interface ScorecardParams {
  /** Binning options for every feature (see `BinningOptions` in src/numeric) [maxBins 6, minBinShare 0.05, …]. */
  binning?: BinningOptions;
  /** Per-feature binning overrides, merged over `binning`. */
  binningByFeature?: Record<string, BinningOptions>;
  /** Minimum information value for a feature to be considered [0.02]. */
  minIv?: number;
  /** Maximum number of features in the model [15]. */
  maxFeatures?: number;
  /** Two WoE columns correlated above this |r| keep only the higher-IV one [0.8]. */
  maxCorrelation?: number;
  /** L2 penalty of the logistic regression on WoE columns (intercept unpenalised) [1]. */
  l2?: number;
  /** Drop features whose coefficient comes out ≤ 0 (wrong sign under collinearity) and refit [true]. */
  requirePositiveCoefficients?: boolean;
  /** Restrict to these input columns (default: all columns of the training set). */
  features?: string[];
  /** Never use these columns (e.g. ids). */
  exclude?: string[];
  /** PDO scaling [600 points at 50:1 good:bad odds, 20 points to double the odds]. */
  scaling?: { basePoints?: number; baseOdds?: number; pdo?: number };
  /**
   * Seed, stored for the estimator contract. The fit itself is deterministic (quantile binning, sorted
   * tie-breaks, Newton steps), so refits on the same data are identical with any seed.
   */
  seed?: number;
}

/** Parameters with every default filled in (what is stored in the JSON). */
export type ResolvedScorecardParams = Required<Omit<ScorecardParams, "features" | "scaling">> & {
  features: string[] | null;
  scaling: { basePoints: number; baseOdds: number; pdo: number };
};

/** One characteristic of the fitted scorecard. */
export interface ScorecardFeature {
  name: string;
  kind: "numeric" | "categorical";
  iv: number;
  /** Logistic coefficient on the WoE column (positive by construction when requirePositiveCoefficients). */
  coefficient: number;
  binning: BinningResult;
  /** Points of each bin, aligned with `binning.bins`. */
  points: number[];
}

/** Why a candidate column is, or is not, in the model. */
export interface SelectionEntry {
  feature: string;
  kind: "numeric" | "categorical";
  /** IV of the fitted binning; null when the column was not binned (constant / all missing). */
  iv: number | null;
  selected: boolean;
  /** For dropped columns: "constant", "all-missing", "low-iv", "correlated with X (r=…)", "max-features", "non-positive coefficient". */
  reason?: string;
}

/** Training facts stored with the model. */
export interface ScorecardTrainingInfo {
  n: number;
  events: number;
  iterations: number;
  converged: boolean;
  /** Log-likelihood of the final logistic fit on the training rows, nats. */
  logLikelihood: number;
}

/** The serialised scorecard (`toJSON()`), stable across versions of this code with the same `version`. */
export interface ScorecardJSON {
  name: typeof SCORECARD_NAME;
  version: typeof SCORECARD_VERSION;
  params: ResolvedScorecardParams;
  scaling: PdoScaling;
  intercept: number;
  features: ScorecardFeature[];
  selection: SelectionEntry[];
  notes: string[];
  training: ScorecardTrainingInfo;
}

/** Contribution of one characteristic to one row's score. */
export interface Contribution {
  feature: string;
  /** The raw input value (null when missing). */
  value: number | string | null;
  /** Index of the bin in the feature's binning. */
  bin: number;
  binLabel: string;
  woe: number;
  /** Points earned by this characteristic (higher = safer). */
  points: number;
  /** Best points available for this characteristic minus `points` (≥ 0): what the applicant lost here. */
  pointsLostVsBest: number;
  /**
   * coefficient · WoE: this characteristic's share of the log-odds of default above the baseline.
   * Positive = raises risk. Σ over characteristics = logit − baselineLogit exactly.
   */
  logOddsContribution: number;
}

/** Output of {@link FittedScorecard.explain}. */
export interface Explanation {
  /**
   * Log-odds of default for an applicant whose every characteristic has WoE 0, i.e. evidence equal to the
   * training population's — the model intercept.
   */
  baselineLogit: number;
  logit: number;
  pd: number;
  score: number;
  /** One per characteristic, in model order (sort by `logOddsContribution` for reason codes). */
  contributions: Contribution[];
}

/** One row of the human-readable points table. */
export interface PointsRow {
  feature: string;
  bin: string;
  points: number;
  count: number;
  /** count / training rows. */
  share: number;
  /** Observed training default rate of the bin; null when the bin had no rows. */
  eventRate: number | null;
  woe: number;
  iv: number;
}

/** Result of the compiled single-row path. */
export interface RowScore {
  /** Log-odds of default. */
  logit: number;
  pd: number;
  score: number;
}

/** Compiled, allocation-light scorer for single records (the REST path). */
export type RowScorer = (record: Readonly<Record<string, unknown>>) => RowScore;

/**
 * Builds the scoring closure from the model content only (no Dataset, no TF.js): per feature a bin lookup
 * and two small Float64Arrays (log-odds contribution and points per bin).
 */
export function compileScorecard(model: Pick<ScorecardJSON, "intercept" | "features" | "scaling">): RowScorer {
  const k = model.features.length;
  const names = model.features.map((f) => f.name);
  const lookups: BinLookup[] = model.features.map((f) => compileBinning(f.binning));
  const contrib = model.features.map((f) => Float64Array.from(f.binning.bins.map((b) => f.coefficient * b.woe)));
  const intercept = model.intercept;
  const scaling = model.scaling;
  return (record) => {
    let z = intercept;
    for (let j = 0; j < k; j++) z += contrib[j][lookups[j].binOf(record[names[j]])];
    return { logit: z, pd: sigmoid(z), score: logitToScore(scaling, z) };
  };
}

/** Points of every bin: −factor·β·WoE plus an equal share of the intercept's points. */
export function binPoints(scaling: PdoScaling, intercept: number, coefficient: number, woe: readonly number[], nFeatures: number): number[] {
  const share = (scaling.offset - scaling.factor * intercept) / Math.max(1, nFeatures);
  return woe.map((w) => share - scaling.factor * coefficient * w);
}

function rawValue(v: unknown): number | string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isNaN(v) ? null : v;
  if (typeof v === "string") return v === "" ? null : v;
  return String(v);
}

/**
 * A fitted WoE logistic scorecard. Score = Σ characteristic points = offset − factor · logit(PD), so a
 * higher score means lower risk; with no characteristics the score is the intercept's points alone.
 */
export class FittedScorecard {
  readonly params: ResolvedScorecardParams;
  readonly scaling: PdoScaling;
  readonly intercept: number;
  readonly features: readonly ScorecardFeature[];
  readonly selection: readonly SelectionEntry[];
  readonly notes: readonly string[];
  readonly training: ScorecardTrainingInfo;
  private readonly lookups: BinLookup[];
  private readonly scorer: RowScorer;

  constructor(json: Omit<ScorecardJSON, "name" | "version">) {
    this.params = json.params;
    this.scaling = json.scaling;
    this.intercept = json.intercept;
    this.features = json.features;
    this.selection = json.selection;
    this.notes = json.notes;
    this.training = json.training;
    this.lookups = json.features.map((f) => compileBinning(f.binning));
    this.scorer = compileScorecard(json);
  }

  /** Selected features with their IV, in model order. */
  get selected(): { feature: string; iv: number }[] {
    return this.features.map((f) => ({ feature: f.name, iv: f.iv }));
  }

  /** Log-odds of default per row. @throws ValidationError when a model column is absent from `ds`. */
  logit(ds: Dataset): Float64Array {
    const z = new Float64Array(ds.n).fill(this.intercept);
    this.features.forEach((f, j) => {
      const col = ds.columns.find((c) => c.name === f.name);
      if (!col) {
        throw new ValidationError([{ path: `columns/${f.name}`, expected: `a ${f.kind} column '${f.name}' (used by the scorecard)`, received: "no such column" }]);
      }
      const lk = this.lookups[j];
      const bins = f.binning.bins;
      const beta = f.coefficient;
      if (col.kind === "numeric" && f.kind === "numeric") {
        for (let i = 0; i < ds.n; i++) z[i] += beta * bins[lk.binOfNumber(col.values[i])].woe;
      } else {
        for (let i = 0; i < ds.n; i++) z[i] += beta * bins[lk.binOf(col.values[i])].woe;
      }
    });
    return z;
  }

  /** Probability of default per row, in (0, 1). */
  predictProba(ds: Dataset): Float64Array {
    return this.logit(ds).map(sigmoid);
  }

  /** Score (points, higher = safer) per row. */
  score(ds: Dataset): Float64Array {
    return this.logit(ds).map((z) => logitToScore(this.scaling, z));
  }

  /**
   * Scores one record keyed by column name (values: numbers, numeric strings, category strings; null,
   * undefined, "" and unparsable numbers are missing). Compiled once; safe for the request path.
   */
  scoreRow(record: Readonly<Record<string, unknown>>): RowScore {
    return this.scorer(record);
  }

  /** The compiled single-row scorer itself (a plain function, no `this`). */
  compile(): RowScorer {
    return this.scorer;
  }

  /**
   * Per-characteristic contributions for one record, or for row `i` of a dataset.
   * @throws ValidationError when `i` is out of range or a model column is absent from `ds`.
   */
  explain(row: Readonly<Record<string, unknown>>): Explanation;
  explain(ds: Dataset, i: number): Explanation;
  explain(src: Readonly<Record<string, unknown>> | Dataset, i?: number): Explanation {
    const record = isDataset(src) ? recordOf(src, i ?? -1, this.features) : src;
    let z = this.intercept;
    let score = 0;
    const contributions = this.features.map((f, j): Contribution => {
      const v = record[f.name];
      const b = this.lookups[j].binOf(v);
      const bin = f.binning.bins[b];
      const lc = f.coefficient * bin.woe;
      z += lc;
      score += f.points[b];
      return {
        feature: f.name,
        value: rawValue(v),
        bin: b,
        binLabel: bin.label,
        woe: bin.woe,
        points: f.points[b],
        pointsLostVsBest: Math.max(...f.points) - f.points[b],
        logOddsContribution: lc,
      };
    });
    if (this.features.length === 0) score = logitToScore(this.scaling, z);
    return { baselineLogit: this.intercept, logit: z, pd: sigmoid(z), score, contributions };
  }

  /** One row per (feature, bin) for people to read; points rounded to `decimals` (default 1). */
  pointsTable(decimals = 1): PointsRow[] {
    const m = 10 ** decimals;
    const rows: PointsRow[] = [];
    for (const f of this.features) {
      f.binning.bins.forEach((b, k) => {
        rows.push({
          feature: f.name,
          bin: b.label,
          points: Math.round(f.points[k] * m) / m,
          count: b.count,
          share: f.binning.n > 0 ? b.count / f.binning.n : 0,
          eventRate: b.count > 0 ? b.eventRate : null,
          woe: b.woe,
          iv: b.iv,
        });
      });
    }
    return rows;
  }

  /** The points table as CSV (header: feature,bin,points,count,share,event_rate,woe,iv). */
  toCsv(decimals = 1): string {
    const rows = this.pointsTable(decimals).map((r) => [
      r.feature,
      r.bin,
      r.points,
      r.count,
      r.share.toFixed(4),
      r.eventRate === null ? "" : r.eventRate.toFixed(4),
      r.woe.toFixed(4),
      r.iv.toFixed(4),
    ]);
    return stringify([["feature", "bin", "points", "count", "share", "event_rate", "woe", "iv"], ...rows]);
  }

  /** Serialisable model (NaN event rates of empty bins become null). */
  toJSON(): ScorecardJSON {
    return {
      name: SCORECARD_NAME,
      version: SCORECARD_VERSION,
      params: this.params,
      scaling: this.scaling,
      intercept: this.intercept,
      features: this.features.map((f) => ({
        ...f,
        binning: { ...f.binning, bins: f.binning.bins.map((b) => ({ ...b, eventRate: Number.isNaN(b.eventRate) ? (null as unknown as number) : b.eventRate })) },
      })),
      selection: [...this.selection],
      notes: [...this.notes],
      training: this.training,
    };
  }

  /**
   * Restores a scorecard from {@link toJSON} output (object or JSON text). Points are recomputed from the
   * coefficients, WoE and scaling, so they always agree with the log-odds.
   * @throws AppError (422, "invalid-model") on a wrong name or version, or malformed content.
   */
  static fromJSON(input: unknown): FittedScorecard {
    let obj = input;
    if (typeof input === "string") {
      try {
        obj = JSON.parse(input);
      } catch (e) {
        throw invalid(`not valid JSON (${(e as Error).message})`);
      }
    }
    if (obj === null || typeof obj !== "object") throw invalid(`expected an object, received ${obj === null ? "null" : typeof obj}`);
    const o = obj as Record<string, unknown>;
    if (o.name !== SCORECARD_NAME) throw invalid(`expected name "${SCORECARD_NAME}", received ${JSON.stringify(o.name)}`);
    if (o.version !== SCORECARD_VERSION) throw invalid(`expected version ${SCORECARD_VERSION}, received ${JSON.stringify(o.version)}`);
    const parsed = scorecardSchema.safeParse(obj);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(`malformed content at /${issue.path.map(String).join("/")}: ${issue.message}`);
    }
    const j = parsed.data as unknown as ScorecardJSON;
    const features = j.features.map((f) => {
      const bins = f.binning.bins.map((b) => ({ ...b, eventRate: b.eventRate === null ? NaN : b.eventRate }));
      checkBinning(f.name, { ...f.binning, bins });
      return {
        ...f,
        binning: { ...f.binning, bins },
        points: binPoints(j.scaling, j.intercept, f.coefficient, bins.map((b) => b.woe), j.features.length),
      };
    });
    return new FittedScorecard({ ...j, features });
  }
}

function invalid(detail: string): AppError {
  return new AppError(422, "invalid-model", "Invalid scorecard model", `scorecard JSON: ${detail}`);
}

function checkBinning(name: string, b: BinningResult): void {
  if (b.missingBin < 0 || b.missingBin >= b.bins.length || b.bins[b.missingBin].kind !== "missing") {
    throw invalid(`feature '${name}': missingBin does not point at a missing bin`);
  }
  if (b.type === "categorical" && (b.fallbackBin < 0 || b.fallbackBin >= b.bins.length)) {
    throw invalid(`feature '${name}': fallbackBin out of range`);
  }
  const ranges = b.bins.filter((x) => x.kind === "range");
  if (b.type === "numeric") {
    if (ranges.length === 0) throw invalid(`feature '${name}': numeric binning without range bins`);
    for (let i = 0; i < ranges.length - 1; i++) {
      const u = ranges[i].upper;
      if (typeof u !== "number" || (i > 0 && !(u > (ranges[i - 1].upper as number)))) {
        throw invalid(`feature '${name}': range upper edges must be ascending numbers (bin ${i})`);
      }
    }
  }
}

function isDataset(x: unknown): x is Dataset {
  return typeof x === "object" && x !== null && Array.isArray((x as Dataset).columns) && typeof (x as Dataset).n === "number";
}

function recordOf(ds: Dataset, i: number, features: readonly ScorecardFeature[]): Record<string, unknown> {
  if (!Number.isInteger(i) || i < 0 || i >= ds.n) {
    throw new ValidationError([{ path: "row", expected: `an integer in [0, ${ds.n - 1}]`, received: String(i) }]);
  }
  const rec: Record<string, unknown> = {};
  for (const f of features) {
    const c = ds.columns.find((col) => col.name === f.name);
    if (!c) throw new ValidationError([{ path: `columns/${f.name}`, expected: `a column '${f.name}'`, received: "no such column" }]);
    rec[f.name] = c.values[i];
  }
  return rec;
}

const num = z.number();
const binSchema = z.object({
  kind: z.enum(["range", "special", "missing", "category"]),
  label: z.string(),
  lower: z.number().nullable().optional(),
  upper: z.number().nullable().optional(),
  value: z.number().optional(),
  categories: z.array(z.string()).optional(),
  other: z.boolean().optional(),
  count: num.nonnegative(),
  events: num.nonnegative(),
  eventRate: num.nullable(),
  woe: num,
  iv: num,
});
const binningSchema = z.object({
  feature: z.string(),
  type: z.enum(["numeric", "categorical"]),
  trend: z.enum(["ascending", "descending", "peak", "valley", "none"]),
  bins: z.array(binSchema).min(1),
  missingBin: z.number().int(),
  fallbackBin: z.number().int(),
  iv: num,
  n: num,
  events: num,
  options: z.looseObject({}),
});
const scorecardSchema = z.object({
  name: z.literal(SCORECARD_NAME),
  version: z.literal(SCORECARD_VERSION),
  params: z.looseObject({}),
  scaling: z.object({ basePoints: num, baseOdds: num.positive(), pdo: num.positive(), factor: num, offset: num }),
  intercept: num,
  features: z.array(
    z.object({
      name: z.string().min(1),
      kind: z.enum(["numeric", "categorical"]),
      iv: num,
      coefficient: num,
      binning: binningSchema,
      points: z.array(num).optional(),
    }),
  ),
  selection: z.array(z.looseObject({ feature: z.string(), selected: z.boolean() })),
  notes: z.array(z.string()),
  training: z.object({ n: num, events: num, iterations: num, converged: z.boolean(), logLikelihood: num }),
});
