import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assignBins, auc, binNumeric, ks, psi } from "./index";

const labelled = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: -50, max: 50 })), { minLength: 2, maxLength: 200 })
  .filter((rows) => rows.some((r) => r[0] === 1) && rows.some((r) => r[0] === 0));

/** O(n²) pair count, the definition of AUC. */
function pairAuc(y: number[], p: number[]): number {
  let s = 0;
  let m = 0;
  for (let i = 0; i < y.length; i++) for (let j = 0; j < y.length; j++) {
    if (y[i] === 1 && y[j] === 0) {
      m++;
      s += p[i] > p[j] ? 1 : p[i] === p[j] ? 0.5 : 0;
    }
  }
  return s / m;
}

describe("metric properties", () => {
  it("AUC equals the pair-count definition, flips under negation and ignores monotone transforms", () => {
    fc.assert(
      fc.property(labelled, (rows) => {
        const y = rows.map((r) => r[0]);
        const p = rows.map((r) => r[1]);
        const a = auc(y, p);
        expect(a).toBeCloseTo(pairAuc(y, p), 12);
        expect(auc(y, p.map((v) => -v))).toBeCloseTo(1 - a, 12);
        expect(auc(y, p.map((v) => Math.exp(v / 10)))).toBeCloseTo(a, 12);
        const k = ks(y, p).ks;
        expect(k).toBeGreaterThanOrEqual(0);
        expect(k).toBeLessThanOrEqual(1);
      }),
      { numRuns: 150 },
    );
  });
  it("PSI is non-negative and zero against itself", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 100 }), fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 100 }), (a, b) => {
        expect(psi(a, b).psi).toBeGreaterThanOrEqual(0);
        expect(psi(a, a).psi).toBeCloseTo(0, 12);
      }),
      { numRuns: 100 },
    );
  });
});

describe("binning properties", () => {
  it("counts add up, every row lands in the bin that counted it, and the trend holds", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.oneof(fc.constant(NaN), fc.constant(-1), fc.integer({ min: 0, max: 30 }))), { minLength: 1, maxLength: 300 }),
        (rows) => {
          const y = rows.map((r) => r[0]);
          const x = rows.map((r) => r[1]);
          const b = binNumeric("x", x, y, { specialValues: [-1], minBinShare: 0.05, maxBins: 4 });
          expect(b.bins.reduce((s, q) => s + q.count, 0)).toBe(rows.length);
          const idx = assignBins(b, x);
          const cnt = new Array(b.bins.length).fill(0);
          idx.forEach((k) => cnt[k]++);
          expect(cnt).toEqual(b.bins.map((q) => q.count));
          const ranges = b.bins.filter((q) => q.kind === "range" && q.count > 0);
          expect(ranges.length).toBeLessThanOrEqual(4);
          for (let i = 1; i < ranges.length; i++) {
            if (b.trend === "ascending") expect(ranges[i].eventRate).toBeGreaterThan(ranges[i - 1].eventRate);
            if (b.trend === "descending") expect(ranges[i].eventRate).toBeLessThan(ranges[i - 1].eventRate);
          }
          for (const q of b.bins) expect(Number.isFinite(q.woe)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
