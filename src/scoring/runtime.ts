import type { CalibratorSpec, DenseSpec, GbdtSpec, LinearSpec, MlpInputSpec, MlpSpec, ModelSpec } from "./spec";
import { compileBinning } from "../numeric";
import { shapScratch, treeDepth, treeExpectedValue, treeShap } from "./treeshap";
import { compileBatchDense, compileBinnedForest, type EncodedColumns } from "./batch";

/**
 * Compiled inference: a {@link ModelSpec} turned into closures over preallocated typed arrays, so one
 * prediction is plain arithmetic with no allocation beyond its result. Used by the REST scoring path and by
 * training (to evaluate exactly what will be served).
 */

/** One feature's attribution in log-odds. */
export interface Contribution {
  feature: string;
  value: number | string | null;
  contribution: number;
}

/** Explanation of one prediction. */
export interface Explanation {
  pd: number;
  /** Points: 600 at 50:1 good:bad odds, 20 points to double the odds (or the spec's scaling). */
  score: number;
  /** Final log-odds of default (after calibration). */
  logit: number;
  /** Log-odds of the baseline (expected) prediction; Σ contributions = logit − baseLogit. */
  baseLogit: number;
  contributions: Contribution[];
}

/** Options of `explain`. */
export interface ExplainOptions {
  /**
   * Tree attribution method: "treeshap" (default) gives exact Shapley values (Lundberg's path algorithm,
   * O(leaves · depth²) per tree); "path" gives the path attributions of Saabas (each split credits its
   * feature with the change of the subtree's expected value, O(depth) per tree) — also exactly additive,
   * roughly 20× cheaper, but not Shapley-consistent. MLP integrated gradients use 8 steps with "path".
   */
  method?: "treeshap" | "path";
}

/**
 * A batch of raw feature values by column, keyed by feature name: a Float64Array (NaN = missing) or an array
 * of raw values (numbers, numeric strings, category levels, null/undefined = missing) per feature. A feature
 * without a column is missing in every row.
 */
export type FeatureColumns = Readonly<Record<string, Float64Array | ArrayLike<unknown> | undefined>>;

/** Compiled model. */
export interface CompiledModel {
  /** PD of one record keyed by feature name (missing/unknown keys are missing). */
  predict(record: Record<string, unknown>): number;
  /**
   * PDs of `n` rows given by column, bitwise equal to `predict` on the same values: inputs are encoded once
   * per column, tree ensembles walk a pre-binned matrix tree by tree, the MLP runs over blocks of rows, and
   * blend and calibration are applied over the whole column. Non-numeric values of a numeric feature other
   * than strings are missing (as in `predict`), except that the scorecard component bins booleans and
   * bigints by `binOf` in `predict`: pass such values through `predict` (ScoringModel.predictBatch does).
   * @param n row count (every given column must have at least n entries).
   */
  predictColumns(columns: FeatureColumns, n: number): Float64Array;
  /** Blended margin before calibration. */
  margin(record: Record<string, unknown>): number;
  /** PD from a blended margin. */
  calibrate(margin: number): number;
  /** Margin of every component for a record (for diagnostics). */
  componentMargins(record: Record<string, unknown>): Record<string, number>;
  explain(record: Record<string, unknown>, opts?: ExplainOptions): Explanation;
  /** Score from a PD with the spec's scaling. */
  scoreOf(pd: number): number;
  /**
   * Reference value of each numeric input in its own unit: the training median the spec stores as the
   * attribution baseline (`ModelSpec.baseline`); inputs whose baseline is null are absent.
   */
  reference: Readonly<Record<string, number>>;
}

const clampP = (p: number) => Math.min(Math.max(p, 1e-9), 1 - 1e-9);
const logitOf = (p: number) => Math.log(clampP(p) / (1 - clampP(p)));

/** Maps a blended margin to a PD. */
export function applyCalibrator(c: CalibratorSpec, m: number): number {
  if (c.type === "none") return 1 / (1 + Math.exp(-m));
  if (c.type === "platt") return 1 / (1 + Math.exp(-(c.a * m + c.b)));
  // Isotonic: monotone piecewise-linear through the block means, flat outside.
  const { x, y } = c;
  if (m <= x[0]) return clampP(y[0]);
  const last = x.length - 1;
  if (m >= x[last]) return clampP(y[last]);
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= m) lo = mid;
    else hi = mid;
  }
  const t = (m - x[lo]) / (x[hi] - x[lo] || 1);
  return clampP(y[lo] + t * (y[hi] - y[lo]));
}

interface FlatForest {
  base: number;
  feature: Int32Array;
  threshold: Float64Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  /** Cover-weighted mean leaf value of each node's subtree. */
  mean: Float64Array;
  roots: Int32Array;
}

function flatten(spec: GbdtSpec): FlatForest {
  let total = 0;
  for (const t of spec.trees) total += t.feature.length;
  const f: FlatForest = {
    base: spec.baseScore,
    feature: new Int32Array(total),
    threshold: new Float64Array(total),
    missingLeft: new Uint8Array(total),
    left: new Int32Array(total),
    right: new Int32Array(total),
    value: new Float64Array(total),
    mean: new Float64Array(total),
    roots: new Int32Array(spec.trees.length),
  };
  let o = 0;
  spec.trees.forEach((t, ti) => {
    f.roots[ti] = o;
    for (let k = 0; k < t.feature.length; k++) {
      f.feature[o + k] = t.feature[k];
      f.threshold[o + k] = t.threshold[k];
      f.missingLeft[o + k] = t.missingLeft[k];
      f.left[o + k] = t.left[k] + o;
      f.right[o + k] = t.right[k] + o;
      f.value[o + k] = t.value[k];
    }
    const meanOf = (k: number): number => {
      const v = t.feature[k] < 0 ? t.value[k] : (t.cover[t.left[k]] * meanOf(t.left[k]) + t.cover[t.right[k]] * meanOf(t.right[k])) / (t.cover[t.left[k]] + t.cover[t.right[k]]);
      f.mean[o + k] = v;
      return v;
    };
    meanOf(0);
    o += t.feature.length;
  });
  return f;
}

/** Saabas path attributions of the forest at `x`, times `scale`, added to `phi`. */
function forestPathAttributions(f: FlatForest, x: Float64Array, phi: Float64Array, scale: number): void {
  const { feature, threshold, missingLeft, left, right, mean, roots } = f;
  for (let t = 0; t < roots.length; t++) {
    let k = roots[t];
    let j = feature[k];
    while (j >= 0) {
      const v = x[j];
      const next = (v !== v ? missingLeft[k] === 1 : v <= threshold[k]) ? left[k] : right[k];
      phi[j] += (mean[next] - mean[k]) * scale;
      k = next;
      j = feature[k];
    }
  }
}

function forestMargin(f: FlatForest, x: Float64Array): number {
  let s = f.base;
  const { feature, threshold, missingLeft, left, right, value, roots } = f;
  for (let t = 0; t < roots.length; t++) {
    let k = roots[t];
    let j = feature[k];
    while (j >= 0) {
      const v = x[j];
      k = (v !== v ? missingLeft[k] === 1 : v <= threshold[k]) ? left[k] : right[k];
      j = feature[k];
    }
    s += value[k];
  }
  return s;
}

/** Compiled MLP: input transform + dense layers, with gradient for integrated gradients. */
interface CompiledMlp {
  /** Column count of the transformed input. */
  width: number;
  /** For each transformed column, the encoded input it comes from. */
  owner: Int32Array;
  transform(x: Float64Array, cats: (string | null)[], z: Float64Array): void;
  forward(z: Float64Array): number;
  /** Output and gradient d out / d z into `grad`. */
  gradient(z: Float64Array, grad: Float64Array): number;
  baseline: Float64Array;
}

const SQRT12 = Math.sqrt(12);

/** Standardised uniform score of `v` on ascending quantile knots (piecewise linear), in [-√3, √3]. */
export function quantileScore(knots: ArrayLike<number>, v: number): number {
  const n = knots.length;
  if (n < 2) return 0;
  if (v <= knots[0]) return -SQRT12 / 2;
  if (v >= knots[n - 1]) return SQRT12 / 2;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (knots[mid] <= v) lo = mid;
    else hi = mid;
  }
  // Ties in knots (point masses): take the middle of the tied run so a repeated value maps to its mid-rank.
  let a = lo;
  while (a > 0 && knots[a - 1] === knots[lo]) a--;
  const span = knots[hi] - knots[lo];
  const u = span > 0 && v > knots[lo] ? lo + (v - knots[lo]) / span : (a + lo) / 2;
  return (u / (n - 1) - 0.5) * SQRT12;
}

/** The MLP's input transform: encoded inputs (+ raw categorical levels) to the network's input columns. */
export interface MlpTransform {
  width: number;
  /** For each network input column, the encoded input it comes from. */
  owner: Int32Array;
  transform(x: ArrayLike<number>, cats: ArrayLike<string | null>, z: Float64Array): void;
}

/** Builds the input transform of an MLP spec (shared by training and serving so both see the same inputs). */
export function mlpTransform(inputs: MlpInputSpec[]): MlpTransform {
  const owners: number[] = [];
  inputs.forEach((inp, j) => {
    owners.push(j);
    if (inp.missingIndicator) owners.push(j);
    for (let k = 0; k < (inp.oneHot?.length ?? 0); k++) owners.push(j);
  });
  const knots = inputs.map((i) => Float64Array.from(i.knots));
  const oneHotIndex = inputs.map((i) => new Map((i.oneHot ?? []).map((lvl, k) => [lvl, k])));
  return {
    width: owners.length,
    owner: Int32Array.from(owners),
    transform(x, cats, z) {
      let c = 0;
      for (let j = 0; j < inputs.length; j++) {
        const inp = inputs[j];
        const v = x[j];
        const miss = v !== v;
        z[c++] = miss ? 0 : quantileScore(knots[j], v);
        if (inp.missingIndicator) z[c++] = miss ? 1 : 0;
        const oh = inp.oneHot;
        if (oh) {
          for (let k = 0; k < oh.length; k++) z[c + k] = 0;
          const lvl = cats[j];
          if (lvl !== null) {
            const k = oneHotIndex[j].get(lvl);
            if (k !== undefined) z[c + k] = 1;
          }
          c += oh.length;
        }
      }
    },
  };
}

function compileMlp(spec: MlpSpec): CompiledMlp {
  const tr = mlpTransform(spec.inputs);
  const width = tr.width;
  const layers = spec.layers.map((l: DenseSpec) => ({
    w: l.w.map((r) => Float64Array.from(r)),
    b: Float64Array.from(l.b),
    act: l.activation,
    out: new Float64Array(l.b.length),
    pre: new Float64Array(l.b.length),
  }));
  if (layers.length === 0 || layers[0].w[0]?.length !== width) {
    throw new Error(`MLP input width ${layers[0]?.w[0]?.length} does not match the input spec width ${width}`);
  }
  const act = (a: string, v: number) => (a === "relu" ? (v > 0 ? v : 0) : a === "tanh" ? Math.tanh(v) : v);
  const forward = (z: Float64Array): number => {
    let inp: Float64Array = z;
    for (const L of layers) {
      for (let o = 0; o < L.b.length; o++) {
        const row = L.w[o];
        let s = L.b[o];
        for (let i = 0; i < row.length; i++) s += row[i] * inp[i];
        L.pre[o] = s;
        L.out[o] = act(L.act, s);
      }
      inp = L.out;
    }
    return inp[0];
  };
  const maxWidth = Math.max(width, ...layers.map((l) => l.b.length));
  const d1 = new Float64Array(maxWidth);
  const d2 = new Float64Array(maxWidth);
  return {
    width,
    owner: tr.owner,
    baseline: new Float64Array(width),
    transform: tr.transform,
    forward,
    gradient(z, grad) {
      const out = forward(z);
      // Backpropagate d out / d activations from the last layer.
      let delta = d1;
      let next = d2;
      delta[0] = 1;
      for (let li = layers.length - 1; li >= 0; li--) {
        const L = layers[li];
        const nIn = L.w[0].length;
        for (let o = 0; o < L.b.length; o++) {
          const dAct = L.act === "relu" ? (L.pre[o] > 0 ? 1 : 0) : L.act === "tanh" ? 1 - L.out[o] * L.out[o] : 1;
          delta[o] *= dAct;
        }
        for (let i = 0; i < nIn; i++) {
          let s = 0;
          for (let o = 0; o < L.b.length; o++) s += L.w[o][i] * delta[o];
          next[i] = s;
        }
        const t = delta;
        delta = next;
        next = t;
      }
      for (let i = 0; i < width; i++) grad[i] = delta[i];
      return out;
    },
  };
}

/**
 * Compiles a model spec. Encoded inputs: numeric values as numbers (NaN = missing); categorical levels as
 * their weight of evidence (NaN = missing, `unknown` for unseen levels).
 * @throws Error when the spec is internally inconsistent (caught and reported by the loader).
 */
export function compileModel(spec: ModelSpec): CompiledModel {
  const nIn = spec.inputs.length;
  const names = spec.inputs.map((i) => i.name);
  const isCat = spec.inputs.map((i) => i.kind === "categorical");
  const levelMaps = spec.inputs.map((i) => new Map(Object.entries(i.levels ?? {})));
  const unknown = spec.inputs.map((i) => i.unknown ?? 0);
  const x = new Float64Array(nIn);
  const cats: (string | null)[] = new Array(nIn).fill(null);

  let cur: Record<string, unknown> = {};
  const encode = (rec: Record<string, unknown>) => {
    cur = rec;
    for (let j = 0; j < nIn; j++) {
      const v = rec[names[j]];
      if (isCat[j]) {
        const s = v === null || v === undefined || v === "" ? null : typeof v === "string" ? v.trim() : String(v);
        cats[j] = s;
        if (s === null || s === "") x[j] = NaN;
        else {
          const w = levelMaps[j].get(s);
          x[j] = w === undefined ? unknown[j] : w;
        }
      } else {
        x[j] = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
        if (!Number.isFinite(x[j])) x[j] = NaN;
      }
    }
  };

  interface Part {
    name: string;
    weight: number;
    margin: () => number;
    /** Adds weight × attributions (summing to margin − expected) into phi. */
    attribute: (phi: Float64Array, fast: boolean) => void;
    expected: number;
    /** Margin of each of `n` rows of an encoded batch into `out`. */
    marginColumns: (b: Batch, n: number, out: Float64Array) => void;
  }
  /** An encoded batch: encoded values, trimmed levels (categorical inputs) and the raw columns. */
  interface Batch {
    x: EncodedColumns;
    cats: ((string | null)[] | null)[];
    raw: (ArrayLike<unknown> | null)[];
  }
  const parts: Part[] = [];
  for (const [name, comp] of Object.entries(spec.components)) {
    const weight = spec.blend.weights[name] ?? 0;
    if (weight === 0) continue;
    if (comp.type === "gbdt") {
      const f = flatten(comp);
      const depth = Math.max(0, ...comp.trees.map(treeDepth));
      const scratch = shapScratch(depth);
      const expected = comp.baseScore + comp.trees.reduce((s, t) => s + treeExpectedValue(t), 0);
      const binned = compileBinnedForest(comp);
      parts.push({
        name,
        weight,
        expected,
        margin: () => forestMargin(f, x),
        marginColumns: (b, n, out) => binned.margins(b.x, n, out),
        attribute: (phi, fast) => {
          if (fast) forestPathAttributions(f, x, phi, weight);
          else for (const t of comp.trees) treeShap(t, x, phi, scratch, weight);
        },
      });
    } else if (comp.type === "linear") {
      const lin = comp as LinearSpec;
      const base = spec.baseline.map((b, j) => (b === null ? lin.fill[j] : b));
      const val = (j: number) => (x[j] !== x[j] ? lin.fill[j] : x[j]);
      parts.push({
        name,
        weight,
        expected: lin.intercept + lin.coef.reduce((s, c, j) => s + c * base[j], 0),
        margin: () => {
          let s = lin.intercept;
          for (let j = 0; j < nIn; j++) s += lin.coef[j] * val(j);
          return s;
        },
        marginColumns: (b, n, out) => {
          out.fill(lin.intercept, 0, n);
          for (let j = 0; j < nIn; j++) {
            const col = b.x[j];
            const c = lin.coef[j];
            const fill = lin.fill[j];
            for (let i = 0; i < n; i++) {
              const v = col[i];
              out[i] += c * (v !== v ? fill : v);
            }
          }
        },
        attribute: (phi) => {
          for (let j = 0; j < nIn; j++) phi[j] += weight * lin.coef[j] * (val(j) - base[j]);
        },
      });
    } else if (comp.type === "mlp") {
      const m = compileMlp(comp);
      const z = new Float64Array(m.width);
      const zi = new Float64Array(m.width);
      const grad = new Float64Array(m.width);
      const acc = new Float64Array(m.width);
      const baseline = Float64Array.from(comp.baseline);
      const expected = m.forward(baseline);
      const dense = compileBatchDense(comp.layers, m.width);
      const BLOCK = 256;
      const zb = new Float64Array(BLOCK * m.width);
      const xr = new Float64Array(nIn);
      const cr: (string | null)[] = new Array(nIn).fill(null);
      const ob = new Float64Array(BLOCK);
      parts.push({
        name,
        weight,
        expected,
        margin: () => {
          m.transform(x, cats, z);
          return m.forward(z);
        },
        marginColumns: (b, n, out) => {
          for (let start = 0; start < n; start += BLOCK) {
            const rows = Math.min(BLOCK, n - start);
            for (let r = 0; r < rows; r++) {
              const i = start + r;
              for (let j = 0; j < nIn; j++) {
                xr[j] = b.x[j][i];
                const cc = b.cats[j];
                cr[j] = cc === null ? null : cc[i];
              }
              m.transform(xr, cr, z);
              zb.set(z, r * m.width);
            }
            dense.forward(zb, rows, ob);
            out.set(ob.subarray(0, rows), start);
          }
        },
        attribute: (phi, fast) => {
          const steps = fast ? 8 : 24;
          // Integrated gradients from the baseline (midpoint rule), rescaled so the sum is exact.
          m.transform(x, cats, z);
          const target = m.forward(z) - expected;
          acc.fill(0);
          for (let s = 0; s < steps; s++) {
            const a = (s + 0.5) / steps;
            for (let i = 0; i < m.width; i++) zi[i] = baseline[i] + a * (z[i] - baseline[i]);
            m.gradient(zi, grad);
            for (let i = 0; i < m.width; i++) acc[i] += grad[i];
          }
          let sum = 0;
          for (let i = 0; i < m.width; i++) {
            acc[i] = ((z[i] - baseline[i]) * acc[i]) / steps;
            sum += acc[i];
          }
          const fix = Math.abs(sum) > 1e-12 ? target / sum : 0;
          for (let i = 0; i < m.width; i++) phi[m.owner[i]] += weight * (fix !== 0 ? acc[i] * fix : 0);
          if (fix === 0 && Math.abs(target) > 1e-12) {
            // Degenerate path (all gradients cancel): spread the difference evenly over changed inputs.
            for (let j = 0; j < nIn; j++) phi[j] += (weight * target) / nIn;
          }
        },
      });
    } else if (comp.type === "scorecard") {
      const lookups = comp.features.map((f) => compileBinning(f.binning));
      const contrib = comp.features.map((f) => Float64Array.from(f.contrib));
      const index = comp.features.map((f) => {
        const j = names.indexOf(f.name);
        if (j < 0) throw new Error(`scorecard feature '${f.name}' is not a model input`);
        return j;
      });
      const k = comp.features.length;
      const fnames = comp.features.map((f) => f.name);
      parts.push({
        name,
        weight,
        // The scorecard's own baseline: every characteristic at WoE 0 (the population's evidence).
        expected: comp.intercept,
        margin: () => {
          let s = comp.intercept;
          for (let q = 0; q < k; q++) s += contrib[q][lookups[q].binOf(cur[fnames[q]])];
          return s;
        },
        marginColumns: (b, n, out) => {
          out.fill(comp.intercept, 0, n);
          for (let q = 0; q < k; q++) {
            const c = contrib[q];
            const lk = lookups[q];
            const raw = b.raw[index[q]];
            if (raw === null) {
              const miss = c[lk.binOf(undefined)];
              for (let i = 0; i < n; i++) out[i] += miss;
            } else if (raw instanceof Float64Array && comp.features[q].binning.type === "numeric") {
              for (let i = 0; i < n; i++) out[i] += c[lk.binOfNumber(raw[i])];
            } else {
              for (let i = 0; i < n; i++) out[i] += c[lk.binOf(raw[i])];
            }
          }
        },
        attribute: (phi) => {
          for (let q = 0; q < k; q++) phi[index[q]] += weight * contrib[q][lookups[q].binOf(cur[fnames[q]])];
        },
      });
    }
  }
  const bias = spec.blend.bias;
  const baseMargin = bias + parts.reduce((s, p) => s + p.weight * p.expected, 0);
  const cal = spec.calibrator;
  const { base: scBase, baseOdds, pdo } = spec.scaling;
  const factor = pdo / Math.LN2;
  const phi = new Float64Array(nIn);
  const reference: Record<string, number> = {};
  spec.inputs.forEach((inp, j) => {
    const b = spec.baseline?.[j];
    if (inp.kind === "numeric" && typeof b === "number" && Number.isFinite(b)) reference[inp.name] = b;
  });

  const marginNow = (): number => {
    let s = bias;
    for (const p of parts) s += p.weight * p.margin();
    return s;
  };
  const scoreOf = (pd: number) => scBase + factor * (Math.log((1 - clampP(pd)) / clampP(pd)) - Math.log(baseOdds));

  let partBuf = new Float64Array(0);
  const predictColumns = (columns: FeatureColumns, n: number): Float64Array => {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`row count must be a non-negative integer, got ${n}`);
    const b: Batch = { x: [], cats: [], raw: [] };
    const xs: Float64Array[] = [];
    for (let j = 0; j < nIn; j++) {
      const col = columns[names[j]];
      if (col !== undefined && col !== null && col.length < n) {
        throw new RangeError(`column '${names[j]}' has ${col.length} values, expected at least ${n}`);
      }
      const enc = new Float64Array(n);
      if (col === undefined || col === null) {
        enc.fill(NaN);
        b.cats.push(isCat[j] ? new Array<string | null>(n).fill(null) : null);
        b.raw.push(null);
      } else if (isCat[j]) {
        const lv = levelMaps[j];
        const unk = unknown[j];
        const cs = new Array<string | null>(n);
        // Same rules as the single-row encoder: trimmed level, "" and null/undefined are missing.
        for (let i = 0; i < n; i++) {
          const v = col[i];
          const s = v === null || v === undefined || v === "" ? null : typeof v === "string" ? v.trim() : String(v);
          cs[i] = s;
          if (s === null || s === "") enc[i] = NaN;
          else {
            const w = lv.get(s);
            enc[i] = w === undefined ? unk : w;
          }
        }
        b.cats.push(cs);
        b.raw.push(col);
      } else {
        if (col instanceof Float64Array) {
          for (let i = 0; i < n; i++) {
            const v = col[i];
            enc[i] = v - v === 0 ? v : NaN;
          }
        } else {
          for (let i = 0; i < n; i++) {
            const v = col[i];
            const num = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
            enc[i] = Number.isFinite(num) ? num : NaN;
          }
        }
        b.cats.push(null);
        b.raw.push(col);
      }
      xs.push(enc);
    }
    b.x = xs;
    const out = new Float64Array(n);
    out.fill(bias);
    if (partBuf.length < n) partBuf = new Float64Array(n);
    const pm = partBuf;
    for (const p of parts) {
      p.marginColumns(b, n, pm);
      const w = p.weight;
      for (let i = 0; i < n; i++) out[i] += w * pm[i];
    }
    for (let i = 0; i < n; i++) out[i] = applyCalibrator(cal, out[i]);
    return out;
  };

  return {
    predict(rec) {
      encode(rec);
      return applyCalibrator(cal, marginNow());
    },
    predictColumns,
    margin(rec) {
      encode(rec);
      return marginNow();
    },
    calibrate: (m) => applyCalibrator(cal, m),
    componentMargins(rec) {
      encode(rec);
      const out: Record<string, number> = {};
      for (const p of parts) out[p.name] = p.margin();
      return out;
    },
    scoreOf,
    reference: Object.freeze(reference),
    explain(rec, opts) {
      const fast = opts?.method === "path";
      encode(rec);
      const m = marginNow();
      const pd = applyCalibrator(cal, m);
      const logit = logitOf(pd);
      const baseLogit = logitOf(applyCalibrator(cal, baseMargin));
      phi.fill(0);
      for (const p of parts) p.attribute(phi, fast);
      // Attributions are exact in margin space; map them to the calibrated log-odds by the ratio of the
      // two differences (exact for Platt scaling, a proportional share for isotonic).
      const dm = m - baseMargin;
      const ratio = Math.abs(dm) > 1e-12 ? (logit - baseLogit) / dm : 0;
      const contributions: Contribution[] = [];
      for (let j = 0; j < nIn; j++) {
        const raw = rec[names[j]];
        const value = isCat[j] ? cats[j] : Number.isNaN(x[j]) ? null : x[j];
        contributions.push({ feature: names[j], value: raw === undefined ? null : value, contribution: phi[j] * ratio });
      }
      if (ratio === 0 && Math.abs(logit - baseLogit) > 1e-12) {
        for (const c of contributions) c.contribution = (logit - baseLogit) / nIn;
      }
      contributions.sort((a, b) => b.contribution - a.contribution);
      return { pd, score: scoreOf(pd), logit, baseLogit, contributions };
    },
  };
}
