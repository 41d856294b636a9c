import { describe, expect, it } from "vitest";
import { auc, ks } from "../../src/numeric";
import type { Dataset } from "../data/dataset";
import { ScorecardEstimator } from "../scorecard";
import { barChart, classHistogram, evaluateForReport, histogram, lineChart, niceTicks, renderModelReport, scorecardForReport, type ModelReportInput } from "./index";

function sample(n: number, seed: number): Dataset {
  let s = seed;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const x = new Float64Array(n);
  const c: (string | null)[] = [];
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = u() * 10;
    c.push(["a", "b", "c"][Math.floor(u() * 3)]);
    const z = -2 + 0.35 * x[i] + (c[i] === "c" ? 0.8 : 0);
    y[i] = u() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { n, y, columns: [{ name: "x", kind: "numeric", values: x }, { name: "grp", kind: "categorical", values: c }] };
}

describe("svg helpers", () => {
  it("nice ticks enclose the data on round steps", () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 0.63)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(412, 598)).toEqual([400, 450, 500, 550, 600]);
  });
  it("charts are standalone SVG with title, axes labels and legend, and escape text", () => {
    const l = lineChart({ title: "A <b>", xLabel: "x", yLabel: "y", series: [{ name: "s&p", x: [0, 1], y: [0, 1] }], diagonal: true });
    expect(l.startsWith("<svg")).toBe(true);
    expect(l).toContain("A &lt;b&gt;");
    expect(l).toContain("s&amp;p");
    expect(l).toContain("reference y = x");
    const b = barChart({ title: "bins", categories: ["<= 1", "> 1"], bars: [{ name: "share", values: [0.4, 0.6] }], yLabel: "share", line: { name: "rate", values: [0.1, NaN], label: "rate" } });
    expect(b).toContain("&lt;= 1");
    expect(b.match(/<rect [^>]*fill-opacity="0.8"/g)).toHaveLength(2);
    const h = histogram({ title: "h", xLabel: "s", yLabel: "n", edges: [0, 1, 2], series: [{ name: "g", values: [1, 2] }] });
    expect(h.match(/<rect [^>]*fill-opacity="0.45"/g)).toHaveLength(2);
  });
});

describe("report", () => {
  const train = sample(3000, 5);
  const test = sample(1500, 77);
  const model = new ScorecardEstimator().fit(train);
  const pd = model.predictProba(test);
  const ev = evaluateForReport("Test", test.y!, pd, {
    labelZh: "测试集",
    score: model.score(test),
    bands: [{ label: "low", min: 600, max: Infinity }, { label: "high", min: -Infinity, max: 600 }],
    reference: { label: "Train", values: model.score(train) },
  });

  it("evaluation numbers come from the numeric core", () => {
    expect(ev.metrics.auc).toBe(auc(test.y!, pd));
    expect(ev.metrics.ks).toBe(ks(test.y!, pd).ks);
    expect(ev.metrics.gini).toBeCloseTo(2 * ev.metrics.auc - 1, 12);
    expect(ev.calibration).toHaveLength(10);
    expect(ev.roc.fpr.length).toBeLessThanOrEqual(300);
    expect(ev.roc.fpr[0]).toBe(0);
    expect(ev.roc.tpr[ev.roc.tpr.length - 1]).toBe(1);
    expect(ev.distribution.goods.reduce((a, b) => a + b, 0) + ev.distribution.bads.reduce((a, b) => a + b, 0)).toBe(test.n);
    expect(ev.bands!.reduce((a, b) => a + b.count, 0)).toBe(test.n);
    expect(ev.psi!.value).toBeLessThan(0.1);
  });

  it("classHistogram counts each class on shared edges", () => {
    const h = classHistogram([0, 1, 1, 0], [0, 5, 10, NaN], 2);
    expect(h).toEqual({ edges: [0, 5, 10], goods: [1, 0], bads: [0, 2] });
  });

  it("renders a self-contained bilingual HTML document", () => {
    const input: ModelReportInput = {
      model: { name: "Demo <script>alert(1)</script>", id: "m-1", created: "2026-11-22T10:00:00Z", type: "scorecard" },
      data: { source: "data/demo.csv", target: "bad", splits: [{ name: "Train", rows: 3000, events: 900 }], features: [{ name: "x", kind: "numeric", missingShare: 0 }] },
      evaluations: [ev],
      candidates: [{ name: "scorecard", chosen: true, metrics: { "test AUC": ev.metrics.auc } }],
      scorecard: scorecardForReport(model),
      notes: ["note & warning"],
    };
    const html = renderModelReport(input);
    // JSON round trip: the input is plain data.
    expect(renderModelReport(JSON.parse(JSON.stringify(input)))).toBe(html);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
    expect(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', "")).not.toMatch(/https?:\/\//);
    expect(html).toContain("Demo &lt;script&gt;");
    expect(html).toContain("模型报告");
    expect(html).toContain("评分卡");
    expect(html).toContain("note &amp; warning");
    // 4 evaluation charts + one chart per scorecard feature.
    expect((html.match(/<svg /g) ?? []).length).toBe(4 + model.features.length);
    expect((html.match(/<svg /g) ?? []).length).toBe((html.match(/<\/svg>/g) ?? []).length);
    for (const f of model.features) expect(html).toContain(`${f.name} — IV`);
  });
});
