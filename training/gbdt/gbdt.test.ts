import { describe, expect, it } from "vitest";
import { auc } from "../../src/numeric";
import { mulberry32 } from "../util/random";
import { binEdges, binOf } from "./binning";
import { fitGbdt } from "./gbdt";

function synthetic(n: number, seed: number) {
  const r = mulberry32(seed);
  const X = [0, 1, 2].map(() => new Float64Array(n));
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    X[0][i] = r() * 6 - 3;
    X[1][i] = r() < 0.3 ? NaN : r() * 2 - 1; // missing values carry risk
    X[2][i] = r(); // noise
    const z = 1.2 * Math.sin(X[0][i]) + (Number.isNaN(X[1][i]) ? 1.0 : -X[1][i]) - 0.3;
    y[i] = r() < 1 / (1 + Math.exp(-2 * z)) ? 1 : 0;
  }
  return { X, y };
}

const marginOf = (spec: ReturnType<typeof fitGbdt>["spec"], X: Float64Array[], i: number) => {
  let s = spec.baseScore;
  for (const t of spec.trees) {
    let k = 0;
    while (t.feature[k] >= 0) {
      const v = X[t.feature[k]][i];
      k = (Number.isNaN(v) ? t.missingLeft[k] === 1 : v <= t.threshold[k]) ? t.left[k] : t.right[k];
    }
    s += t.value[k];
  }
  return s;
};

describe("binning", () => {
  it("gives each distinct value its own bin when few, quantile bins otherwise, 0 for missing", () => {
    const e = binEdges([3, 1, 2, 2, NaN, 1]);
    expect(Array.from(e)).toEqual([1, 2]);
    expect([binOf(e, NaN), binOf(e, 1), binOf(e, 1.5), binOf(e, 2), binOf(e, 3), binOf(e, 99)]).toEqual([0, 1, 2, 2, 3, 3]);
    const many = Array.from({ length: 10_000 }, (_, i) => i);
    const q = binEdges(many, 10);
    expect(q.length).toBe(9);
    expect(q[0]).toBe(1000);
  });
});

describe("fitGbdt", () => {
  const tr = synthetic(3000, 1);
  const va = synthetic(1500, 2);
  const fit = fitGbdt(tr.X, tr.y, { learningRate: 0.1, maxDepth: 3, earlyStoppingRounds: 30 }, va);

  it("learns a non-linear signal and the risk of missing values, and stops early", () => {
    const oracle = new Float64Array(va.y.length);
    for (let i = 0; i < oracle.length; i++) oracle[i] = 1.2 * Math.sin(va.X[0][i]) + (Number.isNaN(va.X[1][i]) ? 1.0 : -va.X[1][i]);
    const best = auc(va.y, oracle);
    expect(fit.validAuc).toBeGreaterThan(best - 0.02);
    expect(fit.nTrees).toBeLessThan(2000);
    // The validation margins reported are those of the kept trees.
    expect(marginOf(fit.spec, va.X, 5)).toBeCloseTo(fit.validMargin![5], 10);
    // Missing x1 is riskier than any observed x1 > 0 with x0 fixed.
    const probe = [Float64Array.of(0.5, 0.5), Float64Array.of(0.5, NaN), Float64Array.of(0.5, 0.5)];
    expect(marginOf(fit.spec, probe, 1)).toBeGreaterThan(marginOf(fit.spec, probe, 0));
    // Noise gets little of the gain.
    expect(fit.gain[2]).toBeLessThan(0.2 * (fit.gain[0] + fit.gain[1]));
  });

  it("is reproducible with a seed and varies with another", () => {
    const a = fitGbdt(tr.X, tr.y, { nEstimators: 20, seed: 5 });
    const b = fitGbdt(tr.X, tr.y, { nEstimators: 20, seed: 5 });
    const c = fitGbdt(tr.X, tr.y, { nEstimators: 20, seed: 6 });
    expect(JSON.stringify(a.spec)).toBe(JSON.stringify(b.spec));
    expect(JSON.stringify(a.spec)).not.toBe(JSON.stringify(c.spec));
  });

  it("respects min samples per leaf and the depth limit", () => {
    const f = fitGbdt(tr.X, tr.y, { nEstimators: 5, maxDepth: 2, minSamplesLeaf: 400, subsample: 1 });
    for (const t of f.spec.trees) {
      const depth = (k: number): number => (t.feature[k] < 0 ? 0 : 1 + Math.max(depth(t.left[k]), depth(t.right[k])));
      expect(depth(0)).toBeLessThanOrEqual(2);
    }
  });
});
