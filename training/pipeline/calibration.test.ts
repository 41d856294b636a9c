import { describe, expect, it } from "vitest";
import { applyCalibrator } from "../../src/scoring";
import { mulberry32 } from "../util/random";
import { fitBlend } from "./blend";
import { fitCalibrator, fitIsotonic, fitPlatt } from "./calibration";

describe("calibration", () => {
  it("Platt scaling recovers a known logistic link", () => {
    const r = mulberry32(11);
    const n = 20000;
    const m = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      m[i] = r() * 8 - 4;
      y[i] = r() < 1 / (1 + Math.exp(-(0.5 * m[i] - 1))) ? 1 : 0;
    }
    const p = fitPlatt(m, y);
    expect(p.a).toBeCloseTo(0.5, 1);
    expect(p.b).toBeCloseTo(-1, 1);
    expect(fitCalibrator(m, y).spec.type).toBe("platt");
  });

  it("isotonic regression pools adjacent violators", () => {
    // y by m: 0,1,0,1,1 -> blocks {0} {1,0}->0.5 {1,1}
    const c = fitIsotonic([1, 2, 3, 4, 5], [0, 1, 0, 1, 1]);
    expect(c.x).toEqual([1, 2.5, 4.5]);
    expect(c.y).toEqual([1e-4, 0.5, 1 - 1e-4]);
    expect(applyCalibrator(c, 2.5)).toBeCloseTo(0.5, 12);
    expect(applyCalibrator(c, 3.5)).toBeCloseTo(0.5 + 0.5 * (0.9999 - 0.5), 12);
    expect(applyCalibrator(c, -10)).toBeCloseTo(1e-4, 12);
  });

  it("blend weights favour the informative candidate", () => {
    const r = mulberry32(2);
    const n = 3000;
    const good = new Float64Array(n), noise = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      good[i] = r() * 4 - 2;
      noise[i] = 100 * r();
      y[i] = r() < 1 / (1 + Math.exp(-2 * good[i])) ? 1 : 0;
    }
    const b = fitBlend({ good, noise }, y);
    expect(b.weights.noise).toBe(0);
    expect(b.weights.good).toBeGreaterThan(0);
  });
});
