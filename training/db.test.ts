import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generatePortfolio, portfolioHistories } from "../src/demo";
import { loadModel } from "../src/scoring";
import { computeFeatures } from "../src/features";
import { openDatabase, seedDemo } from "../src/db";
import { trainFromDatabase, trainFromHistories } from "./db";
import { createPgDatabase, hasPostgres } from "../test/support/servers";

const tmp = mkdtempSync(join(tmpdir(), "train-db-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("training from payment history", () => {
  it("builds labelled snapshots from histories, trains, and the model scores live feature vectors", async () => {
    const portfolio = generatePortfolio({ customers: 250, seed: 5, asOf: "2026-06-30" });
    const histories = portfolioHistories(portfolio);
    const out = join(tmp, "m");
    const r = await trainFromHistories(histories, { out, now: new Date("2026-07-01T00:00:00Z"), model: "gbdt", seed: 1, everyMonths: 3 });
    expect(r.notes[0]).toMatch(/snapshots of \d+ customers, \d+ defaults within 12 months/);
    const m = loadModel(out);
    expect(m.name).toBe("pd-payment-history");
    expect(m.features.length).toBeGreaterThan(5);
    const fv = computeFeatures(histories[0], "2026-06-30");
    const e = m.explain(fv);
    expect(e.pd).toBeGreaterThan(0);
    expect(e.contributions.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(e.logit - e.baseLogit, 8);
    expect((m.metrics as { validation: { auc: number } }).validation.auc).toBeGreaterThan(0.55);
  });

  it("trains from a SQLite database seeded with the demo portfolio (loadHistories path)", async () => {
    const db = await openDatabase(`file:${join(tmp, "credit.db")}`);
    try {
      await seedDemo(db, { customers: 150, seed: 9, asOf: "2026-06-30" });
      const r = await trainFromDatabase(db, { out: join(tmp, "db-model"), now: new Date("2026-07-01T00:00:00Z"), model: "scorecard", seed: 2 });
      expect(r.manifest.trainingData.source).toBe("payment-history");
      expect(r.trained.metrics.train.n).toBeGreaterThan(100);
      expect(loadModel(join(tmp, "db-model")).kind).toBe("scorecard");
    } finally {
      await db.close();
    }
  });
});

describe.runIf(hasPostgres)("training from payment history on PostgreSQL", () => {
  it("trains from a PostgreSQL database seeded with the demo portfolio", async () => {
    const pg = await createPgDatabase("train");
    const db = await openDatabase(pg.url);
    try {
      await seedDemo(db, { customers: 120, seed: 11, asOf: "2026-06-30" });
      const r = await trainFromDatabase(db, { out: join(tmp, "pg-model"), now: new Date("2026-07-01T00:00:00Z"), model: "scorecard", seed: 2 });
      expect(r.trained.metrics.train.n).toBeGreaterThan(100);
      expect(loadModel(join(tmp, "pg-model")).manifest.trainingData.source).toBe("payment-history");
    } finally {
      await db.close();
      await pg.drop();
    }
  });
});
