import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { auc } from "../../numeric";
import { germanLikeCsv } from "../../../training/data/synthetic";

const root = resolve(import.meta.dirname, "../../..");
const tmp = mkdtempSync(join(tmpdir(), "cli-train-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function credit(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "bin/credit.mjs"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, LOG_LEVEL: "silent" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI in this process (faster than a spawn), capturing stderr and the exit code. */
async function inProcess(...args: string[]) {
  const { main } = await import("../main");
  let stderr = "";
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  const before = process.exitCode;
  try {
    await main(args);
    return { status: process.exitCode ?? 0, stderr };
  } finally {
    process.stderr.write = orig;
    process.exitCode = before;
  }
}

describe("credit train / credit predict", () => {
  const trainCsv = join(tmp, "train.csv");
  const testCsv = join(tmp, "test.csv");
  writeFileSync(trainCsv, germanLikeCsv({ rows: 500, seed: 21 }));
  writeFileSync(testCsv, germanLikeCsv({ rows: 200, seed: 22 }));

  it("trains on a semicolon file with text target, writes the artifact, and predicts every row in order", () => {
    const out = join(tmp, "model");
    const t = credit("train", "--train", trainCsv, "--test", testCsv, "--target", "class", "--positive", "bad", "--out", out, "--model", "gbdt", "--seed", "3", "--quiet");
    expect(t.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/test: +AUC 0\.\d{4}/);
    const metrics = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    expect(metrics.test.auc).toBeGreaterThan(0.6);
    expect(Object.keys(metrics.test)).toEqual(expect.arrayContaining(["auc", "gini", "ks", "brier", "logloss", "calibration", "psi", "badRateByBand"]));
    expect(metrics.validation.calibration.length).toBeGreaterThan(3);
    const pred = join(tmp, "pred.csv");
    const p = credit("predict", "--model", out, "--input", testCsv, "--out", pred, "--quiet");
    expect(p.status).toBe(0);
    const rows = parse(readFileSync(pred, "utf8"), { columns: true, delimiter: ";" }) as Record<string, string>[];
    const input = parse(readFileSync(testCsv, "utf8"), { columns: true, delimiter: ";" }) as Record<string, string>[];
    expect(rows.length).toBe(200);
    expect(rows.map((r) => r.applicant_id)).toEqual(input.map((r) => r.applicant_id));
    const a = auc(rows.map((r) => (r.class === "bad" ? 1 : 0)), rows.map((r) => Number(r.pd)));
    expect(a).toBeCloseTo(metrics.test.auc, 4);
  });

  it("answers bad input with a clear message and exit code 2, never a stack trace", async () => {
    const cases: [string, string[], RegExp][] = [
      ["missing target", ["--train", trainCsv, "--target", "nope"], /'nope'/],
      ["non-binary target", ["--train", trainCsv, "--target", "installment_rate"], /binary/],
      ["empty file", ["--train", join(tmp, "empty.csv"), "--target", "class"], /empty/],
      ["all-missing column", ["--train", join(tmp, "allmiss.csv"), "--target", "y"], /entirely missing/],
      ["test with extra columns", ["--train", trainCsv, "--test", join(tmp, "extra.csv"), "--target", "class"], /lacked: 'surprise'/],
    ];
    writeFileSync(join(tmp, "empty.csv"), "");
    writeFileSync(join(tmp, "allmiss.csv"), "a,b,y\n1,,0\n2,,1\n");
    const lines = readFileSync(testCsv, "utf8").trim().split("\n");
    writeFileSync(join(tmp, "extra.csv"), lines.map((l, i) => `${l};${i === 0 ? "surprise" : "1"}`).join("\n"));
    for (const [what, args, re] of cases) {
      const r = await inProcess("train", ...args, "--out", join(tmp, `bad-${what.replace(/ /g, "-")}`), "--model", "gbdt", "--quiet");
      expect(r.status, what).toBe(2);
      expect(r.stderr, what).toMatch(re);
      expect(r.stderr, what).not.toMatch(/\n\s+at /);
    }
  });

  it("refuses a corrupted artifact in predict", () => {
    const out = join(tmp, "model");
    writeFileSync(join(out, "model.json"), readFileSync(join(out, "model.json"), "utf8").replace(/"baseScore":-?\d/, '"baseScore":9'));
    const r = credit("predict", "--model", out, "--input", testCsv, "--out", join(tmp, "x.csv"));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/model\.json: checksum mismatch/);
  });
});
