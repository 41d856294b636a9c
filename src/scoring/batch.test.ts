import { describe, expect, it } from "vitest";
import { compileModel, type ModelSpec, type TreeSpec } from ".";

/** Deterministic uniform numbers in [0, 1). */
function lcg(seed: number): () => number {
  let a = seed >>> 0;
  return () => (a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** A random full tree of `depth` on inputs 0..nIn-1, thresholds drawn from `cut`. */
function randomTree(r: () => number, depth: number, nIn: number, cut: () => number): TreeSpec {
  const t: TreeSpec = { feature: [], threshold: [], missingLeft: [], left: [], right: [], value: [], cover: [] };
  const grow = (d: number): number => {
    const k = t.feature.length;
    t.feature.push(-1);
    t.threshold.push(0);
    t.missingLeft.push(0);
    t.left.push(-1);
    t.right.push(-1);
    t.value.push(Math.round((r() - 0.5) * 1e6) / 1e6);
    t.cover.push(1);
    // Uneven depth: some branches stop early.
    if (d < depth && (d < 2 || r() < 0.8)) {
      t.feature[k] = Math.floor(r() * nIn);
      t.threshold[k] = cut();
      t.missingLeft[k] = r() < 0.5 ? 1 : 0;
      t.left[k] = grow(d + 1);
      t.right[k] = grow(d + 1);
    }
    return k;
  };
  grow(0);
  return t;
}

const scaling = { base: 600, baseOdds: 50, pdo: 20 };

describe("predictColumns equals predict bit for bit", () => {
  it("tree ensemble with > 255 distinct thresholds on one input (16-bit bins), ties at thresholds, NaN and ±Infinity", () => {
    const r = lcg(7);
    // Input 0 gets 400 distinct integer thresholds; input 1 few; input 2 is categorical (WoE).
    const trees = Array.from({ length: 60 }, () => randomTree(r, 6, 3, () => Math.floor(r() * 400)));
    const spec: ModelSpec = {
      formatVersion: 1,
      inputs: [
        { name: "a", kind: "numeric" },
        { name: "b", kind: "numeric" },
        { name: "c", kind: "categorical", levels: { x: -0.7, y: 0.2, z: 1.1 }, unknown: 0 },
      ],
      components: { gbdt: { type: "gbdt", baseScore: -1.3, trees } },
      blend: { bias: 0.1, weights: { gbdt: 0.9 } },
      calibrator: { type: "platt", a: 1.1, b: -0.2 },
      scaling,
      baseline: [200, 200, 0],
    };
    expect(new Set(trees.flatMap((t) => t.threshold.filter((_, k) => t.feature[k] === 0))).size).toBeGreaterThan(255);
    const m = compileModel(spec);
    const n = 4000;
    const a = new Float64Array(n);
    const b: unknown[] = [];
    const c: unknown[] = [];
    const levels = ["x", "y", "z", "never-seen", null, "", " y "];
    for (let i = 0; i < n; i++) {
      const u = r();
      a[i] = u < 0.05 ? NaN : u < 0.07 ? Infinity : u < 0.08 ? -Infinity : u < 0.4 ? Math.floor(r() * 410) - 5 : r() * 410 - 5;
      b.push(r() < 0.1 ? null : r() < 0.2 ? String(Math.floor(r() * 400)) : Math.floor(r() * 400));
      c.push(levels[Math.floor(r() * levels.length)]);
    }
    const pd = m.predictColumns({ a, b, c }, n);
    let same = 0;
    for (let i = 0; i < n; i++) {
      const p = m.predict({ a: a[i], b: b[i], c: c[i] });
      expect(Math.abs(pd[i] - p)).toBeLessThan(1e-12);
      if (pd[i] === p) same++;
    }
    expect(same).toBe(n);
  });

  it("linear component, isotonic calibrator and an 8-bit forest blended", () => {
    const r = lcg(11);
    const trees = Array.from({ length: 25 }, () => randomTree(r, 4, 2, () => Math.round(r() * 100) / 10));
    const spec: ModelSpec = {
      formatVersion: 1,
      inputs: [
        { name: "u", kind: "numeric" },
        { name: "v", kind: "numeric" },
      ],
      components: {
        gbdt: { type: "gbdt", baseScore: -2, trees },
        lin: { type: "linear", intercept: -1.5, coef: [0.13, -0.4], fill: [5, 2] },
      },
      blend: { bias: 0.05, weights: { gbdt: 0.7, lin: 0.3 } },
      calibrator: { type: "isotonic", x: [-4, -2, -1, 0, 1], y: [0.01, 0.05, 0.2, 0.4, 0.8] },
      scaling,
      baseline: [5, 2],
    };
    const m = compileModel(spec);
    const n = 3000;
    const u = new Float64Array(n);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      u[i] = r() < 0.1 ? NaN : Math.round(r() * 110) / 10;
      v[i] = r() < 0.1 ? NaN : r() * 10;
    }
    const pd = m.predictColumns({ u, v }, n);
    for (let i = 0; i < n; i++) expect(pd[i]).toBe(m.predict({ u: u[i], v: v[i] }));
    // Fewer rows than the columns hold, and no rows at all.
    expect(Array.from(m.predictColumns({ u, v }, 5))).toEqual(Array.from(pd.subarray(0, 5)));
    expect(m.predictColumns({ u, v }, 0).length).toBe(0);
  });
});
