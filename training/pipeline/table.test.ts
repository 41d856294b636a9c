import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "../../src/shared";
import { germanLikeCsv } from "../data/synthetic";
import { predictFile, trainFromTable } from "./table";

const tmp = mkdtempSync(join(tmpdir(), "table-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("trainFromTable / predictFile", () => {
  const model = join(tmp, "model");
  beforeAll(async () => {
    writeFileSync(join(tmp, "train.csv"), germanLikeCsv({ rows: 400, seed: 1 }));
    await trainFromTable({ train: join(tmp, "train.csv"), target: "class", out: model, model: "gbdt", seed: 1, now: new Date("2026-01-01T00:00:00Z") });
  });

  it("replaces an existing pd column, keeps extra columns and order, and keeps the delimiter", async () => {
    const lines = germanLikeCsv({ rows: 5, seed: 2 }).trim().split("\n");
    writeFileSync(join(tmp, "in.csv"), lines.map((l, i) => `${l};${i === 0 ? "pd;note" : `old;n${i}`}`).join("\n") + "\n");
    const r = await predictFile({ model, input: join(tmp, "in.csv"), out: join(tmp, "out.csv") });
    expect(r.rows).toBe(5);
    const out = readFileSync(join(tmp, "out.csv"), "utf8").trim().split("\n").map((l) => l.split(";"));
    expect(out[0].slice(-2)).toEqual(["pd", "note"]);
    expect(out.slice(1).map((c) => c[c.length - 1])).toEqual(["n1", "n2", "n3", "n4", "n5"]);
    for (const row of out.slice(1)) {
      const pd = Number(row[row.length - 2]);
      expect(pd).toBeGreaterThan(0);
      expect(pd).toBeLessThan(1);
    }
  });

  it("neutralises formula-like cells passed through to the output (CSV injection)", async () => {
    const lines = germanLikeCsv({ rows: 2, seed: 3 }).trim().split("\n");
    const cells = ["=HYPERLINK(\"http://x\")", "@SUM(A1)"];
    writeFileSync(join(tmp, "inj.csv"), lines.map((l, i) => `${l};${i === 0 ? "note" : cells[i - 1]}`).join("\n") + "\n");
    await predictFile({ model, input: join(tmp, "inj.csv"), out: join(tmp, "inj-out.csv") });
    const text = readFileSync(join(tmp, "inj-out.csv"), "utf8");
    expect(text).toContain(`'@SUM(A1)`);
    expect(text).toContain(`'=HYPERLINK`);
    expect(text).not.toMatch(/(^|;)[=@]/m);
  });

  it("refuses an input lacking a model feature, naming it", async () => {
    writeFileSync(join(tmp, "lack.csv"), "checking_status;age\n<0;30\n");
    await expect(predictFile({ model, input: join(tmp, "lack.csv"), out: join(tmp, "x.csv") })).rejects.toThrow(ValidationError);
    await predictFile({ model, input: join(tmp, "lack.csv"), out: join(tmp, "x.csv") }).catch((e: ValidationError) => {
      expect(e.issues[0].received).toMatch(/no column 'duration_months'/);
    });
  });

  it("refuses to overwrite a directory that is not a model artifact", async () => {
    writeFileSync(join(tmp, "keep.txt"), "x");
    await expect(trainFromTable({ train: join(tmp, "train.csv"), target: "class", out: tmp, model: "gbdt", now: new Date() })).rejects.toThrow(/not a model artifact/);
  });
});
