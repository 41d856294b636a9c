import { Matrix } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { fitLogisticIRLS, linearPredictor } from "./logistic";
import { lcgSample } from "./testdata";

// References from /usr/bin/python3, scikit-learn 1.2.1, on the sample of testdata.ts:
//   LogisticRegression(C=0.5, solver='newton-cg', tol=1e-12, max_iter=100000).fit(X, Y)
//   LogisticRegression(penalty=None, solver='newton-cg', tol=1e-12, max_iter=100000).fit(X, Y)
const SK_C05 = { intercept: -0.4347754393352252, coef: [1.2719436660612098, -0.9346716591471307, 0.28613090710189354] };
const SK_NONE = { intercept: -0.3642563664310451, coef: [1.3684880691997745, -1.1072280910427406, 0.3808385892688079] };

describe("fitLogisticIRLS", () => {
  const { x, y } = lcgSample();
  const X = new Matrix(x);
  it("matches sklearn with L2 (C = 1/l2)", () => {
    const f = fitLogisticIRLS(X, y, { l2: 2 });
    expect(f.converged).toBe(true);
    expect(f.intercept).toBeCloseTo(SK_C05.intercept, 5);
    SK_C05.coef.forEach((c, j) => expect(f.coefficients[j]).toBeCloseTo(c, 5));
  });
  it("matches sklearn without penalty, in few Newton steps", () => {
    const f = fitLogisticIRLS(X, y);
    expect(f.iterations).toBeLessThan(10);
    expect(f.intercept).toBeCloseTo(SK_NONE.intercept, 5);
    SK_NONE.coef.forEach((c, j) => expect(f.coefficients[j]).toBeCloseTo(c, 5));
    // Log-likelihood agrees with the fitted linear predictor.
    const eta = linearPredictor(X, f);
    let ll = 0;
    for (let i = 0; i < y.length; i++) ll += y[i] * eta[i] - Math.log1p(Math.exp(eta[i]));
    expect(f.logLikelihood).toBeCloseTo(ll, 8);
  });
  it("integer sample weights equal duplicated rows", () => {
    const w = y.map((_, i) => (i % 3 === 0 ? 2 : 1));
    const dupX: number[][] = [];
    const dupY: number[] = [];
    x.forEach((r, i) => {
      for (let k = 0; k < w[i]; k++) {
        dupX.push(r);
        dupY.push(y[i]);
      }
    });
    const a = fitLogisticIRLS(X, y, { l2: 1, sampleWeight: w });
    const b = fitLogisticIRLS(new Matrix(dupX), dupY, { l2: 1 });
    expect(a.intercept).toBeCloseTo(b.intercept, 8);
    for (let j = 0; j < 3; j++) expect(a.coefficients[j]).toBeCloseTo(b.coefficients[j], 8);
  });
  it("survives perfectly collinear columns with a penalty and separable data", () => {
    const Xc = new Matrix(x.map((r) => [r[0], r[0] * 2]));
    const f = fitLogisticIRLS(Xc, y, { l2: 1 });
    expect(f.converged).toBe(true);
    // Ridge splits the effect in proportion to the column scale: β₂ = 2β₁.
    expect(f.coefficients[1]).toBeCloseTo(2 * f.coefficients[0], 6);
    const sep = fitLogisticIRLS(new Matrix([[0], [1], [2], [3]]), [0, 0, 1, 1], { l2: 0.1 });
    expect(Number.isFinite(sep.coefficients[0])).toBe(true);
  });
  it("rejects bad labels and shapes", () => {
    expect(() => fitLogisticIRLS(X, y.slice(1))).toThrow(/rows/);
    expect(() => fitLogisticIRLS(new Matrix([[1]]), [2])).toThrow(/0 or 1/);
  });
});
