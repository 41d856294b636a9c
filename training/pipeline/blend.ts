import { auc } from "../../src/numeric";

/**
 * Blending of candidate margins: a grid over convex weights of the standardised validation margins,
 * scored by validation AUC. A grid of a few weights barely overfits the validation rows, unlike an
 * unconstrained stacker, and keeps the blend a readable weighted sum.
 */

/** Result of {@link fitBlend}: weights apply to the raw margins (standardisation folded in). */
export interface BlendFit {
  weights: Record<string, number>;
  bias: number;
  validAuc: number;
}

/**
 * Finds convex weights (step `step`) over the candidates' validation margins that maximise AUC.
 * Margins are standardised first so the weights are comparable; the returned weights and bias apply to
 * the raw margins and give the blended standardised margin.
 * @throws RangeError when no candidates are given.
 */
export function fitBlend(margins: Record<string, ArrayLike<number>>, y: ArrayLike<number>, step = 0.05): BlendFit {
  const names = Object.keys(margins);
  if (names.length === 0) throw new RangeError("fitBlend: no candidates");
  const n = y.length;
  const stats = names.map((k) => {
    const v = margins[k];
    let s = 0, ss = 0;
    for (let i = 0; i < n; i++) { s += v[i]; ss += v[i] * v[i]; }
    const mean = s / n;
    const sd = Math.sqrt(Math.max(ss / n - mean * mean, 1e-24));
    return { mean, sd };
  });
  const grid: number[][] = [];
  const steps = Math.round(1 / step);
  const rec = (k: number, left: number, acc: number[]) => {
    if (k === names.length - 1) { grid.push([...acc, left / steps]); return; }
    for (let s = 0; s <= left; s++) rec(k + 1, left - s, [...acc, s / steps]);
  };
  rec(0, steps, []);
  const z = new Float64Array(n);
  let best = { w: grid[0], auc: -Infinity };
  for (const w of grid) {
    z.fill(0);
    for (let k = 0; k < names.length; k++) {
      if (w[k] === 0) continue;
      const v = margins[names[k]];
      const { mean, sd } = stats[k];
      for (let i = 0; i < n; i++) z[i] += (w[k] * (v[i] - mean)) / sd;
    }
    const a = auc(y, z);
    // Prefer fewer components on ties (grid order visits corners early only for some; compare strictly).
    if (a > best.auc + 1e-6) best = { w, auc: a };
  }
  const weights: Record<string, number> = {};
  let bias = 0;
  names.forEach((k, i) => {
    weights[k] = best.w[i] / stats[i].sd;
    bias -= (best.w[i] * stats[i].mean) / stats[i].sd;
  });
  return { weights, bias, validAuc: best.auc };
}
