import { describe, expect, it } from "vitest";
import { assignBins, binCategorical, binNumeric, compileBinning, transformWoe } from "./binning";
import { woeIv, ivStrength } from "./woe";

describe("woeIv", () => {
  it("matches the textbook table without smoothing", () => {
    // /usr/bin/python3: pb = ev/ev.sum(); pg = ne/ne.sum(); w = log(pb/pg); iv = ((pb-pg)*w).sum()
    const r = woeIv([10, 20, 30], [90, 80, 70], 0);
    expect(r.woe[0]).toBeCloseTo(-0.8109302162163288, 12);
    expect(r.woe[1]).toBeCloseTo(0, 12);
    expect(r.woe[2]).toBeCloseTo(0.5389965007326869, 12);
    expect(r.totalIv).toBeCloseTo(0.2812347326977116, 12);
    expect(ivStrength(r.totalIv)).toBe("medium");
  });
  it("smoothing keeps one-class bins finite; empty bins are neutral", () => {
    const r = woeIv([0, 5, 0], [10, 5, 0]);
    // (0+0.5)/(5+1) over (10+0.5)/(15+1)
    expect(r.woe[0]).toBeCloseTo(Math.log(0.5 / 6 / (10.5 / 16)), 12);
    expect(r.woe[2]).toBe(0);
    expect(r.iv[2]).toBe(0);
  });
});

/** Deterministic rows whose bad rate rises with x in steps, with missing and special values. */
function stepData(n: number) {
  const x = new Float64Array(n);
  const y = new Uint8Array(n);
  let s = 7;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < n; i++) {
    const r = u();
    if (r < 0.05) x[i] = NaN;
    else if (r < 0.1) x[i] = -1;
    else x[i] = Math.floor(u() * 1000);
    const pBad = Number.isNaN(x[i]) ? 0.5 : x[i] === -1 ? 0.05 : 0.05 + 0.3 * (x[i] / 1000);
    y[i] = u() < pBad ? 1 : 0;
  }
  return { x, y };
}

describe("binNumeric", () => {
  const { x, y } = stepData(5000);
  const b = binNumeric("x", x, y, { specialValues: [-1], maxBins: 5 });
  it("finds an ascending trend with at most maxBins range bins plus special and missing", () => {
    expect(b.trend).toBe("ascending");
    const ranges = b.bins.filter((q) => q.kind === "range");
    expect(ranges.length).toBeGreaterThanOrEqual(3);
    expect(ranges.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i].eventRate).toBeGreaterThan(ranges[i - 1].eventRate);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i].woe).toBeGreaterThan(ranges[i - 1].woe);
    expect(ranges[0].lower).toBeNull();
    expect(ranges[ranges.length - 1].upper).toBeNull();
    for (let i = 1; i < ranges.length; i++) expect(ranges[i].lower).toBe(ranges[i - 1].upper);
    for (const r of ranges) expect(r.count).toBeGreaterThanOrEqual(0.05 * 5000);
    expect(b.bins.map((q) => q.kind).slice(-2)).toEqual(["special", "missing"]);
    expect(b.n).toBe(5000);
    expect(b.iv).toBeGreaterThan(0.1);
  });
  it("counts and WoE agree with a direct recount", () => {
    const idx = assignBins(b, x);
    const cnt = new Array(b.bins.length).fill(0);
    const ev = new Array(b.bins.length).fill(0);
    for (let i = 0; i < x.length; i++) {
      cnt[idx[i]]++;
      ev[idx[i]] += y[i];
    }
    expect(cnt).toEqual(b.bins.map((q) => q.count));
    expect(ev).toEqual(b.bins.map((q) => q.events));
    const w = woeIv(ev, cnt.map((c, k) => c - ev[k]), 0.5);
    expect(Array.from(transformWoe(b, x).slice(0, 50))).toEqual(Array.from(idx.slice(0, 50)).map((k) => w.woe[k]));
    // Missing rows are much riskier, special rows much safer.
    expect(b.bins[b.missingBin].woe).toBeGreaterThan(0.5);
    expect(b.bins[b.missingBin - 1].woe).toBeLessThan(-0.5);
  });
  it("detects a descending trend and respects an explicit trend", () => {
    const neg = x.map((v) => (Number.isNaN(v) || v === -1 ? v : -v));
    expect(binNumeric("x", neg, y, { specialValues: [-1] }).trend).toBe("descending");
    const forced = binNumeric("x", x, y, { trend: "descending", specialValues: [-1] });
    expect(forced.bins.filter((q) => q.kind === "range").length).toBe(1);
  });
  it("fits a valley shape for U-shaped risk only when asked", () => {
    let s2 = 3;
    const u = () => (s2 = (s2 * 16807) % 2147483647) / 2147483647;
    const n = 6000;
    const age = new Float64Array(n);
    const yy = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      age[i] = 18 + Math.floor(u() * 60);
      const d = (age[i] - 45) / 27;
      yy[i] = u() < 0.05 + 0.3 * d * d ? 1 : 0;
    }
    const mono = binNumeric("age", age, yy);
    const uni = binNumeric("age", age, yy, { trend: "auto-unimodal" });
    expect(uni.trend).toBe("valley");
    expect(uni.iv).toBeGreaterThan(mono.iv * 1.05);
    const r = uni.bins.filter((q) => q.kind === "range").map((q) => q.eventRate);
    const lowest = r.indexOf(Math.min(...r));
    for (let i = 1; i <= lowest; i++) expect(r[i]).toBeLessThan(r[i - 1]);
    for (let i = lowest + 1; i < r.length; i++) expect(r[i]).toBeGreaterThan(r[i - 1]);
    expect(binNumeric("age", age, yy, { trend: "peak" }).trend).toBe("peak");
  });
  it("handles constant, all-missing and few-distinct columns", () => {
    const yy = new Uint8Array([0, 1, 0, 1, 0, 0]);
    const c = binNumeric("c", new Float64Array(6).fill(3), yy);
    expect(c.bins.filter((q) => q.kind === "range")).toHaveLength(1);
    expect(c.iv).toBe(0);
    const m = binNumeric("m", new Float64Array(6).fill(NaN), yy);
    expect(m.bins[0]).toMatchObject({ kind: "range", count: 0, woe: 0 });
    expect(m.bins[m.missingBin].count).toBe(6);
    const d = binNumeric("d", [1, 1, 2, 2, 3, 3], [0, 0, 0, 1, 1, 1], { minBinShare: 0 });
    expect(d.bins.filter((q) => q.kind === "range").map((q) => q.label)).toEqual(["<= 1", "(1, 2]", "> 2"]);
    // No missing in training: missing scores as the population average.
    expect(d.bins[d.missingBin]).toMatchObject({ count: 0, woe: 0 });
  });
  it("lookup parses strings and treats junk as missing", () => {
    const lk = compileBinning(b);
    expect(lk.binOf("999")).toBe(lk.binOfNumber(999));
    expect(lk.binOf(" ")).toBe(b.missingBin);
    expect(lk.binOf("abc")).toBe(b.missingBin);
    expect(lk.binOf(null)).toBe(b.missingBin);
    expect(lk.binOf(-1)).toBe(b.missingBin - 1);
  });
  it("is JSON round-trippable", () => {
    const back = JSON.parse(JSON.stringify(b));
    expect(Array.from(transformWoe(back, x))).toEqual(Array.from(transformWoe(b, x)));
  });
  it("scales: 300k rows bin fast", () => {
    const big = stepData(300_000);
    const t0 = performance.now();
    const r = binNumeric("x", big.x, big.y, { maxPreBins: 50 });
    expect(r.n).toBe(300_000);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe("binCategorical", () => {
  const cats: (string | null)[] = [];
  const y: number[] = [];
  const spec: [string | null, number, number][] = [
    ["A", 400, 20],
    ["B", 300, 60],
    ["C", 200, 80],
    ["D", 10, 5],
    ["E", 8, 1],
    [null, 50, 25],
    ["", 2, 0],
  ];
  for (const [c, n, bad] of spec) for (let i = 0; i < n; i++) {
    cats.push(c);
    y.push(i < bad ? 1 : 0);
  }
  const b = binCategorical("cat", cats, y);
  it("orders by event rate, pools rare categories, keeps missing apart", () => {
    const catBins = b.bins.filter((q) => q.kind === "category");
    for (let i = 1; i < catBins.length; i++) expect(catBins[i].eventRate).toBeGreaterThanOrEqual(catBins[i - 1].eventRate);
    const other = catBins.find((q) => q.other)!;
    expect(other.categories).toEqual(expect.arrayContaining(["D", "E"]));
    expect(b.bins[b.fallbackBin]).toBe(other);
    expect(b.bins[b.missingBin]).toMatchObject({ kind: "missing", count: 52, events: 25 });
  });
  it("maps unseen categories to the fallback bin and numbers to strings", () => {
    const lk = compileBinning(b);
    expect(lk.binOf("ZZZ")).toBe(b.fallbackBin);
    expect(lk.binOf("")).toBe(b.missingBin);
    expect(lk.binOf("A")).toBe(b.bins.findIndex((q) => q.categories?.includes("A")));
    const n = binCategorical("n", ["1", "2", "1", "2"], [0, 1, 0, 1], { minBinShare: 0 });
    expect(compileBinning(n).binOf(2)).toBe(compileBinning(n).binOf("2"));
  });
  it("respects maxBins", () => {
    const r = binCategorical("cat", cats, y, { maxBins: 2, minBinShare: 0 });
    expect(r.bins.filter((q) => q.kind === "category")).toHaveLength(2);
  });
});
