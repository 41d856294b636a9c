/**
 * Renders a sample model report from the UCI Taiwan data with a scorecard, e.g. to review the layout:
 *   npx tsx training/report/example.ts [out.html]
 * Train = first 80% of ../shared/data/uci-taiwan-train.csv, validation = last 20%, test = uci-taiwan-test.csv.
 */
import { writeFileSync } from "node:fs";
import { applySchema, loadTrainingTable, readCsvFile } from "../data/csv";
import { takeRows } from "../data/dataset";
import { ScorecardEstimator } from "../scorecard";
import { evaluateForReport, renderModelReport, scorecardForReport } from "./index";

const out = process.argv[2] ?? ".artifacts/sample-report.html";
const tr = loadTrainingTable("../shared/data/uci-taiwan-train.csv", { target: "target" });
const test = applySchema(readCsvFile("../shared/data/uci-taiwan-test.csv"), tr.schema, { mode: "test" });
const n = tr.dataset.n;
const cut = Math.floor(n * 0.8);
const train = takeRows(tr.dataset, Array.from({ length: cut }, (_, i) => i));
const valid = takeRows(tr.dataset, Array.from({ length: n - cut }, (_, i) => cut + i));
const model = new ScorecardEstimator().fit(train);
const bands = [
  { label: "E", min: -Infinity, max: 480 },
  { label: "D", min: 480, max: 510 },
  { label: "C", min: 510, max: 535 },
  { label: "B", min: 535, max: 550 },
  { label: "A", min: 550, max: Infinity },
];
const trainScore = model.score(train);
const evals = [
  { label: "Validation", labelZh: "验证集", ds: valid },
  { label: "Test", labelZh: "测试集", ds: test },
].map((e) => evaluateForReport(e.label, e.ds.y!, model.predictProba(e.ds), { labelZh: e.labelZh, score: model.score(e.ds), bands, reference: { label: "Train", values: trainScore } }));
const events = (y: Uint8Array) => y.reduce((a, b) => a + b, 0);
const html = renderModelReport({
  model: { name: "UCI Taiwan — WoE scorecard (sample)", id: "sample-scorecard", created: "2026-11-22T00:00:00Z", type: "scorecard" },
  data: {
    source: "../shared/data/uci-taiwan-train.csv",
    target: "target",
    splits: [
      { name: "Train", rows: train.n, events: events(train.y!) },
      { name: "Validation", rows: valid.n, events: events(valid.y!) },
      { name: "Test", rows: test.n, events: events(test.y!) },
    ],
    features: tr.dataset.columns.map((c) => ({
      name: c.name,
      kind: c.kind,
      missingShare: c.kind === "numeric" ? c.values.filter(Number.isNaN).length / c.values.length : c.values.filter((v) => v === null).length / c.values.length,
    })),
  },
  evaluations: evals,
  candidates: [{ name: "scorecard", chosen: true, metrics: { "valid AUC": evals[0].metrics.auc, "test AUC": evals[1].metrics.auc, "test KS": evals[1].metrics.ks } }],
  scorecard: scorecardForReport(model),
  notes: [...model.notes],
});
writeFileSync(out, html);
console.error(`wrote ${out} (${html.length} bytes)`);
