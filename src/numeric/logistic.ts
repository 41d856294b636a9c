import { CholeskyDecomposition, Matrix, solve } from "ml-matrix";

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
  const cols: Float64Array[] = [];
  for (let j = 0; j < X.columns; j++) cols.push(new Float64Array(X.rows));
  // get() per cell is several times faster than getColumn(), which builds boxed arrays.
  for (let i = 0; i < X.rows; i++) for (let j = 0; j < X.columns; j++) cols[j][i] = X.get(i, j);
  return fitLogisticColumns(cols, y, opts, X.rows);
}

/**
 * The same fit as {@link fitLogisticIRLS} on a column-major design (one Float64Array per feature), which
 * is how the scorecard holds its WoE columns; no matrix is built.
 * @param rows row count, needed only when `cols` is empty (intercept-only model).
 * @throws RangeError on shape mismatch, labels other than 0/1 or negative weights.
 */
export function fitLogisticColumns(cols: readonly Float64Array[], y: ArrayLike<number>, opts: LogisticOptions = {}, rows?: number): LogisticFit {
  const n = cols.length ? cols[0].length : rows ?? y.length;
  const p = cols.length;
  for (let j = 0; j < p; j++) if (cols[j].length !== n) throw new RangeError(`fitLogisticColumns: column ${j} has ${cols[j].length} rows, expected ${n}`);
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
  // Column 0 is the intercept when fitted; column-major so every inner loop is a contiguous dot product.
  const A: Float64Array[] = fitIntercept ? [new Float64Array(n).fill(1), ...cols] : [...cols];
  const q = A.length;
  const off = fitIntercept ? 1 : 0;
  const wt = new Float64Array(n);
  for (let i = 0; i < n; i++) wt[i] = sw ? sw[i] : 1;
  const yy = Float64Array.from(y as ArrayLike<number>);
  const beta = new Float64Array(q);
  if (fitIntercept) {
    // Start at the base rate so the first step is already small.
    let sy = 0;
    let s = 0;
    for (let i = 0; i < n; i++) {
      sy += wt[i] * yy[i];
      s += wt[i];
    }
    const r = Math.min(1 - 1e-6, Math.max(1e-6, sy / s));
    beta[0] = Math.log(r / (1 - r));
  }
  const eta = new Float64Array(n);
  const work = new Float64Array(n);
  const evalObjective = (b: Float64Array) => objective(A, n, off, b, yy, wt, eta, l2);
  let cur = evalObjective(beta);
  let converged = false;
  let iter = 0;
  const H = new Float64Array(q * q);
  const g = new Float64Array(q);
  for (iter = 1; iter <= maxIter; iter++) {
    gradHess(A, n, eta, yy, wt, H, g, work);
    for (let j = off; j < q; j++) {
      g[j] -= l2 * beta[j];
      H[j * q + j] += l2;
    }
    const delta = newtonStep(H, g, q);
    let t = 1;
    const next = beta.slice();
    let cand = cur;
    // Rounding makes the objective noisy at the optimum: accept a full step that does not increase it
    // beyond that noise, and halve only a step that really overshoots.
    for (let half = 0; half < 30; half++) {
      for (let j = 0; j < q; j++) next[j] = beta[j] + t * delta[j];
      cand = evalObjective(next);
      if (cand.obj <= cur.obj + 1e-10 * Math.abs(cur.obj) + 1e-12) break;
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

// The hot loops live in closure-free functions over contiguous columns so V8 keeps accumulators in registers.
function objective(A: Float64Array[], n: number, off: number, b: Float64Array, y: Float64Array, wt: Float64Array, eta: Float64Array, l2: number): { ll: number; obj: number } {
  eta.fill(0);
  for (let j = 0; j < A.length; j++) {
    const c = A[j];
    const bj = b[j];
    if (bj === 0) continue;
    for (let i = 0; i < n; i++) eta[i] += bj * c[i];
  }
  let ll = 0;
  for (let i = 0; i < n; i++) {
    const z = eta[i];
    // log(1 + e^z) computed stably.
    const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    ll += wt[i] * (y[i] * z - softplus);
  }
  let pen = 0;
  for (let j = off; j < A.length; j++) pen += b[j] * b[j];
  return { ll, obj: -ll + 0.5 * l2 * pen };
}

function gradHess(A: Float64Array[], n: number, eta: Float64Array, y: Float64Array, wt: Float64Array, H: Float64Array, g: Float64Array, v: Float64Array): void {
  const q = A.length;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = eta[i];
    const mu = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    r[i] = wt[i] * (y[i] - mu);
    v[i] = wt[i] * mu * (1 - mu);
  }
  const va = new Float64Array(n);
  for (let a = 0; a < q; a++) {
    const ca = A[a];
    let ga = 0;
    for (let i = 0; i < n; i++) {
      ga += ca[i] * r[i];
      va[i] = v[i] * ca[i];
    }
    g[a] = ga;
    for (let c = 0; c <= a; c++) {
      const cc = A[c];
      let h = 0;
      for (let i = 0; i < n; i++) h += va[i] * cc[i];
      H[a * q + c] = h;
      H[c * q + a] = h;
    }
  }
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
