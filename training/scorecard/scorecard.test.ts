import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AppError, ValidationError } from "../../src/shared";
import { auc, logitToScore } from "../../src/numeric";
import type { Dataset } from "../data/dataset";
import { applySchema, loadTrainingTable, readCsvFile } from "../data/csv";
import { FittedScorecard, ScorecardEstimator } from "./index";

/** Deterministic credit-like data: utilisation (risk up), tenure (risk down), sector, junk columns. */
function synth(n: number, seed = 11): Dataset {
  let s = seed;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const util = new Float64Array(n);
  const tenure = new Float64Array(n);
  const constant = new Float64Array(n).fill(5);
  const empty = new Float64Array(n).fill(NaN);
  const noise = new Float64Array(n);
  const sector: (string | null)[] = [];
  const y = new Uint8Array(n);
  const sectors = ["retail", "construction", "it", "food", "mining"];
  const sectorRisk = [0.3, 1.0, -0.5, 0, 0.6];
  for (let i = 0; i < n; i++) {
    util[i] = u() < 0.08 ? NaN : u() * 1.2;
    tenure[i] = Math.floor(u() * 240);
    noise[i] = u();
    const k = Math.floor(u() * sectors.length);
    sector.push(u() < 0.05 ? null : sectors[k]);
    const z = -2.2 + 2.0 * (Number.isNaN(util[i]) ? 0.9 : util[i]) - 0.006 * tenure[i] + sectorRisk[k];
    y[i] = u() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return {
    n,
    y,
    columns: [
      { name: "utilisation", kind: "numeric", values: util },
      { name: "tenure_months", kind: "numeric", values: tenure },
      { name: "sector", kind: "categorical", values: sector },
      { name: "constant", kind: "numeric", values: constant },
      { name: "empty", kind: "numeric", values: empty },
      { name: "noise", kind: "numeric", values: noise },
    ],
  };
}

function recordAt(ds: Dataset, i: number): Record<string, unknown> {
  return Object.fromEntries(ds.columns.map((c) => [c.name, c.values[i]]));
}

describe("ScorecardEstimator", () => {
  const train = synth(4000);
  const test = synth(2000, 99);
  const est = new ScorecardEstimator({ seed: 3 });
  const model = est.fit(train);

  it("constructor stores resolved params only; bad params are validation errors", () => {
    expect(est.params).toMatchObject({ minIv: 0.02, maxFeatures: 15, maxCorrelation: 0.8, l2: 1, seed: 3 });
    expect(est.params.scaling).toEqual({ basePoints: 600, baseOdds: 50, pdo: 20 });
    expect(() => new ScorecardEstimator({ maxCorrelation: 2 })).toThrow(ValidationError);
  });

  it("selects the informative features and explains the dropped ones", () => {
    expect(model.selected.map((s) => s.feature).sort()).toEqual(["sector", "tenure_months", "utilisation"]);
    const why = Object.fromEntries(model.selection.map((e) => [e.feature, e.reason ?? "selected"]));
    expect(why).toMatchObject({ constant: "constant", empty: "all-missing", noise: "low-iv" });
    expect(model.notes.join("\n")).toMatch(/constant/);
    for (const f of model.features) expect(f.coefficient).toBeGreaterThan(0);
    const util = model.features.find((f) => f.name === "utilisation")!;
    expect(util.binning.trend).toBe("ascending");
    expect(model.features.find((f) => f.name === "tenure_months")!.binning.trend).toBe("descending");
  });

  it("ranks unseen data well and is reproducible", () => {
    expect(auc(test.y!, model.predictProba(test))).toBeGreaterThan(0.7);
    expect(JSON.stringify(new ScorecardEstimator({ seed: 99 }).fit(train).toJSON().features)).toBe(JSON.stringify(model.toJSON().features));
  });

  it("score = Σ points = offset − factor·logit; contributions add up to logit − baseline", () => {
    const z = model.logit(test);
    const sc = model.score(test);
    for (const i of [0, 1, 17, 500, 1999]) {
      const e = model.explain(test, i);
      expect(e.logit).toBeCloseTo(z[i], 10);
      expect(e.contributions.reduce((a, c) => a + c.logOddsContribution, 0)).toBeCloseTo(e.logit - e.baselineLogit, 10);
      expect(e.contributions.reduce((a, c) => a + c.points, 0)).toBeCloseTo(sc[i], 8);
      expect(sc[i]).toBeCloseTo(logitToScore(model.scaling, z[i]), 8);
      for (const c of e.contributions) expect(c.pointsLostVsBest).toBeGreaterThanOrEqual(0);
      // Positive log-odds contribution means fewer points than average evidence would give.
      const rec = model.explain(recordAt(test, i));
      expect(rec).toEqual(e);
    }
  });

  it("scoreRow (compiled) agrees with the batch path, also on raw strings and unseen categories", () => {
    const pd = model.predictProba(test);
    const sc = model.score(test);
    for (let i = 0; i < 200; i++) {
      const r = model.scoreRow(recordAt(test, i));
      expect(r.pd).toBeCloseTo(pd[i], 12);
      expect(r.score).toBeCloseTo(sc[i], 8);
    }
    const base = { utilisation: "0.5", tenure_months: 12, sector: "retail" };
    expect(model.scoreRow(base).pd).toBeCloseTo(model.scoreRow({ ...base, utilisation: 0.5 }).pd, 12);
    const sectorFeature = model.features.find((f) => f.name === "sector")!;
    const fallback = sectorFeature.binning.bins[sectorFeature.binning.fallbackBin];
    expect(model.explain({ ...base, sector: "space travel" }).contributions.find((c) => c.feature === "sector")!.binLabel).toBe(fallback.label);
    expect(model.explain({ ...base, sector: undefined }).contributions.find((c) => c.feature === "sector")!.binLabel).toBe("missing");
  });

  it("round-trips through JSON and rejects wrong or malformed content", () => {
    const text = JSON.stringify(model.toJSON());
    const back = ScorecardEstimator.load(text);
    expect(back).toBeInstanceOf(FittedScorecard);
    expect(Array.from(back.predictProba(test))).toEqual(Array.from(model.predictProba(test)));
    expect(back.pointsTable()).toEqual(model.pointsTable());
    const j = JSON.parse(text);
    expect(() => FittedScorecard.fromJSON({ ...j, name: "gbdt" })).toThrow(/expected name "scorecard"/);
    expect(() => FittedScorecard.fromJSON({ ...j, version: 2 })).toThrow(/expected version 1/);
    expect(() => FittedScorecard.fromJSON({ ...j, intercept: "x" })).toThrow(/malformed content at \/intercept/);
    expect(() => FittedScorecard.fromJSON("{oops")).toThrow(AppError);
    const broken = JSON.parse(text);
    broken.features[0].binning.missingBin = 0;
    expect(() => FittedScorecard.fromJSON(broken)).toThrow(/missingBin/);
  });

  it("points table and CSV are readable", () => {
    const rows = model.pointsTable();
    expect(rows.length).toBe(model.features.reduce((a, f) => a + f.binning.bins.length, 0));
    const csv = model.toCsv();
    expect(csv.split("\n")[0]).toBe("feature,bin,points,count,share,event_rate,woe,iv");
    expect(csv).toMatch(/utilisation,missing,/);
  });

  it("validates the training set", () => {
    expect(() => est.fit({ ...train, y: null })).toThrow(/0\/1 target/);
    expect(() => est.fit({ ...train, y: new Uint8Array(train.n) })).toThrow(/both classes/);
    expect(() => new ScorecardEstimator({ features: ["nope"] }).fit(train)).toThrow(/nope/);
    expect(() => model.predictProba({ n: 1, y: null, columns: [] })).toThrow(/utilisation/);
  });

  it("works on a tiny data set and when nothing is informative", () => {
    const tiny = synth(250, 5);
    const m = new ScorecardEstimator().fit(tiny);
    expect(m.features.length).toBeGreaterThan(0);
    const none = new ScorecardEstimator({ features: ["noise"] }).fit(train);
    expect(none.features).toHaveLength(0);
    const p = none.predictProba(test);
    expect(p[0]).toBeCloseTo(train.y!.reduce((a, b) => a + b, 0) / train.n, 6);
    expect(none.explain(test, 0).score).toBeCloseTo(none.score(test)[0], 8);
  });
});

const TRAIN = "../shared/data/uci-taiwan-train.csv";
describe.runIf(existsSync(TRAIN))("quality on UCI Taiwan", () => {
  it("test AUC ≥ 0.77 (logistic-regression peer: 0.728)", () => {
    const tr = loadTrainingTable(TRAIN, { target: "target" });
    const te = applySchema(readCsvFile("../shared/data/uci-taiwan-test.csv"), tr.schema, { mode: "test" });
    const m = new ScorecardEstimator().fit(tr.dataset);
    const a = auc(te.y!, m.predictProba(te));
    expect(a).toBeGreaterThan(0.77);
  });
});
