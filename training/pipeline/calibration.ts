import type { CalibratorSpec } from "../../src/scoring";
import { applyCalibrator } from "../../src/scoring";
import { logLoss } from "../../src/numeric";

/**
 * Probability calibration of a margin (log-odds-like score) on validation data: Platt scaling (a logistic
 * regression on the margin) and isotonic regression (pool-adjacent-violators, served as a monotone
 * piecewise-linear map).
 */

/**
 * Platt scaling: fits `pd = sigmoid(a * m + b)` by Newton's method on log loss (with a tiny ridge on `a`
 * so separable data stays finite).
 * @throws RangeError when lengths differ or data is empty.
 */
export function fitPlatt(m: ArrayLike<number>, y: ArrayLike<number>): { type: "platt"; a: number; b: number } {
  const n = m.length;
  if (n === 0 || n !== y.length) throw new RangeError(`fitPlatt: need equal non-empty inputs (received ${n} and ${y.length})`);
  let a = 1;
  let b = 0;
  for (let it = 0; it < 50; it++) {
    let ga = 1e-6 * a, gb = 0, haa = 1e-6, hab = 0, hbb = 0;
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-(a * m[i] + b)));
      const r = p - y[i];
      const w = Math.max(p * (1 - p), 1e-12);
      ga += r * m[i];
      gb += r;
      haa += w * m[i] * m[i];
      hab += w * m[i];
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-300)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { type: "platt", a, b };
}

/**
 * Isotonic regression of y on m (non-decreasing), by pool-adjacent-violators. The returned knots are the
 * block means of m and the block rates, clipped away from 0 and 1.
 */
export function fitIsotonic(m: ArrayLike<number>, y: ArrayLike<number>): { type: "isotonic"; x: number[]; y: number[] } {
  const n = m.length;
  if (n === 0 || n !== y.length) throw new RangeError(`fitIsotonic: need equal non-empty inputs (received ${n} and ${y.length})`);
  const idx = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[i] - m[j]);
  const bx: number[] = [];
  const by: number[] = [];
  const bw: number[] = [];
  for (const i of idx) {
    bx.push(m[i]);
    by.push(y[i]);
    bw.push(1);
    while (by.length > 1 && by[by.length - 2] >= by[by.length - 1]) {
      const w = bw[bw.length - 2] + bw[bw.length - 1];
      const yy = (by[by.length - 2] * bw[bw.length - 2] + by[by.length - 1] * bw[bw.length - 1]) / w;
      const xx = (bx[bx.length - 2] * bw[bw.length - 2] + bx[bx.length - 1] * bw[bw.length - 1]) / w;
      bx.pop(); by.pop(); bw.pop();
      bx[bx.length - 1] = xx;
      by[by.length - 1] = yy;
      bw[bw.length - 1] = w;
    }
  }
  const eps = 1e-4;
  return { type: "isotonic", x: bx, y: by.map((v) => Math.min(Math.max(v, eps), 1 - eps)) };
}

/**
 * Chooses Platt or isotonic by 2-fold cross-validated log loss on the validation rows (so the choice is
 * not made on the rows each was fitted on), then refits the winner on all of them.
 * Isotonic needs enough events to be stable; below 200 rows of either class Platt is used.
 */
export function fitCalibrator(m: ArrayLike<number>, y: ArrayLike<number>): { spec: CalibratorSpec; cvLogLoss: { platt: number; isotonic: number } } {
  const n = m.length;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i];
  const folds = [0, 1].map((f) => Array.from({ length: n }, (_, i) => i).filter((i) => i % 2 === f));
  const pick = (a: ArrayLike<number>, ix: number[]) => ix.map((i) => a[i]);
  const cv = (fit: (m: number[], y: number[]) => CalibratorSpec) => {
    let loss = 0;
    for (let f = 0; f < 2; f++) {
      const tr = folds[1 - f];
      const te = folds[f];
      const c = fit(pick(m, tr), pick(y, tr));
      loss += logLoss(pick(y, te), te.map((i) => applyCalibrator(c, m[i]))) * te.length;
    }
    return loss / n;
  };
  const platt = cv(fitPlatt);
  const enough = pos >= 200 && n - pos >= 200;
  const isotonic = enough ? cv(fitIsotonic) : Infinity;
  const spec = isotonic < platt - 1e-4 ? fitIsotonic(m, y) : fitPlatt(m, y);
  return { spec, cvLogLoss: { platt, isotonic } };
}
