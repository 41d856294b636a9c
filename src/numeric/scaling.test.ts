import { describe, expect, it } from "vitest";
import { logitToScore, pdoScaling, pdToScore, scoreToLogit, scoreToPd } from "./scaling";

describe("PDO scaling", () => {
  const s = pdoScaling();
  it("600 points at 50:1 good:bad odds, factor = 20/ln2", () => {
    expect(s.factor).toBeCloseTo(28.85390081777927, 12);
    expect(s.offset).toBeCloseTo(600 - 28.85390081777927 * Math.log(50), 10);
    expect(pdToScore(s, 1 / 51)).toBeCloseTo(600, 10);
  });
  it("+20 points doubles the odds", () => {
    const odds = (score: number) => {
      const pd = scoreToPd(s, score);
      return (1 - pd) / pd;
    };
    expect(odds(620) / odds(600)).toBeCloseTo(2, 10);
    expect(odds(640)).toBeCloseTo(200, 8);
  });
  it("round-trips pd ↔ score ↔ logit", () => {
    for (const pd of [0.001, 0.05, 0.5, 0.97]) {
      const sc = pdToScore(s, pd);
      expect(scoreToPd(s, sc)).toBeCloseTo(pd, 12);
      expect(logitToScore(s, Math.log(pd / (1 - pd)))).toBeCloseTo(sc, 9);
      expect(scoreToLogit(s, sc)).toBeCloseTo(Math.log(pd / (1 - pd)), 12);
    }
  });
  it("custom parameters and validation", () => {
    const c = pdoScaling({ basePoints: 500, baseOdds: 1, pdo: 50 });
    expect(c.offset).toBe(500);
    expect(() => pdoScaling({ pdo: 0 })).toThrow(/pdo/);
  });
});
