import { describe, expect, it } from "vitest";
import { compareOnWindow, promotionGate } from "./gate";

const m = (auc: number, brier = 0.15, meanPd = 0.2, observedRate = 0.2) => ({ auc, brier, meanPd, observedRate, n: 1000 });

describe("promotion gate", () => {
  it("promotes a challenger that beats the champion by the margin and passes calibration and PSI", () => {
    const g = promotionGate({ challenger: m(0.78), champion: m(0.77), challengerPsi: 0.03 });
    expect(g.promote).toBe(true);
    expect(g.checks.map((c) => [c.name, c.passed])).toEqual([["auc", true], ["calibration", true], ["brier", true], ["psi", true]]);
    expect(g.reason).toMatch(/^promoted: challenger AUC 0.7800 vs champion 0.7700 \+ margin 0.005 = 0.7750/);
  });

  it("keeps a challenger whose AUC gain is below the margin, naming the check", () => {
    const g = promotionGate({ challenger: m(0.774), champion: m(0.77), challengerPsi: 0.03 });
    expect(g.promote).toBe(false);
    expect(g.reason).toContain("kept as candidate: auc check failed (challenger AUC 0.7740 vs champion 0.7700 + margin 0.005 = 0.7750)");
    // Exactly at the margin passes (>=).
    expect(promotionGate({ challenger: m(0.775), champion: m(0.77), challengerPsi: 0 }).promote).toBe(true);
    expect(promotionGate({ challenger: m(0.774), champion: m(0.77), challengerPsi: 0 }, { aucMargin: 0 }).promote).toBe(true);
  });

  it("rejects a miscalibrated, a worse-Brier or a shifted challenger", () => {
    const miscal = promotionGate({ challenger: m(0.8, 0.15, 0.45, 0.2), champion: m(0.7), challengerPsi: 0.01 });
    expect(miscal.promote).toBe(false);
    expect(miscal.checks.find((c) => c.name === "calibration")).toMatchObject({ passed: false, detail: expect.stringContaining("= 2.2500, allowed [0.5000, 2.0000]") });
    // Outside the bounds but no worse than a champion that is off by more: passes.
    const both = promotionGate({ challenger: m(0.8, 0.15, 0.45, 0.2), champion: m(0.7, 0.15, 0.5, 0.2), challengerPsi: 0.01 });
    expect(both.checks.find((c) => c.name === "calibration")!.passed).toBe(true);
    expect(promotionGate({ challenger: m(0.8, 0.15, 0.3, 0.2), champion: m(0.7), challengerPsi: 0.01 }, { maxCalibrationRatio: 1.25 }).promote).toBe(false);
    const brier = promotionGate({ challenger: m(0.8, 0.2), champion: m(0.7, 0.15), challengerPsi: 0.01 });
    expect(brier.checks.find((c) => c.name === "brier")!.passed).toBe(false);
    const shifted = promotionGate({ challenger: m(0.8), champion: m(0.7), challengerPsi: 0.25 });
    expect(shifted.promote).toBe(false);
    expect(shifted.reason).toContain("psi check failed");
  });

  it("without a champion, promotes a model that beats chance and passes its own checks", () => {
    expect(promotionGate({ challenger: m(0.7), champion: null, challengerPsi: 0.02 }).promote).toBe(true);
    expect(promotionGate({ challenger: m(0.5), champion: null, challengerPsi: 0.02 }).promote).toBe(false);
  });
});

describe("compareOnWindow on constructed data", () => {
  // 4,000 rows whose true PD is known; outcomes drawn from it with a fixed PRNG.
  function world(seed = 3) {
    let a = seed >>> 0;
    const rand = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const n = 4000;
    const truth = new Float64Array(n);
    const y = new Uint8Array(n);
    const noisy = new Float64Array(n);
    const shifted = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const z = -2.5 + 2 * (rand() + rand() + rand() - 1.5);
      truth[i] = 1 / (1 + Math.exp(-z));
      y[i] = rand() < truth[i] ? 1 : 0;
      // A weaker model: the same signal buried in noise, calibrated on average.
      noisy[i] = 1 / (1 + Math.exp(-(z * 0.4 - 1.5 + 1.2 * (rand() - 0.5))));
      shifted[i] = Math.min(0.99, truth[i] * 3);
    }
    return { y, truth, noisy, shifted };
  }

  it("promotes the better model and keeps the worse one as a candidate", () => {
    const { y, truth, noisy } = world();
    const better = compareOnWindow(y, truth, noisy, truth);
    expect(better.challenger.auc).toBeGreaterThan(better.champion!.auc + 0.03);
    expect(better.promote).toBe(true);
    expect(better.challengerPsi).toBe(0);
    const worse = compareOnWindow(y, noisy, truth, noisy);
    expect(worse.promote).toBe(false);
    expect(worse.checks.find((c) => c.name === "auc")!.passed).toBe(false);
    // Same ranking, three times the PD: the AUC ties, so neither the margin nor calibration lets it in.
    const { shifted } = world();
    const scaled = compareOnWindow(y, shifted, truth, shifted);
    expect(scaled.challenger.auc).toBeCloseTo(scaled.champion!.auc, 2);
    expect(scaled.promote).toBe(false);
  });

  it("rejects a challenger whose scores on the window shifted away from its training scores", () => {
    const { y, truth } = world();
    const train = truth.map((p) => p / 4);
    const r = compareOnWindow(y, truth, null, train);
    expect(r.challengerPsi).toBeGreaterThan(0.25);
    expect(r.promote).toBe(false);
    expect(r.reason).toContain("psi check failed");
  });
});
