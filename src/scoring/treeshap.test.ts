import { describe, expect, it } from "vitest";
import type { TreeSpec } from "./spec";
import { shapScratch, treeDepth, treeExpectedValue, treeShap } from "./treeshap";
import { fitGbdt } from "../../training/gbdt/gbdt";
import { mulberry32 } from "../../training/util/random";

/** Conditional expectation E[f(x) | x_S] with covers as the background (Lundberg's Algorithm 1). */
function condExp(t: TreeSpec, x: number[], S: Set<number>, k = 0): number {
  if (t.feature[k] < 0) return t.value[k];
  const f = t.feature[k];
  if (S.has(f)) {
    const v = x[f];
    const left = Number.isNaN(v) ? t.missingLeft[k] === 1 : v <= t.threshold[k];
    return condExp(t, x, S, left ? t.left[k] : t.right[k]);
  }
  const l = t.left[k], r = t.right[k];
  return (t.cover[l] * condExp(t, x, S, l) + t.cover[r] * condExp(t, x, S, r)) / (t.cover[l] + t.cover[r]);
}

function bruteShapley(t: TreeSpec, x: number[], nf: number): number[] {
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const phi = new Array(nf).fill(0);
  for (let i = 0; i < nf; i++) {
    for (let mask = 0; mask < 1 << nf; mask++) {
      if (mask & (1 << i)) continue;
      const S = new Set<number>();
      for (let j = 0; j < nf; j++) if (mask & (1 << j)) S.add(j);
      const w = (fact(S.size) * fact(nf - S.size - 1)) / fact(nf);
      const with_ = new Set(S).add(i);
      phi[i] += w * (condExp(t, x, with_) - condExp(t, x, S));
    }
  }
  return phi;
}

// A depth-3 tree that splits twice on feature 0 on one path (exercises the unwind step) and has a missing default.
const tree: TreeSpec = {
  //        0:f0<=1
  //     1:f1<=0        2:f0<=3
  //   3:L 4:L        5:f2<=5   6:L
  //                 7:L 8:L
  feature: [0, 1, 0, -1, -1, 2, -1, -1, -1],
  threshold: [1, 0, 3, 0, 0, 5, 0, 0, 0],
  missingLeft: [1, 0, 0, 0, 0, 1, 0, 0, 0],
  left: [1, 3, 5, -1, -1, 7, -1, -1, -1],
  right: [2, 4, 6, -1, -1, 8, -1, -1, -1],
  value: [0, 0, 0, 0.5, -0.25, 0, 1.5, -1, 0.75],
  cover: [100, 40, 60, 15, 25, 35, 25, 20, 15],
};

describe("treeShap", () => {
  it("matches brute-force Shapley values on a small tree for many points", () => {
    const s = shapScratch(treeDepth(tree));
    const pts = [[0, -1, 4], [0, 1, 6], [2, 5, 4], [2, 5, 9], [5, 0, 0], [NaN, 1, NaN], [2, NaN, NaN]];
    for (const x of pts) {
      const phi = new Float64Array(3);
      treeShap(tree, x, phi, s);
      const ref = bruteShapley(tree, x, 3);
      for (let j = 0; j < 3; j++) expect(phi[j]).toBeCloseTo(ref[j], 10);
    }
  });

  it("expected value is the cover-weighted leaf mean", () => {
    // (15*.5 + 25*-.25)/40 = 0.03125; right: (20*-1 + 15*.75)/35 = -0.25; (35*-.25 + 25*1.5)/60 = 0.479166…
    const right = (35 * -0.25 + 25 * 1.5) / 60;
    expect(treeExpectedValue(tree)).toBeCloseTo((40 * 0.03125 + 60 * right) / 100, 12);
  });

  it("attributions of a fitted GBDT add up to the margin minus the expected value", () => {
    const r = mulberry32(3);
    const n = 600;
    const X = [0, 1, 2, 3].map(() => new Float64Array(n));
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (const c of X) c[i] = r() < 0.05 ? NaN : r() * 4 - 2;
      const z = 1.5 * (X[0][i] || 0) - (X[1][i] > 0 ? 1 : 0) + 0.5 * (X[2][i] || 0) * (X[3][i] || 0);
      y[i] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    }
    const fit = fitGbdt(X, y, { nEstimators: 30, maxDepth: 4, minSamplesLeaf: 5 });
    const s = shapScratch(4);
    const expected = fit.spec.baseScore + fit.spec.trees.reduce((a, t) => a + treeExpectedValue(t), 0);
    for (let i = 0; i < 20; i++) {
      const x = X.map((c) => c[i]);
      const phi = new Float64Array(4);
      let margin = fit.spec.baseScore;
      for (const t of fit.spec.trees) {
        treeShap(t, x, phi, s);
        let k = 0;
        while (t.feature[k] >= 0) {
          const v = x[t.feature[k]];
          k = (Number.isNaN(v) ? t.missingLeft[k] === 1 : v <= t.threshold[k]) ? t.left[k] : t.right[k];
        }
        margin += t.value[k];
      }
      expect(phi.reduce((a, b) => a + b, 0)).toBeCloseTo(margin - expected, 10);
    }
  });
});
