// npm run bench:scorecard — scorecard fit time and quality on UCI Taiwan (train → test), the scikit-learn
// logistic-regression peer on the same split when /usr/bin/python3 has sklearn, single-row scoring
// throughput, and binning cost on a 300,000-row column. Timings on a shared machine: compare ratios.
import { spawnSync } from "node:child_process";
import { applySchema, loadTrainingTable, readCsvFile } from "../training/data/csv";
import { takeRows } from "../training/data/dataset";
import { ScorecardEstimator } from "../training/scorecard";
import { auc, binNumeric, brier, ks } from "../src/numeric";

const trainCsv = "../shared/data/uci-taiwan-train.csv";
const testCsv = "../shared/data/uci-taiwan-test.csv";
const tr = loadTrainingTable(trainCsv, { target: "target" });
const te = applySchema(readCsvFile(testCsv), tr.schema, { mode: "test" });

const fitMs: number[] = [];
let model = new ScorecardEstimator().fit(tr.dataset);
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  model = new ScorecardEstimator().fit(tr.dataset);
  fitMs.push(performance.now() - t0);
}
const p = model.predictProba(te);
console.log(`scorecard  train ${tr.dataset.n} rows, ${model.features.length} features selected`);
console.log(`           fit median ${median(fitMs).toFixed(0)} ms (runs: ${fitMs.map((x) => x.toFixed(0)).join(", ")})`);
console.log(`           test AUC ${auc(te.y!, p).toFixed(4)}  KS ${ks(te.y!, p).ks.toFixed(4)}  Brier ${brier(te.y!, p).toFixed(4)}`);

const peer = spawnSync(
  "/usr/bin/python3",
  [
    "-c",
    `import time,pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.pipeline import make_pipeline
from sklearn.metrics import roc_auc_score
a=pd.read_csv("${trainCsv}");b=pd.read_csv("${testCsv}")
X=a.drop(columns="target");y=a.target
t=time.perf_counter();m=make_pipeline(StandardScaler(),LogisticRegression(max_iter=1000)).fit(X,y);ms=(time.perf_counter()-t)*1000
print(f"{roc_auc_score(b.target,m.predict_proba(b.drop(columns='target'))[:,1]):.4f} {ms:.0f}")`,
  ],
  { encoding: "utf8" },
);
if (peer.status === 0) {
  const [a, ms] = peer.stdout.trim().split(" ");
  console.log(`peer       sklearn StandardScaler+LogisticRegression on raw columns: test AUC ${a}, fit ${ms} ms`);
} else console.log("peer       skipped (no /usr/bin/python3 with sklearn + pandas)");

// Single-row path: records as the API would pass them (plain objects).
const rows = Array.from({ length: 2000 }, (_, i) => Object.fromEntries(te.columns.map((c) => [c.name, c.values[i]])));
const scoreRow = model.compile();
let sink = 0;
for (let i = 0; i < 20000; i++) sink += scoreRow(rows[i % rows.length]).pd;
const N = 500_000;
const t1 = performance.now();
for (let i = 0; i < N; i++) sink += scoreRow(rows[i % rows.length]).pd;
const dt = performance.now() - t1;
console.log(`scoreRow   ${((dt * 1000) / N).toFixed(2)} µs/row, ${Math.round(N / (dt / 1000)).toLocaleString("en-US")} rows/s (checksum ${sink.toFixed(1)})`);

// Binning scale: replicate the train set ~15× to 300k rows.
const reps = Math.ceil(300_000 / tr.dataset.n);
const idx = Array.from({ length: reps * tr.dataset.n }, (_, i) => i % tr.dataset.n).slice(0, 300_000);
const big = takeRows(tr.dataset, idx);
const col = big.columns.find((c) => c.name === "LIMIT_BAL")!;
const t2 = performance.now();
binNumeric("LIMIT_BAL", col.values as Float64Array, big.y!, { maxPreBins: 50 });
console.log(`binning    300,000 rows, 50 pre-bins: ${(performance.now() - t2).toFixed(0)} ms`);
const t3 = performance.now();
const bigModel = new ScorecardEstimator().fit(big);
console.log(`scorecard  fit on 300,000 rows × ${big.columns.length} columns: ${(performance.now() - t3).toFixed(0)} ms (${bigModel.features.length} features)`);

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}
