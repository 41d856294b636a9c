import { describe, expect, it } from "vitest";
import type { FeatureVector } from "../../features";
import { psi } from "../../numeric";
import { FeatureColumn, Sample, StridedSample } from "./drift";

/** The column as the drift job built it before streaming: all rows at once, codes in order of appearance. */
function columnOf(rows: readonly FeatureVector[], name: string, codes: Map<string, number>): Float64Array {
  const out = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    const v = r[name];
    if (v === null || v === undefined) out[i] = NaN;
    else if (typeof v === "number") out[i] = v;
    else {
      let c = codes.get(v as string);
      if (c === undefined) codes.set(v as string, (c = codes.size));
      out[i] = c;
    }
  });
  return out;
}

const LEVELS = ["trading", "manufacturing", "retail", "logistics", "services"];
function rows(n: number, seed: number, shift = 0): FeatureVector[] {
  let s = seed;
  const rnd = () => ((s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  return Array.from({ length: n }, () => ({
    dso: rnd() < 0.1 ? null : Math.round(30 + 40 * rnd() + shift),
    industry: rnd() < 0.05 ? null : LEVELS[Math.floor(rnd() * (shift ? 5 : 3))],
    mixed: rnd() < 0.5 ? rnd() : "n/a",
  }));
}

describe("drift accumulators", () => {
  it("give the same columns and PSI as whole-portfolio columns, fed in batches with recent rows interleaved", () => {
    const ref = rows(3_000, 7);
    const rec = rows(1_200, 11, 5);
    const names = ["dso", "industry", "mixed"];
    const recent = new Sample(names);
    const reference = new StridedSample(names, 10_000);
    const pd = (rs: readonly FeatureVector[]) => Float64Array.from(rs, (r) => (typeof r.dso === "number" ? r.dso / 100 : 0.5));
    // Recent batches arrive before the reference rows, so their categories are seen first here.
    for (let b = 0; b < 3; b++) {
      const rb = rec.slice(b * 400, (b + 1) * 400);
      recent.push(rb, pd(rb));
      reference.add(ref.slice(b * 1_000, (b + 1) * 1_000), pd);
    }
    reference.finish();
    expect(reference.length).toBe(3_000);
    expect(recent.length).toBe(1_200);
    expect([...reference.pd.view()]).toEqual([...pd(ref)]);
    for (const name of names) {
      const oldCodes = new Map<string, number>();
      const a = columnOf(ref, name, oldCodes);
      const b = columnOf(rec, name, oldCodes);
      const codes = new Map<string, number>();
      const x = reference.features.get(name)!.encode(codes);
      const y = recent.features.get(name)!.encode(codes);
      expect([...x]).toEqual([...a]);
      expect([...y]).toEqual([...b]);
      expect(psi(x, y, { bins: 10 }).psi).toBe(psi(a, b, { bins: 10 }).psi);
    }
    expect(psi(reference.pd.view(), recent.pd.view(), { bins: 10 }).psi).toBeGreaterThan(0.1);
  });

  it("bounds the reference sample to 2 x max rows and ends with an even stride of at most max", () => {
    const s = new StridedSample(["v"], 100);
    let held = 0;
    for (let b = 0; b < 50; b++) {
      s.add(Array.from({ length: 97 }, (_, i) => ({ v: b * 97 + i })), (rs) => new Float64Array(rs.length));
      held = Math.max(held, s.length);
    }
    expect(held).toBeLessThanOrEqual(200);
    s.finish();
    expect(s.length).toBe(100);
    const v = [...s.features.get("v")!.values.view()];
    expect(v[0]).toBe(0);
    const gaps = v.slice(1).map((x, i) => x - v[i]);
    // 4,850 rows kept at a stride of 32 (152 held), then every 1.52nd of those: gaps of 32 or 64 rows.
    expect(new Set(gaps)).toEqual(new Set([32, 64]));
    expect(v[99]).toBeGreaterThan(4_700);
  });

  it("keeps a column's categories apart from its numbers when compacted", () => {
    const c = new FeatureColumn();
    ["a", 1, null, "b", 2, "a"].forEach((x) => c.push(x));
    c.compact([0, 1, 3, 5]);
    expect([...c.encode(new Map([["b", 0]]))]).toEqual([1, 1, 0, 1]);
  });
});
