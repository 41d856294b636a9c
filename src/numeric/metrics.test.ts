import { describe, expect, it } from "vitest";
import { auc, badRateByBand, brier, calibrationTable, gainsTable, gini, ks, logLoss, psi, quantileEdges, rocCurve } from "./index";
import { sigmoid } from "./scaling";
import { lcgSample } from "./testdata";

describe("auc / gini", () => {
  it("matches hand-counted pairs", () => {
    // 3 of 4 (bad, good) pairs are ordered correctly.
    expect(auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
    // Ties count one half: pairs (0.5,0.5)=½, (0.5,0.2)=1, (0.9,0.5)=1, (0.9,0.2)=1 → 3.5/4.
    expect(auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBeCloseTo(0.875, 12);
    expect(gini([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBeCloseTo(0.75, 12);
  });
  it("is NaN with one class and rejects mismatched lengths", () => {
    expect(auc([1, 1], [0.2, 0.3])).toBeNaN();
    expect(() => auc([1, 0], [0.2])).toThrow(/same length/);
    expect(() => auc([1, 0], [0.2, NaN])).toThrow(/row 1 is NaN/);
  });
  it("matches scikit-learn on the LCG sample", () => {
    const { y, p } = lcgSample();
    const pt = p.map((v) => Math.round(v * 10) / 10);
    // /usr/bin/python3 with sklearn 1.2.1: roc_auc_score(Y, P) and roc_auc_score(Y, np.round(P, 1)); see testdata.ts.
    expect(auc(y, p)).toBeCloseTo(0.8473414250165051, 12);
    expect(auc(y, pt)).toBeCloseTo(0.8438372860697781, 12);
  });
});

describe("ks / roc", () => {
  it("roc starts at (0,0), ends at (1,1), one point per distinct score", () => {
    const r = rocCurve([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]);
    expect(Array.from(r.fpr)).toEqual([0, 0, 0.5, 1]);
    expect(Array.from(r.tpr)).toEqual([0, 0.5, 1, 1]);
    expect(Array.from(r.thresholds)).toEqual([Infinity, 0.9, 0.5, 0.2]);
  });
  it("matches scikit-learn max(tpr − fpr)", () => {
    const { y, p } = lcgSample();
    // sklearn: f, t, _ = roc_curve(Y, P); max(t - f)
    expect(ks(y, p).ks).toBeCloseTo(0.5426844751409273, 12);
    expect(ks(y, p.map((v) => Math.round(v * 10) / 10)).ks).toBeCloseTo(0.5377583667665431, 12);
  });
  it("hand-checked KS with population share", () => {
    const r = ks([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]);
    expect(r.ks).toBe(1);
    expect(r.threshold).toBe(0.3);
    expect(r.atPopulationShare).toBe(0.5);
  });
});

describe("probability metrics", () => {
  it("brier and log loss by hand", () => {
    expect(brier([1, 0], [0.8, 0.4])).toBeCloseTo((0.04 + 0.16) / 2, 14);
    expect(logLoss([1, 0], [0.8, 0.4])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 14);
    expect(Number.isFinite(logLoss([1], [0]))).toBe(true);
  });
  it("match scikit-learn", () => {
    const { y, p } = lcgSample();
    // sklearn: log_loss(Y, P), brier_score_loss(Y, P)
    expect(logLoss(y, p)).toBeCloseTo(0.44736104795833964, 12);
    expect(brier(y, p)).toBeCloseTo(0.14667144053426842, 12);
  });
});

describe("calibrationTable / gainsTable", () => {
  const y = [0, 0, 0, 1, 0, 1, 0, 1, 1, 1];
  const p = [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 0.9];
  it("groups by predicted quantiles", () => {
    const t = calibrationTable(y, p, 5);
    expect(t.map((r) => r.count)).toEqual([2, 2, 2, 2, 2]);
    expect(t[0].meanPredicted).toBeCloseTo(0.075, 12);
    expect(t.map((r) => r.observedRate)).toEqual([0, 0.5, 0.5, 0.5, 1]);
  });
  it("keeps ties in one group", () => {
    const t = calibrationTable([0, 1, 0, 1], [0.2, 0.2, 0.2, 0.7], 2);
    expect(t.map((r) => r.count)).toEqual([3, 1]);
  });
  it("gains: riskiest first with capture and lift", () => {
    const g = gainsTable(y, p, 5);
    expect(g[0]).toMatchObject({ group: 1, count: 2, bads: 2, badRate: 1, cumBadShare: 0.4, cumGoodShare: 0, lift: 2 });
    expect(g[4].cumBadShare).toBe(1);
    expect(g[4].cumGoodShare).toBe(1);
    expect(Math.max(...g.map((r) => r.ks))).toBeCloseTo(0.4, 12);
  });
});

describe("psi", () => {
  it("is 0 for identical samples and matches a hand computation", () => {
    const a = Array.from({ length: 100 }, (_, i) => i);
    expect(psi(a, a).psi).toBeCloseTo(0, 12);
    // Edges at 49: expected 50/50, actual 80/20 → (0.8−0.5)ln(0.8/0.5) + (0.2−0.5)ln(0.2/0.5).
    const actual = [...Array(80).fill(10), ...Array(20).fill(90)];
    const r = psi(a, actual, { edges: [49], epsilon: 0 });
    expect(r.psi).toBeCloseTo(0.3 * Math.log(1.6) + -0.3 * Math.log(0.4), 12);
    expect(r.bins).toHaveLength(2);
  });
  it("uses quantile edges of expected and a missing bin", () => {
    const a = Array.from({ length: 100 }, (_, i) => i);
    expect(quantileEdges(a, 4)).toEqual([24, 49, 74]);
    const r = psi(a, [1, 2, NaN, 99], { bins: 4 });
    expect(r.bins).toHaveLength(5);
    expect(r.bins[4]).toMatchObject({ missing: true, actualCount: 1, expectedCount: 0 });
    expect(Number.isFinite(r.psi)).toBe(true);
  });
});

describe("badRateByBand", () => {
  it("counts half-open bands and unbanded rows", () => {
    const r = badRateByBand([1, 0, 1, 0, 0], [500, 550, 599, 600, 700], [
      { label: "C", min: 500, max: 600 },
      { label: "B", min: 600, max: 650 },
    ]);
    expect(r.rows[0]).toMatchObject({ count: 3, bads: 2, share: 0.6 });
    expect(r.rows[0].badRate).toBeCloseTo(2 / 3, 12);
    expect(r.rows[1]).toMatchObject({ count: 1, bads: 0, badRate: 0 });
    expect(r.unbanded).toBe(1);
  });
});

it("sigmoid is stable at extremes", () => {
  expect(sigmoid(800)).toBe(1);
  expect(sigmoid(-800)).toBe(0);
  expect(sigmoid(0)).toBe(0.5);
});
