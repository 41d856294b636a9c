import { describe, expect, it } from "vitest";
import { promotionGate } from "./gate";

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
