import { CholeskyDecomposition, Matrix, solve } from "ml-matrix";
import { sigmoid } from "./scaling";

export interface LogisticOptions {
  /**
   * L2 penalty λ on the coefficients (not on the intercept): the fit minimises
   * −Σ wᵢ·loglikᵢ + (λ/2)·‖β‖². Equivalent to scikit-learn `LogisticRegression(C = 1/λ)`. Default 0.
   */
  l2?: number;
  /** Newton iterations at most, default 100. */
  maxIter?: number;
  /** Converged when the largest coefficient change of a step is below tol, default 1e-8. */
  tol?: number;
  /** Non-negative weight per row, default 1. */
  sampleWeight?: ArrayLike<number>;
  /** Fit an (unpenalised) intercept, default true. */
  fitIntercept?: boolean;
}

export interface LogisticFit {
  /** One coefficient per column of X (log-odds of y = 1 per unit). */
  coefficients: Float64Array;
  /** Intercept (0 when fitIntercept is false). */
  intercept: number;
  /** Newton iterations performed. */
  iterations: number;
  converged: boolean;
  /** Σ wᵢ·loglikᵢ at the solution (no penalty), in nats. */
  logLikelihood: number;
  /** The minimised objective −logLikelihood + (λ/2)‖β‖². */
  objective: number;
}

/**
 * Binary logistic regression by Newton–Raphson / iteratively reweighted least squares with optional
 * L2 penalty, step halving when a step would increase the objective, and an SVD fallback for singular
 * Hessians (perfectly collinear columns without a penalty).
 * @param X n×p design matrix without an intercept column.
 * @param y n labels in {0, 1}.
 * @throws RangeError on shape mismatch, labels other than 0/1 or negative weights.
 */
export function fitLogisticIRLS(X: Matrix, y: ArrayLike<number>, opts: LogisticOptions = {}): LogisticFit {
  const n = X.rows;
  const p = X.columns;
  if (y.length !== n) throw new RangeError(`fitLogisticIRLS: X has ${n} rows but y has ${y.length}`);
  const l2 = opts.l2 ?? 0;
  const maxIter = opts.maxIter ?? 100;
  const tol = opts.tol ?? 1e-8;
  const fitIntercept = opts.fitIntercept ?? true;
  const sw = opts.sampleWeight;
  if (sw && sw.length !== n) throw new RangeError(`fitLogisticIRLS: sampleWeight has ${sw.length} entries for ${n} rows`);
  if (!(l2 >= 0)) throw new RangeError(`fitLogisticIRLS: l2 must be >= 0 (received ${l2})`);
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`fitLogisticIRLS: y[${i}] must be 0 or 1 (received ${y[i]})`);
    if (sw && !(sw[i] >= 0)) throw new RangeError(`fitLogisticIRLS: sampleWeight[${i}] must be >= 0 (received ${sw[i]})`);
  }
  // Flat row-major copy with the intercept as column 0: the inner loops below are the whole cost.
  const q = p + (fitIntercept ? 1 : 0);
  const off = fitIntercept ? 1 : 0;
  const A = new Float64Array(n * q);
  for (let i = 0; i < n; i++) {
    if (fitIntercept) A[i * q] = 1;
    for (let j = 0; j < p; j++) A[i * q + j + off] = X.get(i, j);
  }
  const w = (i: number) => (sw ? sw[i] : 1);
  const beta = new Float64Array(q);
  if (fitIntercept) {
    // Start at the base rate so the first step is already small.
    let sy = 0;
    let s = 0;
    for (let i = 0; i < n; i++) {
      sy += w(i) * y[i];
      s += w(i);
    }
    const r = Math.min(1 - 1e-6, Math.max(1e-6, sy / s));
    beta[0] = Math.log(r / (1 - r));
  }
  const eta = new Float64Array(n);
  const evalObjective = (b: Float64Array): { ll: number; obj: number } => {
    let ll = 0;
    for (let i = 0; i < n; i++) {
      let z = 0;
      const row = i * q;
      for (let j = 0; j < q; j++) z += A[row + j] * b[j];
      eta[i] = z;
      // log(1 + e^z) computed stably.
      const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      ll += w(i) * (y[i] * z - softplus);
    }
    let pen = 0;
    for (let j = off; j < q; j++) pen += b[j] * b[j];
    return { ll, obj: -ll + 0.5 * l2 * pen };
  };
  let cur = evalObjective(beta);
  let converged = false;
  let iter = 0;
  const H = new Float64Array(q * q);
  const g = new Float64Array(q);
  for (iter = 1; iter <= maxIter; iter++) {
    H.fill(0);
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const mu = sigmoid(eta[i]);
      const wi = w(i);
      const r = wi * (y[i] - mu);
      const v = wi * mu * (1 - mu);
      const row = i * q;
      for (let a = 0; a < q; a++) {
        const xa = A[row + a];
        g[a] += xa * r;
        const vx = v * xa;
        for (let b = 0; b <= a; b++) H[a * q + b] += vx * A[row + b];
      }
    }
    for (let a = 0; a < q; a++) for (let b = 0; b < a; b++) H[b * q + a] = H[a * q + b];
    for (let j = off; j < q; j++) {
      g[j] -= l2 * beta[j];
      H[j * q + j] += l2;
    }
    const delta = newtonStep(H, g, q);
    let t = 1;
    let next = beta.slice();
    let cand = cur;
    for (let half = 0; half < 30; half++) {
      for (let j = 0; j < q; j++) next[j] = beta[j] + t * delta[j];
      cand = evalObjective(next);
      if (cand.obj <= cur.obj + 1e-12 * Math.abs(cur.obj)) break;
      t /= 2;
    }
    let maxChange = 0;
    for (let j = 0; j < q; j++) maxChange = Math.max(maxChange, Math.abs(next[j] - beta[j]));
    beta.set(next);
    cur = cand;
    if (maxChange < tol) {
      converged = true;
      break;
    }
  }
  // eta is left at the last evaluated candidate, which is the accepted beta.
  return {
    coefficients: beta.slice(off),
    intercept: fitIntercept ? beta[0] : 0,
    iterations: Math.min(iter, maxIter),
    converged,
    logLikelihood: cur.ll,
    objective: cur.obj,
  };
}

function newtonStep(H: Float64Array, g: Float64Array, q: number): Float64Array {
  const Hm = new Matrix(q, q);
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) Hm.set(a, b, H[a * q + b]);
  const gm = Matrix.columnVector(Array.from(g));
  const chol = new CholeskyDecomposition(Hm);
  const sol = chol.isPositiveDefinite() ? chol.solve(gm) : solve(Hm, gm, true);
  const out = new Float64Array(q);
  for (let j = 0; j < q; j++) out[j] = sol.get(j, 0);
  return out;
}

/** Linear predictor intercept + Σ βⱼ·xᵢⱼ for every row of X. */
export function linearPredictor(X: Matrix, fit: Pick<LogisticFit, "coefficients" | "intercept">): Float64Array {
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let z = fit.intercept;
    for (let j = 0; j < X.columns; j++) z += X.get(i, j) * fit.coefficients[j];
    out[i] = z;
  }
  return out;
}
