import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsvText, typeTrainingTable } from "../../training/data/csv";
import { germanLikeCsv } from "../../training/data/synthetic";
import { trainModel } from "../../training/pipeline/auto";
import { writeTrained } from "../../training/pipeline/table";
import { compileModel, fromCompiled, loadModel, ModelLoadError, ModelRegistry, reasonsFor, type ModelSpec } from ".";

const tmp = mkdtempSync(join(tmpdir(), "scoring-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const table = typeTrainingTable(parseCsvText(germanLikeCsv({ rows: 700, seed: 3 })), { target: "class", positive: "bad" });
const row = (i: number) => Object.fromEntries(table.dataset.columns.map((c) => [c.name, typeof c.values[i] === "number" && Number.isNaN(c.values[i]) ? null : c.values[i]]));

describe("artifact round trip (auto: gbdt + mlp + scorecard)", () => {
  let dir: string;
  let trained: Awaited<ReturnType<typeof trainModel>>;
  beforeAll(async () => {
    trained = await trainModel(table.dataset, null, { seed: 1, gbdtBags: 1, gbdt: { learningRate: 0.1 }, mlp: { epochs: 8, hidden: [16] } });
    dir = join(tmp, "m1");
    await writeTrained(dir, trained, table.schema, "f".repeat(64), "data/fixtures/x.csv", [], { now: new Date("2026-01-02T03:04:05Z") });
  });

  it("loads with verified checksums and predicts exactly what training evaluated", () => {
    const m = loadModel(dir);
    expect(m.id).toBe("pd-x-20260102T030405Z-ffffffff");
    expect(m.features.map((f) => f.name)).toEqual(table.schema.features.map((f) => f.name));
    for (let i = 0; i < 25; i++) expect(m.predict(row(i))).toBeCloseTo(trained.compiled.predict(row(i)), 12);
    const batch = m.predictBatch([row(0), row(1)]);
    expect(batch[1]).toBeCloseTo(m.predict(row(1)), 14);
    expect((m.metrics as { validation: { auc: number } }).validation.auc).toBeGreaterThan(0.6);
    // The reference for reason sentences: the stored baseline (training median) of every numeric input.
    const numeric = trained.spec.inputs.flatMap((inp, j) => (inp.kind === "numeric" && trained.spec.baseline[j] !== null ? [[inp.name, trained.spec.baseline[j]]] : []));
    expect(m.reference).toEqual(Object.fromEntries(numeric));
    expect(Object.keys(m.reference ?? {}).length).toBeGreaterThan(0);
    for (const f of ["manifest.json", "model.json", "metrics.json", "report.html", "scorecard.csv"]) expect(existsSync(join(dir, f))).toBe(true);
  });

  it("explains every component: attributions add up to logit - baseLogit", () => {
    const m = loadModel(dir);
    for (let i = 0; i < 10; i++) {
      const e = m.explain(row(i));
      const sum = e.contributions.reduce((s, c) => s + c.contribution, 0);
      expect(sum).toBeCloseTo(e.logit - e.baseLogit, 8);
      expect(e.pd).toBeCloseTo(m.predict(row(i)), 12);
      expect(e.logit).toBeCloseTo(Math.log(e.pd / (1 - e.pd)), 8);
      expect(e.score).toBeCloseTo(600 - (20 / Math.LN2) * (e.logit + Math.log(50)), 8);
      for (let k = 1; k < e.contributions.length; k++) expect(e.contributions[k - 1].contribution).toBeGreaterThanOrEqual(e.contributions[k].contribution);
      const fast = m.explain(row(i), { method: "path" });
      expect(fast.pd).toBe(e.pd);
      expect(fast.contributions.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(e.logit - e.baseLogit, 8);
    }
  });

  it("batch path: predictBatch/predictColumns equal predict on every component blended (missing, unseen levels, numeric strings)", () => {
    // Every candidate in one blend (with the trained calibrator), so each column kernel is exercised.
    const spec: ModelSpec = { ...trained.spec, components: trained.candidateSpecs, blend: { bias: 0.3, weights: Object.fromEntries(Object.keys(trained.candidateSpecs).map((n, i) => [n, 0.4 + 0.2 * i])) } };
    expect(Object.keys(spec.components).sort()).toEqual(["gbdt", "mlp", "scorecard"]);
    const cm = compileModel(spec);
    const cols = table.dataset.columns;
    const rnd = (() => {
      let a = 12345;
      return () => ((a = (a * 1103515245 + 12345) >>> 0) / 2 ** 32);
    })();
    const recs: Record<string, unknown>[] = [];
    for (let i = 0; i < 3000; i++) {
      const base = row(i % table.dataset.n);
      const rec: Record<string, unknown> = {};
      for (const c of cols) {
        const u = rnd();
        let v = base[c.name];
        if (u < 0.08) v = null;
        else if (u < 0.1) continue; // absent key
        else if (c.kind === "categorical" && u < 0.15) v = `unseen-${i % 3}`;
        else if (c.kind === "categorical" && u < 0.17) v = ` ${String(v)} `;
        else if (c.kind === "numeric" && typeof v === "number" && u < 0.2) v = String(v);
        else if (c.kind === "numeric" && typeof v === "number" && u < 0.25) v = v * (0.5 + rnd());
        else if (c.kind === "numeric" && u < 0.26) v = "";
        rec[c.name] = v;
      }
      recs.push(rec);
    }
    recs.push({}, { [cols[0].name]: Infinity }, { [cols[0].name]: true });
    const m = fromCompiled(loadModel(dir).manifest, cm, {});
    const batch = m.predictBatch(recs);
    let maxDiff = 0;
    for (let i = 0; i < recs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(batch[i] - cm.predict(recs[i])));
    expect(maxDiff).toBeLessThan(1e-12);
    // Raw columns straight into predictColumns (numeric as Float64Array, categorical as raw arrays).
    const columns = Object.fromEntries(
      cols.map((c) => [c.name, c.kind === "numeric" ? Float64Array.from(recs, (r) => (typeof r[c.name] === "number" ? (r[c.name] as number) : NaN)) : recs.map((r) => r[c.name] ?? null)]),
    );
    const n = 3000;
    const pc = cm.predictColumns(columns, n);
    for (let i = 0; i < n; i++) {
      const r = Object.fromEntries(cols.map((c) => [c.name, c.kind === "numeric" ? (columns[c.name] as Float64Array)[i] : (columns[c.name] as unknown[])[i]]));
      expect(Math.abs(pc[i] - cm.predict(r))).toBeLessThan(1e-12);
    }
    expect(cm.predictColumns({}, 2)[1]).toBe(cm.predict({}));
    expect(() => cm.predictColumns({ [cols[0].name]: new Float64Array(1) }, 2)).toThrow(/has 1 values, expected at least 2/);
  });

  it("treats missing and unknown keys as missing", () => {
    const m = loadModel(dir);
    const p = m.predict({});
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
    expect(m.predict({ purpose: "never-seen-level", bogus: 1 })).toBeGreaterThan(0);
  });

  it("refuses a corrupted file, a missing file and another format version, naming the file", () => {
    const bad = join(tmp, "bad");
    for (const [name, mutate] of [
      ["model.json", (d: string) => writeFileSync(join(d, "model.json"), readFileSync(join(d, "model.json"), "utf8").replace(/\d/, "7"))],
      ["metrics.json", (d: string) => rmSync(join(d, "metrics.json"))],
      ["manifest.json", (d: string) => writeFileSync(join(d, "manifest.json"), readFileSync(join(d, "manifest.json"), "utf8").replace('"formatVersion": 1', '"formatVersion": 99'))],
    ] as const) {
      rmSync(bad, { recursive: true, force: true });
      cpSync(dir, bad, { recursive: true });
      mutate(bad);
      let err: unknown;
      try {
        loadModel(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ModelLoadError);
      expect((err as ModelLoadError).message).toContain(name);
    }
  });

  it("registry: register, promote atomically, swap the champion by reference", () => {
    const reg = new ModelRegistry(join(tmp, "models"));
    expect(reg.champion()).toBeNull();
    const id = reg.register(dir);
    expect(reg.list().map((e) => e.id)).toEqual([id]);
    const before = reg.promote(id, new Date("2026-01-03T00:00:00Z"));
    expect(reg.championId()).toBe(id);
    expect(reg.champion()).toBe(before);
    expect(JSON.parse(readFileSync(join(tmp, "models", "champion.json"), "utf8"))).toEqual({ id, promotedAt: "2026-01-03T00:00:00.000Z" });
    expect(existsSync(join(tmp, "models", "champion.json.tmp"))).toBe(false);
    expect(() => reg.get("nope")).toThrow(/does not exist/);
  });
});

describe("reasons on a constructed model", () => {
  // One tree on late_1_30_share_365 (a catalog feature) and one on a generic categorical input.
  const spec: ModelSpec = {
    formatVersion: 1,
    inputs: [
      { name: "late_1_30_share_365", kind: "numeric" },
      { name: "region", kind: "categorical", levels: { north: -0.5, south: 0.8 }, unknown: 0 },
    ],
    components: {
      gbdt: {
        type: "gbdt",
        baseScore: -2,
        trees: [
          { feature: [0, -1, -1], threshold: [0.2, 0, 0], missingLeft: [1, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, -0.5, 1.5], cover: [100, 80, 20] },
          { feature: [1, -1, -1], threshold: [0, 0, 0], missingLeft: [1, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, -0.1, 0.3], cover: [100, 50, 50] },
        ],
      },
    },
    blend: { bias: 0, weights: { gbdt: 1 } },
    calibrator: { type: "platt", a: 1, b: 0 },
    scaling: { base: 600, baseOdds: 50, pdo: 20 },
    baseline: [0.1, 0],
  };
  const m = compileModel(spec);

  it("ranks the dominant feature first with its catalog sentence; generic sentence otherwise", () => {
    const e = m.explain({ late_1_30_share_365: 0.45, region: "south" });
    // f0 contributes 1.5 - (0.8*-0.5 + 0.2*1.5) = 1.6; region 0.3 - 0.1 = 0.2.
    expect(e.contributions[0]).toMatchObject({ feature: "late_1_30_share_365", value: 0.45 });
    expect(e.contributions[0].contribution).toBeCloseTo(1.6, 12);
    expect(e.contributions[1].contribution).toBeCloseTo(0.2, 12);
    expect(e.logit).toBeCloseTo(-2 + 1.5 + 0.3, 9);
    const r = reasonsFor(e.contributions);
    expect(r.map((x) => x.code)).toEqual(["R_LATE_1_30_SHARE_365", "R_REGION"]);
    expect(r[0].en).toContain("45%");
    expect(r[0].zh).toContain("45%");
    expect(r[1].en).toBe("region (south) raises the estimated risk of default");
    expect(reasonsFor(m.explain({ late_1_30_share_365: 0.0, region: "north" }).contributions)).toEqual([]);
  });
});
