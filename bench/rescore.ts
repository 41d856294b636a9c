// npm run bench:rescore — re-scoring throughput of the batch path: 1,000,000 UCI-shaped feature rows through
// ScoringModel.predictBatch of a UCI model, side by side with XGBoost's own batch predict (inplace_predict,
// bench/rescore_xgb.py, the same model as ../shared/bench/peer_server.py) on the very same rows, in one run.
//
// Env: BENCH_ROWS (default 1,000,000), BENCH_MODEL_DIR (reuse an artifact instead of training one),
// BENCH_MODEL (kind to train: auto | gbdt | nn | scorecard, default auto), BENCH_BATCH (rows per
// predictBatch call, default 10,000), BENCH_SKIP_PEER=1, BENCH_SEED (default 7).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readCsvFile, trainFromTable } from "../training";
import { mulberry32 } from "../training/util/random";
import { loadModel } from "../src/scoring";

const root = resolve(import.meta.dirname, "..");
const trainCsv = resolve(root, "../shared/data/uci-taiwan-train.csv");
const N = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 10_000);
const seed = Number(process.env.BENCH_SEED ?? 7);
const tmp = mkdtempSync(join(tmpdir(), "bench-rescore-"));

/** Standard normal from two uniforms (Box-Muller). */
function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/**
 * N rows sampled with replacement from the UCI training file, with noise: amounts (LIMIT_BAL, BILL_AMT*,
 * PAY_AMT*) scaled by exp(0.1 z), AGE shifted by up to ±2 years, and the codes (SEX, EDUCATION, MARRIAGE,
 * PAY_*) kept, so the rows stay on the model's support. Row-major float64, columns in the file's order.
 */
function syntheticRows(header: string[], rows: string[][], n: number): { cols: string[]; x: Float64Array } {
  const cols = header.filter((h) => h !== "target");
  const idx = cols.map((c) => header.indexOf(c));
  const base = rows.map((r) => idx.map((i) => Number(r[i])));
  const amount = cols.map((c) => /^(LIMIT_BAL|BILL_AMT|PAY_AMT)/.test(c));
  const age = cols.indexOf("AGE");
  const r = mulberry32(seed);
  const k = cols.length;
  const x = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const src = base[Math.floor(r() * base.length)];
    for (let j = 0; j < k; j++) {
      let v = src[j];
      if (amount[j]) v = Math.round(v * Math.exp(0.1 * gauss(r)));
      else if (j === age) v = Math.max(21, v + Math.round((r() - 0.5) * 4));
      x[i * k + j] = v;
    }
  }
  return { cols, x };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  let dir = process.env.BENCH_MODEL_DIR;
  if (!dir) {
    dir = join(tmp, "model");
    process.stderr.write(`training a ${process.env.BENCH_MODEL ?? "auto"} model on ${trainCsv} ...\n`);
    await trainFromTable({ train: trainCsv, target: "target", out: dir, model: (process.env.BENCH_MODEL ?? "auto") as "auto", seed: 42, now: new Date(), name: "pd-uci-bench" });
  }
  const model = loadModel(dir);
  process.stderr.write(`model ${model.id} (${model.kind}) ready after ${((performance.now() - t0) / 1000).toFixed(1)} s; generating ${N.toLocaleString("en")} rows ...\n`);

  const raw = readCsvFile(trainCsv);
  const { cols, x } = syntheticRows(raw.header, raw.rows, N);
  const k = cols.length;
  // The batch path takes records keyed by feature name, as the rescore job builds them.
  const records: Record<string, number>[] = new Array(N);
  for (let i = 0; i < N; i++) {
    const rec: Record<string, number> = {};
    for (let j = 0; j < k; j++) rec[cols[j]] = x[i * k + j];
    records[i] = rec;
  }
  const rowsFile = join(tmp, "rows.f64");
  writeFileSync(rowsFile, Buffer.from(x.buffer, x.byteOffset, x.byteLength));

  // Warm-up on one batch, then the timed pass over all rows, batch by batch (best of 2 passes).
  model.predictBatch(records.slice(0, Math.min(BATCH, N)));
  let best = Infinity;
  let mean = 0;
  for (let pass = 0; pass < 2; pass++) {
    let sum = 0;
    const t = performance.now();
    for (let s = 0; s < N; s += BATCH) {
      const pd = model.predictBatch(records.slice(s, s + BATCH));
      for (let i = 0; i < pd.length; i++) sum += pd[i];
    }
    best = Math.min(best, (performance.now() - t) / 1000);
    mean = sum / N;
  }
  const ours = { engine: `ScoringModel.predictBatch (${model.kind}, compiled, 1 thread)`, rows: N, seconds: best, rowsPerSecond: N / best, meanPd: mean };

  let peer: { engine: string; rowsPerSecond: number; seconds: number; fitSeconds: number; meanPd: number } | null = null;
  if (process.env.BENCH_SKIP_PEER !== "1") {
    const r = spawnSync("/usr/bin/python3", [join(root, "bench/rescore_xgb.py"), trainCsv, rowsFile, String(k), "2", "1"], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (r.status === 0) peer = JSON.parse(r.stdout.trim().split("\n").pop()!);
    else process.stderr.write(`peer skipped: /usr/bin/python3 bench/rescore_xgb.py failed (${r.error?.message ?? r.stderr.slice(-500)})\n`);
  }

  const fmt = (v: number) => Math.round(v).toLocaleString("en");
  process.stdout.write(`\nre-score batch path, ${fmt(N)} UCI-shaped rows (${k} features), same rows for both:\n`);
  process.stdout.write(`  ours  ${ours.engine.padEnd(52)} ${fmt(ours.rowsPerSecond).padStart(12)} rows/s  (${ours.seconds.toFixed(2)} s, mean PD ${ours.meanPd.toFixed(4)})\n`);
  if (peer) {
    process.stdout.write(`  peer  ${(peer.engine + ", 1 thread").padEnd(52)} ${fmt(peer.rowsPerSecond).padStart(12)} rows/s  (${peer.seconds.toFixed(2)} s, mean PD ${peer.meanPd.toFixed(4)})\n`);
    process.stdout.write(`  ratio ours / xgboost = ${(ours.rowsPerSecond / peer.rowsPerSecond).toFixed(3)}\n`);
  }
  process.stdout.write(`${JSON.stringify({ ours, peer, ratio: peer ? ours.rowsPerSecond / peer.rowsPerSecond : null })}\n`);
}

main()
  .catch((e) => {
    process.stderr.write(`bench:rescore failed: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(tmp, { recursive: true, force: true }));
