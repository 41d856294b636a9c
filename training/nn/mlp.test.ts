import { describe, expect, it } from "vitest";
import { compileModel } from "../../src/scoring";
import { auc } from "../../src/numeric";
import { mulberry32 } from "../util/random";
import { fitMlp } from "./mlp";

function data(n: number, seed: number) {
  const r = mulberry32(seed);
  const X = [new Float64Array(n), new Float64Array(n)];
  const cats: (string | null)[] = [];
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    X[0][i] = r() < 0.1 ? NaN : r() * 10;
    const c = r() < 0.5 ? "a" : r() < 0.5 ? "b" : null;
    cats.push(c);
    X[1][i] = c === null ? NaN : c === "a" ? 0.4 : -0.4;
    const z = 0.5 * ((X[0][i] || 5) - 5) + (c === "a" ? 1 : 0);
    y[i] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X, cats: [null, cats], y };
}

describe("fitMlp", () => {
  it("learns, is reproducible with a seed, and its exported weights reproduce TF.js outputs without TF.js", async () => {
    const tr = data(1500, 1);
    const va = data(500, 2);
    const params = { epochs: 6, hidden: [8], seed: 3 };
    const a = await fitMlp(tr, va, params);
    const b = await fitMlp(tr, va, params);
    expect(JSON.stringify(a.spec)).toBe(JSON.stringify(b.spec));
    expect(a.validAuc).toBeGreaterThan(0.7);
    expect(a.spec.inputs[1].oneHot).toEqual(["a", "b"]);
    const m = compileModel({
      formatVersion: 1,
      inputs: [{ name: "x", kind: "numeric" }, { name: "c", kind: "categorical", levels: { a: 0.4, b: -0.4 }, unknown: 0 }],
      components: { mlp: a.spec },
      blend: { bias: 0, weights: { mlp: 1 } },
      calibrator: { type: "none" },
      scaling: { base: 600, baseOdds: 50, pdo: 20 },
      baseline: [5, null],
    });
    const margins = Array.from({ length: 500 }, (_, i) => m.margin({ x: Number.isNaN(va.X[0][i]) ? null : va.X[0][i], c: va.cats[1]![i] }));
    for (let i = 0; i < 50; i++) expect(margins[i]).toBeCloseTo(a.validMargin[i], 4);
    expect(auc(va.y, margins)).toBeCloseTo(a.validAuc, 3);
    const e = m.explain({ x: 9, c: "a" });
    expect(e.contributions.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(e.logit - e.baseLogit, 9);
    expect(e.contributions[0].feature).toBe("x");
  });
});
