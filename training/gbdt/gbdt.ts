import { auc } from "../../src/numeric";
import type { GbdtSpec, TreeSpec } from "../../src/scoring";
import { binColumn, binEdges } from "./binning";
import { mulberry32 } from "../util/random";

/**
 * Histogram gradient-boosted trees for binary log loss, on plain typed arrays: quantile bins (≤255 per
 * feature, bin 0 = missing with a learned default direction), second-order gradients, L2 leaf
 * regularisation, min child weight / min samples per leaf, shrinkage, seeded row and column subsampling,
 * depth-limited growth with histogram subtraction, and early stopping on a validation set by AUC.
 */

/** GBDT hyperparameters. */
export interface GbdtParams {
  /** Maximum boosting rounds (default 2000). */
  nEstimators: number;
  /** Shrinkage (default 0.05). */
  learningRate: number;
  /** Maximum tree depth (default 5). */
  maxDepth: number;
  /** Minimum hessian sum in a child (default 5). */
  minChildWeight: number;
  /** Minimum rows in a child (default 10). */
  minSamplesLeaf: number;
  /** L2 regularisation of leaf values (default 1). */
  lambda: number;
  /** Minimum gain to split (default 0). */
  gamma: number;
  /** Fraction of rows sampled per tree (default 0.8). */
  subsample: number;
  /** Fraction of features sampled per tree (default 0.8). */
  colsample: number;
  /** Bins per feature, ≤255 (default 255). */
  maxBins: number;
  /** Stop after this many rounds without validation AUC improvement (default 150). */
  earlyStoppingRounds: number;
  /**
   * Early-stopping metric: "auc", "logloss", or "auto" (default): AUC when the validation set has at least
   * 2000 rows, log loss below that, because AUC on a small validation set is too noisy to pick a round.
   */
  stoppingMetric: "auto" | "auc" | "logloss";
  /** PRNG seed (default 1). */
  seed: number;
}

export const DEFAULT_GBDT_PARAMS: GbdtParams = {
  nEstimators: 2000,
  learningRate: 0.05,
  maxDepth: 5,
  minChildWeight: 5,
  minSamplesLeaf: 10,
  lambda: 1,
  gamma: 0,
  subsample: 0.8,
  colsample: 0.8,
  maxBins: 255,
  earlyStoppingRounds: 150,
  stoppingMetric: "auto",
  seed: 1,
};

/** Fitted GBDT with training diagnostics. */
export interface GbdtFit {
  spec: GbdtSpec;
  /** Number of trees kept (best validation round, or all without validation). */
  nTrees: number;
  /** Validation AUC at the kept round (NaN without validation). */
  validAuc: number;
  /** Validation margins (log-odds) of the kept model, when validation was given. */
  validMargin: Float64Array | null;
  /** Split gain summed per feature (importance). */
  gain: Float64Array;
}

/** Column-major feature matrix: `cols[j][i]` is feature j of row i, NaN = missing. */
export type ColumnMatrix = Float64Array[];

interface Hist {
  g: Float64Array;
  h: Float64Array;
  c: Float64Array;
}

/**
 * Fits a GBDT on `X` (column-major, NaN = missing) and 0/1 labels `y`.
 * With `valid`, trains until `earlyStoppingRounds` rounds pass without an AUC gain and keeps the best round.
 * @param onRound optional progress callback (round, validation AUC or NaN).
 * @throws RangeError on inconsistent shapes.
 */
export function fitGbdt(
  X: ColumnMatrix,
  y: Uint8Array,
  params: Partial<GbdtParams> = {},
  valid?: { X: ColumnMatrix; y: Uint8Array },
  onRound?: (round: number, validAuc: number) => void,
): GbdtFit {
  const p: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...params };
  const n = y.length;
  const nf = X.length;
  for (const c of X) if (c.length !== n) throw new RangeError(`column length ${c.length} does not match ${n} labels`);
  const rand = mulberry32(p.seed);

  const edges = X.map((c) => binEdges(c, p.maxBins));
  const bins = X.map((c, j) => binColumn(edges[j], c));
  const nBins = edges.map((e) => e.length + 2);
  const off = new Int32Array(nf + 1);
  for (let j = 0; j < nf; j++) off[j + 1] = off[j] + nBins[j];
  const B = off[nf];
  const vbins = valid ? valid.X.map((c, j) => binColumn(edges[j], c)) : null;
  const nv = valid ? valid.y.length : 0;

  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i];
  const prior = Math.min(Math.max(pos / n, 1e-6), 1 - 1e-6);
  const baseScore = Math.log(prior / (1 - prior));
  const F = new Float64Array(n).fill(baseScore);
  const Fv = new Float64Array(nv).fill(baseScore);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const rows = new Uint32Array(n);
  const gainImp = new Float64Array(nf);

  const maxDepth = p.maxDepth;
  const pool: Hist[] = [];
  for (let d = 0; d < 2 * (maxDepth + 2); d++) pool.push({ g: new Float64Array(B), h: new Float64Array(B), c: new Float64Array(B) });

  const trees: TreeSpec[] = [];
  let bestAuc = -Infinity;
  let bestCrit = -Infinity;
  const useAuc = p.stoppingMetric === "auc" || (p.stoppingMetric === "auto" && nv >= 2000);
  let bestRound = 0;
  let bestFv: Float64Array | null = null;
  let feats: number[] = [];

  const buildHist = (hist: Hist, start: number, end: number) => {
    for (const j of feats) {
      const b0 = off[j];
      hist.g.fill(0, b0, b0 + nBins[j]);
      hist.h.fill(0, b0, b0 + nBins[j]);
      hist.c.fill(0, b0, b0 + nBins[j]);
      const col = bins[j];
      const hg = hist.g, hh = hist.h, hc = hist.c;
      for (let k = start; k < end; k++) {
        const r = rows[k];
        const b = b0 + col[r];
        hg[b] += g[r];
        hh[b] += h[r];
        hc[b] += 1;
      }
    }
  };

  for (let round = 0; round < p.nEstimators; round++) {
    for (let i = 0; i < n; i++) {
      const pr = 1 / (1 + Math.exp(-F[i]));
      g[i] = pr - y[i];
      h[i] = Math.max(pr * (1 - pr), 1e-16);
    }
    let m = 0;
    if (p.subsample < 1) {
      for (let i = 0; i < n; i++) if (rand() < p.subsample) rows[m++] = i;
    } else {
      for (let i = 0; i < n; i++) rows[m++] = i;
    }
    feats = [];
    for (let j = 0; j < nf; j++) if (p.colsample >= 1 || rand() < p.colsample) feats.push(j);
    if (feats.length === 0) feats.push(Math.floor(rand() * nf));

    const tree: TreeSpec = { feature: [], threshold: [], missingLeft: [], left: [], right: [], value: [], cover: [] };
    // Leaf assignment of sampled rows is implicit; all rows are re-routed below.
    const grow = (start: number, end: number, hist: Hist, G: number, H: number, depth: number): number => {
      const id = tree.feature.length;
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.missingLeft.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.value.push((-G / (H + p.lambda)) * p.learningRate);
      tree.cover.push(H);
      const cnt = end - start;
      if (depth >= maxDepth || cnt < 2 * p.minSamplesLeaf || H < 2 * p.minChildWeight) return id;
      const parentScore = (G * G) / (H + p.lambda);
      let bestGain = p.gamma > 0 ? p.gamma : 1e-12;
      let bf = -1;
      let bb = 0;
      let bml = false;
      for (const j of feats) {
        const b0 = off[j];
        const K = nBins[j] - 1;
        const mg = hist.g[b0], mh = hist.h[b0], mc = hist.c[b0];
        let lg = 0, lh = 0, lc = 0;
        for (let b = 1; b < K; b++) {
          lg += hist.g[b0 + b];
          lh += hist.h[b0 + b];
          lc += hist.c[b0 + b];
          // missing goes right
          {
            const rg = G - lg, rh = H - lh, rc = cnt - lc;
            if (lh >= p.minChildWeight && rh >= p.minChildWeight && lc >= p.minSamplesLeaf && rc >= p.minSamplesLeaf) {
              const gain = (lg * lg) / (lh + p.lambda) + (rg * rg) / (rh + p.lambda) - parentScore;
              if (gain > bestGain) { bestGain = gain; bf = j; bb = b; bml = false; }
            }
          }
          if (mc > 0) {
            const llg = lg + mg, llh = lh + mh, llc = lc + mc;
            const rg = G - llg, rh = H - llh, rc = cnt - llc;
            if (llh >= p.minChildWeight && rh >= p.minChildWeight && llc >= p.minSamplesLeaf && rc >= p.minSamplesLeaf) {
              const gain = (llg * llg) / (llh + p.lambda) + (rg * rg) / (rh + p.lambda) - parentScore;
              if (gain > bestGain) { bestGain = gain; bf = j; bb = b; bml = true; }
            }
          }
        }
      }
      if (bf < 0) return id;
      gainImp[bf] += bestGain;
      // Partition rows[start, end) in place: left first.
      const col = bins[bf];
      let i = start;
      let k = end - 1;
      const goesLeft = (r: number) => {
        const b = col[r];
        return b === 0 ? bml : b <= bb;
      };
      while (i <= k) {
        if (goesLeft(rows[i])) i++;
        else {
          const t = rows[i];
          rows[i] = rows[k];
          rows[k] = t;
          k--;
        }
      }
      const mid = i;
      const lHist = pool[2 * (depth + 1)];
      const rHist = pool[2 * (depth + 1) + 1];
      const smallLeft = mid - start <= end - mid;
      if (smallLeft) buildHist(lHist, start, mid);
      else buildHist(rHist, mid, end);
      const [small, large] = smallLeft ? [lHist, rHist] : [rHist, lHist];
      for (const j of feats) {
        for (let b = off[j]; b < off[j] + nBins[j]; b++) {
          large.g[b] = hist.g[b] - small.g[b];
          large.h[b] = hist.h[b] - small.h[b];
          large.c[b] = hist.c[b] - small.c[b];
        }
      }
      // Left sums from the left child's histogram of the split feature (includes missing when it goes left).
      const b0 = off[bf];
      let LG = 0, LH = 0;
      for (let b = 0; b < nBins[bf]; b++) { LG += lHist.g[b0 + b]; LH += lHist.h[b0 + b]; }
      tree.feature[id] = bf;
      tree.threshold[id] = edges[bf][bb - 1];
      tree.missingLeft[id] = bml ? 1 : 0;
      binSplit[id] = bb;
      const l = grow(start, mid, lHist, LG, LH, depth + 1);
      const r = grow(mid, end, rHist, G - LG, H - LH, depth + 1);
      tree.left[id] = l;
      tree.right[id] = r;
      return id;
    };
    const binSplit: number[] = [];
    const root = pool[0];
    buildHist(root, 0, m);
    let G = 0, H = 0;
    for (let k = 0; k < m; k++) { G += g[rows[k]]; H += h[rows[k]]; }
    grow(0, m, root, G, H, 0);

    // Route every training and validation row through the new tree by bins.
    const route = (binsCols: Uint8Array[], i: number): number => {
      let node = 0;
      while (tree.feature[node] >= 0) {
        const b = binsCols[tree.feature[node]][i];
        node = (b === 0 ? tree.missingLeft[node] === 1 : b <= binSplit[node]) ? tree.left[node] : tree.right[node];
      }
      return tree.value[node];
    };
    for (let i = 0; i < n; i++) F[i] += route(bins, i);
    trees.push(tree);
    if (valid && vbins) {
      for (let i = 0; i < nv; i++) Fv[i] += route(vbins, i);
      const a = auc(valid.y, Fv);
      onRound?.(round, a);
      // Higher is better for both criteria (negated log loss).
      const crit = useAuc ? a : -validLogLoss(valid.y, Fv);
      if (crit > bestCrit + 1e-7) {
        bestCrit = crit;
        bestAuc = a;
        bestRound = round + 1;
        bestFv = Fv.slice();
      } else if (round + 1 - bestRound >= p.earlyStoppingRounds) break;
    } else {
      onRound?.(round, NaN);
      bestRound = round + 1;
    }
  }
  const kept = trees.slice(0, bestRound);
  return {
    spec: { type: "gbdt", baseScore, trees: kept },
    nTrees: kept.length,
    validAuc: valid ? bestAuc : NaN,
    validMargin: bestFv,
    gain: gainImp,
  };
}

/** Mean log loss of margins `F` for labels `y`. */
function validLogLoss(y: Uint8Array, F: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const f = F[i];
    // log(1 + e^f) - y f, computed stably.
    s += (f > 0 ? f + Math.log1p(Math.exp(-f)) : Math.log1p(Math.exp(f))) - y[i] * f;
  }
  return s / y.length;
}
