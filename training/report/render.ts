import { barChart, esc, histogram, lineChart, PALETTE } from "./svg";
import type { EvaluationReport, ModelReportInput, ScorecardReport } from "./types";

/**
 * Renders the model report as one self-contained HTML document (inline CSS and SVG; no scripts, fonts or
 * requests to any network). Headings are bilingual (English / 中文).
 */
export function renderModelReport(input: ModelReportInput): string {
  const m = input.model;
  const parts: string[] = [];
  parts.push(`<header><h1>Model report <span class="zh">模型报告</span></h1>
<p class="sub">${esc(m.name)}</p>
<dl class="meta"><dt>Model id <span class="zh">模型编号</span></dt><dd><code>${esc(m.id)}</code></dd>
<dt>Created <span class="zh">创建时间</span></dt><dd>${esc(m.created)}</dd>
${m.type ? `<dt>Type <span class="zh">模型类型</span></dt><dd>${esc(m.type)}</dd>` : ""}
${input.data.source ? `<dt>Data <span class="zh">数据</span></dt><dd><code>${esc(input.data.source)}</code></dd>` : ""}
${input.data.target ? `<dt>Target <span class="zh">目标变量</span></dt><dd><code>${esc(input.data.target)}</code> (1 = default <span class="zh">违约</span>)</dd>` : ""}
</dl>${m.description ? `<p>${esc(m.description)}</p>` : ""}</header>`);
  parts.push(summarySection(input));
  if (input.candidates?.length) parts.push(candidatesSection(input));
  input.evaluations.forEach((e, k) => parts.push(evaluationSection(e, k)));
  if (input.scorecard) parts.push(scorecardSection(input.scorecard));
  parts.push(dataSection(input));
  if (input.notes?.length) {
    parts.push(`<section><h2>Notes <span class="zh">备注</span></h2><ul>${input.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul></section>`);
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`Model report — ${m.name}`)}</title><style>${CSS}</style></head>
<body><main>${parts.join("\n").replaceAll("<table>", '<div class="scroll"><table>').replaceAll("</table>", "</table></div>")}
<footer>Generated from model <code>${esc(m.id)}</code>. Scores: higher = lower risk. PD = probability of default.
<span class="zh">分数越高风险越低；PD 为违约概率。</span></footer></main></body></html>
`;
}

const CSS = `
:root{--ink:#1d2430;--muted:#5b6575;--line:#d9dee7;--bg:#f5f7fa;--accent:#0072B2}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 "Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif}
main{max-width:1160px;margin:0 auto;padding:24px}
header,section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:18px 22px;margin-bottom:18px}
h1{margin:0 0 4px;font-size:24px}h2{margin:0 0 12px;font-size:19px;border-bottom:2px solid var(--accent);padding-bottom:4px}
h3{margin:18px 0 8px;font-size:16px}
.zh{color:var(--muted);font-weight:normal;margin-left:6px}
.sub{margin:0 0 10px;font-size:16px;color:var(--muted)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:right;white-space:nowrap}
th{background:#eef2f7;font-weight:600;white-space:normal;vertical-align:bottom}
.feature table{font-size:12.5px}.feature th,.feature td{padding:3px 6px}
.scroll{overflow-x:auto}
td.l,th.l{text-align:left;white-space:normal}
tr.chosen td{background:#eaf4fb;font-weight:600}
tr.dropped td{color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:8px 0 4px}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 12px;background:#fbfcfe}
.card .k{color:var(--muted);font-size:12px}.card .v{font-size:22px;font-weight:600}
.grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:14px}
.grid>div{border:1px solid var(--line);border-radius:6px;padding:6px;background:#fff}
svg.chart{width:100%;height:auto;display:block}
svg .ct{font-size:14px;font-weight:600;fill:#1d2430}
svg .tk{font-size:11px;fill:#5b6575}
svg .al{font-size:12px;fill:#1d2430}
svg .lg{font-size:11.5px;fill:#1d2430}
svg .grid{stroke:#e6e9ef;stroke-width:1}
svg .ax{stroke:#8a93a3;stroke-width:1}
svg text{font-family:"Segoe UI",Roboto,Arial,"Noto Sans CJK SC",sans-serif}
.feature{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:14px;align-items:start;border-top:1px solid var(--line);padding-top:10px;margin-top:10px}
.pill{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;background:#eef2f7;color:var(--muted)}
details summary{cursor:pointer;color:var(--accent);margin:6px 0}
footer{color:var(--muted);font-size:12px;text-align:center;margin:8px 0 24px}
@media print{body{background:#fff}section,header{break-inside:avoid-page;border:none}}
@media (max-width:800px){.grid,.feature{grid-template-columns:1fr}}
`;

function h2(en: string, zh: string): string {
  return `<h2>${esc(en)} <span class="zh">${esc(zh)}</span></h2>`;
}

function f3(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(3);
}
function f4(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(4);
}
function pct(v: number | null | undefined, d = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "–" : `${(v * 100).toFixed(d)}%`;
}
function int(v: number): string {
  return Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "–";
}

function summarySection(input: ModelReportInput): string {
  const ev = input.evaluations;
  const main = ev[ev.length - 1];
  const cards = main
    ? `<div class="cards">${[
        ["AUC", f3(main.metrics.auc)],
        ["Gini 基尼系数", f3(main.metrics.gini)],
        ["KS", f3(main.metrics.ks)],
        ["Brier", f4(main.metrics.brier)],
        ["Log loss 对数损失", f4(main.metrics.logLoss)],
        [`Bad rate 坏账率`, pct(main.metrics.events / main.metrics.n, 2)],
      ]
        .map(([k, v]) => `<div class="card"><div class="k">${esc(k)} · ${esc(main.label)}</div><div class="v">${v}</div></div>`)
        .join("")}</div>`
    : "";
  const rows = ev
    .map(
      (e) =>
        `<tr><td class="l">${esc(e.label)}${e.labelZh ? ` <span class="zh">${esc(e.labelZh)}</span>` : ""}</td><td>${int(e.metrics.n)}</td><td>${int(e.metrics.events)}</td><td>${pct(e.metrics.events / e.metrics.n, 2)}</td><td>${f3(e.metrics.auc)}</td><td>${f3(e.metrics.gini)}</td><td>${f3(e.metrics.ks)}</td><td>${f4(e.metrics.brier)}</td><td>${f4(e.metrics.logLoss)}</td><td>${e.psi ? f4(e.psi.value) : "–"}</td></tr>`,
    )
    .join("");
  return `<section>${h2("Performance summary", "模型表现概览")}${cards}
<table><thead><tr><th class="l">Split 数据集</th><th>Rows 样本数</th><th>Defaults 违约数</th><th>Bad rate 坏账率</th><th>AUC</th><th>Gini</th><th>KS</th><th>Brier</th><th>Log loss</th><th>PSI</th></tr></thead><tbody>${rows}</tbody></table>
<p class="zh" style="margin:0">AUC/Gini/KS measure ranking power (higher is better); Brier and log loss measure probability accuracy (lower is better); PSI &lt; 0.1 means a stable population. · AUC、基尼系数与 KS 衡量排序能力（越高越好）；Brier 与对数损失衡量概率准确度（越低越好）；PSI &lt; 0.1 表示人群稳定。</p></section>`;
}

function candidatesSection(input: ModelReportInput): string {
  const cands = input.candidates!;
  const keys = [...new Set(cands.flatMap((c) => Object.keys(c.metrics)))];
  const rows = cands
    .map(
      (c) =>
        `<tr class="${c.chosen ? "chosen" : ""}"><td class="l">${esc(c.name)}${c.chosen ? ' <span class="pill">chosen 入选</span>' : ""}</td>${keys.map((k) => `<td>${f4(c.metrics[k])}</td>`).join("")}</tr>`,
    )
    .join("");
  return `<section>${h2("Candidate models", "候选模型比较")}<table><thead><tr><th class="l">Model 模型</th>${keys.map((k) => `<th>${esc(k)}</th>`).join("")}</tr></thead><tbody>${rows}</tbody></table></section>`;
}

function evaluationSection(e: EvaluationReport, k: number): string {
  const title = `${e.label}${e.labelZh ? "" : ""}`;
  const roc = lineChart({
    title: `ROC curve — ${title} (AUC ${f3(e.metrics.auc)})`,
    xLabel: "False positive rate (goods flagged) 误拒率",
    yLabel: "True positive rate (bads caught) 命中率",
    series: [{ name: `ROC, AUC = ${f3(e.metrics.auc)}`, x: e.roc.fpr, y: e.roc.tpr, color: PALETTE[0] }],
    xDomain: [0, 1],
    yDomain: [0, 1],
    diagonal: true,
  });
  const ksc = lineChart({
    title: `KS curve — ${title} (KS ${f3(e.ksCurve.ks)})`,
    xLabel: "Population flagged, riskiest first 累计人群占比",
    yLabel: "Cumulative share 累计占比",
    series: [
      { name: "bads 坏客户", x: e.ksCurve.populationShare, y: e.ksCurve.cumBad, color: PALETTE[1] },
      { name: "goods 好客户", x: e.ksCurve.populationShare, y: e.ksCurve.cumGood, color: PALETTE[0] },
    ],
    xDomain: [0, 1],
    yDomain: [0, 1],
    xPercent: true,
    yPercent: true,
    marker: { x: e.ksCurve.atPopulationShare, label: `KS ${f3(e.ksCurve.ks)} at ${pct(e.ksCurve.atPopulationShare, 0)}` },
  });
  const cal = e.calibration;
  const maxP = Math.max(1e-6, ...cal.map((r) => Math.max(r.meanPredicted, r.observedRate)));
  const calChart = lineChart({
    title: `Calibration — ${title}`,
    xLabel: "Mean predicted PD 平均预测违约率",
    yLabel: "Observed default rate 实际违约率",
    series: [{ name: "deciles of predicted PD 按预测分位", x: cal.map((r) => r.meanPredicted), y: cal.map((r) => r.observedRate), color: PALETTE[2], markers: true }],
    xDomain: [0, niceCeil(maxP)],
    yDomain: [0, niceCeil(maxP)],
    diagonal: true,
    xPercent: true,
    yPercent: true,
  });
  const d = e.distribution;
  const nG = d.goods.reduce((a, b) => a + b, 0) || 1;
  const nB = d.bads.reduce((a, b) => a + b, 0) || 1;
  const hist = histogram({
    title: `${d.variable === "score" ? "Score" : "PD"} distribution by class — ${title}`,
    xLabel: d.variable === "score" ? "Score (points) 评分" : "Predicted PD 预测违约率",
    yLabel: "Share of class 类内占比",
    edges: d.edges,
    series: [
      { name: `goods 好客户 (n=${int(nG)})`, values: d.goods.map((v) => v / nG), color: PALETTE[0] },
      { name: `bads 坏客户 (n=${int(nB)})`, values: d.bads.map((v) => v / nB), color: PALETTE[1] },
    ],
    yPercent: true,
  });
  const calRows = cal
    .map((r) => `<tr><td>${r.bin}</td><td>${int(r.count)}</td><td>${pct(r.minPredicted, 2)} – ${pct(r.maxPredicted, 2)}</td><td>${pct(r.meanPredicted, 2)}</td><td>${pct(r.observedRate, 2)}</td><td>${signedPct(r.observedRate - r.meanPredicted)}</td></tr>`)
    .join("");
  let extra = "";
  if (e.bands?.length) {
    const rows = e.bands
      .map((b) => `<tr><td class="l">${esc(b.label)}</td><td>${bound(b.min, "-∞")} – ${bound(b.max, "+∞")}</td><td>${int(b.count)}</td><td>${pct(b.share)}</td><td>${int(b.bads)}</td><td>${pct(b.badRate, 2)}</td></tr>`)
      .join("");
    extra += `<h3>Bad rate by band <span class="zh">各等级坏账率</span></h3><table><thead><tr><th class="l">Band 等级</th><th>Range 区间 [min, max)</th><th>Rows 样本数</th><th>Share 占比</th><th>Defaults 违约数</th><th>Bad rate 坏账率</th></tr></thead><tbody>${rows}</tbody></table>`;
  }
  if (e.psi) {
    const rows = e.psi.bins
      .map(
        (b) =>
          `<tr><td class="l">${b.missing ? "missing 缺失" : `${bound(b.lower, "-∞")} – ${bound(b.upper, "+∞")}`}</td><td>${pct(b.expectedShare)}</td><td>${pct(b.actualShare)}</td><td>${f4(b.contribution)}</td></tr>`,
      )
      .join("");
    extra += `<h3>Stability vs ${esc(e.psi.reference)} <span class="zh">稳定性 (PSI)</span>: ${f4(e.psi.value)} ${psiPill(e.psi.value)}</h3>
<details><summary>PSI by bin 分箱明细</summary><table><thead><tr><th class="l">Bin 分箱 (lower, upper]</th><th>${esc(e.psi.reference)}</th><th>${esc(e.label)}</th><th>Contribution 贡献</th></tr></thead><tbody>${rows}</tbody></table></details>`;
  }
  return `<section id="eval-${k}">${h2(`Evaluation — ${e.label}`, `模型评估 — ${e.labelZh ?? e.label}`)}
<div class="grid"><div>${roc}</div><div>${ksc}</div><div>${calChart}</div><div>${hist}</div></div>
<h3>Calibration table <span class="zh">校准表</span></h3>
<table><thead><tr><th>Decile 分位</th><th>Rows 样本数</th><th>PD range 预测区间</th><th>Mean PD 平均预测</th><th>Observed 实际违约率</th><th>Observed − predicted 偏差</th></tr></thead><tbody>${calRows}</tbody></table>${extra}</section>`;
}

function scorecardSection(s: ScorecardReport): string {
  const sel = s.selection
    .slice()
    .sort((a, b) => Number(b.selected) - Number(a.selected) || (b.iv ?? -1) - (a.iv ?? -1))
    .map(
      (e) =>
        `<tr class="${e.selected ? "" : "dropped"}"><td class="l">${esc(e.feature)}</td><td class="l">${esc(e.kind)}</td><td>${f4(e.iv)}</td><td class="l">${e.selected ? "✓ selected 入选" : esc(e.reason ?? "")}</td></tr>`,
    )
    .join("");
  const feats = s.features
    .map((f) => {
      const total = f.bins.reduce((a, b) => a + b.count, 0) || 1;
      const chart = barChart({
        title: `${f.name} — IV ${f4(f.iv)}`,
        categories: f.bins.map((b) => b.label),
        bars: [{ name: "share of rows 样本占比", values: f.bins.map((b) => b.count / total), color: "#8fb8d8" }],
        yLabel: "Share of rows 样本占比",
        yPercent: true,
        line: { name: "default rate 违约率", values: f.bins.map((b) => (b.eventRate === null ? NaN : b.eventRate)), label: "Default rate 违约率", percent: true, color: PALETTE[1] },
        width: 560,
        height: 330,
      });
      const best = Math.max(...f.bins.map((b) => b.points));
      const rows = f.bins
        .map(
          (b) =>
            `<tr><td class="l">${esc(b.label)}</td><td>${int(b.count)}</td><td>${pct(b.eventRate, 2)}</td><td>${f3(b.woe)}</td><td><b>${b.points.toFixed(1)}</b></td><td>${(best - b.points).toFixed(1)}</td></tr>`,
        )
        .join("");
      return `<div class="feature"><div>${chart}</div><div><h3>${esc(f.name)} <span class="pill">trend 趋势: ${esc(f.trend)}</span> <span class="pill">β = ${f3(f.coefficient)}</span></h3>
<table><thead><tr><th class="l">Bin 分箱</th><th>Rows 样本数</th><th>Default rate 违约率</th><th>WoE</th><th>Points 分值</th><th>Lost vs best 较最佳少</th></tr></thead><tbody>${rows}</tbody></table></div></div>`;
    })
    .join("");
  const pts = s.pointsTable
    .map((r) => `<tr><td class="l">${esc(r.feature)}</td><td class="l">${esc(r.bin)}</td><td>${r.points.toFixed(1)}</td><td>${int(r.count)}</td><td>${pct(r.share)}</td><td>${pct(r.eventRate, 2)}</td><td>${f3(r.woe)}</td><td>${f4(r.iv)}</td></tr>`)
    .join("");
  return `<section id="scorecard">${h2("Scorecard", "评分卡")}
<p>Score = Σ points of the applicant's bins. ${esc(String(s.scaling.basePoints))} points at good:bad odds ${esc(String(s.scaling.baseOdds))}:1; every ${esc(String(s.scaling.pdo))} points double the odds. WoE = ln(%bad / %good): positive WoE = riskier than average.
<span class="zh">总分 = 各特征所在分箱分值之和；${esc(String(s.scaling.basePoints))} 分对应好坏比 ${esc(String(s.scaling.baseOdds))}:1，每增加 ${esc(String(s.scaling.pdo))} 分好坏比翻倍。WoE 为正表示风险高于平均。</span></p>
<h3>Feature selection <span class="zh">特征筛选 (IV)</span></h3>
<table><thead><tr><th class="l">Feature 特征</th><th class="l">Kind 类型</th><th>IV 信息值</th><th class="l">Decision 结论</th></tr></thead><tbody>${sel}</tbody></table>
<h3>Characteristics <span class="zh">特征分箱</span></h3>${feats}
<details><summary>Full points table 完整分值表 (${s.pointsTable.length} rows)</summary>
<table><thead><tr><th class="l">Feature 特征</th><th class="l">Bin 分箱</th><th>Points 分值</th><th>Rows 样本数</th><th>Share 占比</th><th>Default rate 违约率</th><th>WoE</th><th>IV</th></tr></thead><tbody>${pts}</tbody></table></details></section>`;
}

function dataSection(input: ModelReportInput): string {
  const d = input.data;
  const splits = d.splits
    .map((s) => `<tr><td class="l">${esc(s.name)}</td><td>${int(s.rows)}</td><td>${int(s.events)}</td><td>${pct(s.events / s.rows, 2)}</td></tr>`)
    .join("");
  const feats = d.features
    .map((f) => `<tr><td class="l">${esc(f.name)}</td><td class="l">${esc(f.kind)}</td><td>${f.missingShare === undefined ? "–" : pct(f.missingShare)}</td><td class="l">${esc(f.note ?? "")}</td></tr>`)
    .join("");
  return `<section id="data">${h2("Data", "数据概况")}
<table><thead><tr><th class="l">Split 数据集</th><th>Rows 样本数</th><th>Defaults 违约数</th><th>Bad rate 坏账率</th></tr></thead><tbody>${splits}</tbody></table>
<details><summary>Input features 输入特征 (${d.features.length})</summary><table><thead><tr><th class="l">Feature 特征</th><th class="l">Kind 类型</th><th>Missing 缺失率</th><th class="l">Note 说明</th></tr></thead><tbody>${feats}</tbody></table></details></section>`;
}

function signedPct(v: number): string {
  if (!Number.isFinite(v)) return "–";
  return `${v >= 0 ? "+" : "−"}${Math.abs(v * 100).toFixed(2)} pp`;
}

function bound(v: number | null, inf = "∞"): string {
  if (v === null) return inf;
  if (v === Infinity) return "+∞";
  if (v === -Infinity) return "-∞";
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

function psiPill(v: number): string {
  const [txt, col] = v < 0.1 ? ["stable 稳定", "#009E73"] : v < 0.25 ? ["shifting 轻微偏移", "#E69F00"] : ["shifted 显著偏移", "#D55E00"];
  return `<span class="pill" style="color:#fff;background:${col}">${txt}</span>`;
}

function niceCeil(v: number): number {
  const steps = [0.05, 0.1, 0.2, 0.25, 0.4, 0.5, 0.6, 0.8, 1];
  for (const s of steps) if (v <= s) return s;
  return 1;
}
