import { api, apiText, errorMessage } from "../api";
import { barChart, lineChart, xyChart } from "../charts";
import { h, mount } from "../dom";
import { fmtDate, fmtInstant, fmtNum, fmtPct, t } from "../i18n";
import type { PageContext } from "../main";
import type { ModelsOverview } from "../types";
import { badge, card, confirmDialog, errorBox, table, toast } from "../ui";
import { currentRole, may } from "../session";

type Model = ModelsOverview["models"][number];
type Metrics = Record<string, unknown>;

/** The model plots sit in a grid of 300-520 px cells: a narrower viewBox keeps their text at its CSS size. */
const CURVE_W = 400;

const HEADLINE = ["auc", "gini", "ks", "brier", "logloss", "logLoss", "psi"];

/** The evaluation section of a model's metrics: `test` when present, else `validation`, else the top level. */
export function evaluation(m: Metrics | null | undefined): Metrics {
  if (!m || typeof m !== "object") return {};
  const e = ["test", "holdout", "validation"].map((k) => m[k]).find((x) => x && typeof x === "object");
  return (e as Metrics | undefined) ?? m;
}

/** Headline metrics of a model (AUC, Gini, KS, Brier, log loss, PSI) that are present. */
export function headlineMetrics(m: Metrics | null | undefined): [string, number][] {
  const e = evaluation(m);
  return HEADLINE.map((k) => [k, e[k]] as [string, unknown]).filter((x): x is [string, number] => typeof x[1] === "number");
}

/** Candidate estimators and their validation AUC (`{gbdt: 0.80}` or `{gbdt: {validAuc: 0.80}}`). */
export function candidateAucs(m: Metrics | null | undefined): [string, number][] {
  const c = m?.candidates;
  if (!c || typeof c !== "object") return [];
  return Object.entries(c as Metrics)
    .map(([k, v]) => [k, typeof v === "number" ? v : typeof v === "object" && v ? ((v as Metrics).validAuc ?? (v as Metrics).auc) : undefined] as [string, unknown])
    .filter((x): x is [string, number] => typeof x[1] === "number");
}

function curves(m: Model): HTMLElement[] {
  const e = evaluation(m.metrics as Metrics);
  const out: HTMLElement[] = [];
  const cal = Array.isArray(e.calibration) ? (e.calibration as Metrics[]) : [];
  const pts = cal.map((b) => [Number(b.meanPredicted ?? b.meanPd), Number(b.observedRate ?? b.badRate)] as [number, number]).filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
  if (pts.length) {
    const hi = Math.min(1, Math.max(0.05, ...pts.flat()) * 1.1);
    out.push(xyChart({ title: t("models.calibration"), series: [{ name: "calibration", points: pts.map(([x, y]) => [x / hi, y / hi]), color: "#16a34a", markers: true }], xLabel: `${t("common.pd")} (0–${fmtPct(hi, 0)})`, yLabel: `${t("common.badRate")} (0–${fmtPct(hi, 0)})`, diagonal: true }));
  }
  const bands = Array.isArray(e.badRateByBand) ? (e.badRateByBand as Metrics[]) : [];
  if (bands.length) {
    out.push(
      barChart({
        title: t("models.distribution"),
        categories: bands.map((b) => String(b.label ?? b.band ?? "")),
        series: [{ name: t("common.customers"), values: bands.map((b) => Number(b.count) || 0), color: "#2563eb" }],
        format: (v) => fmtNum(v),
        showValues: true,
        height: 200,
        width: CURVE_W,
      }),
    );
  }
  const cands = candidateAucs(m.metrics as Metrics);
  if (cands.length) {
    out.push(barChart({ title: t("models.candidateAuc"), categories: cands.map(([k]) => k), series: [{ name: "AUC", values: cands.map(([, v]) => v) }], format: (v) => fmtNum(v, 2), showValues: true, height: 200, width: CURVE_W }));
  }
  return out;
}

/** The training report's figures (ROC, calibration, score distribution), loaded with the key into a sandboxed frame. */
function reportFrame(url: string): HTMLElement {
  const holder = h("div", { class: "report-frame" }, h("p", { class: "loading" }, t("common.loading")));
  void apiText(url)
    .then((html) => {
      const frame = h("iframe", { sandbox: "allow-same-origin", title: t("models.report"), "data-testid": "model-report" }) as HTMLIFrameElement;
      frame.srcdoc = html;
      frame.addEventListener("load", () => {
        const doc = frame.contentDocument;
        if (doc) frame.style.height = `${Math.min(1600, doc.documentElement.scrollHeight + 20)}px`;
      });
      holder.replaceChildren(frame);
    })
    .catch((err) => holder.replaceChildren(errorBox(err)));
  return holder;
}

/** Models page: champion and candidates with metrics and plots, drift over time, promotion with confirmation. */
export async function modelsPage({ root }: PageContext): Promise<void> {
  const o = await api<ModelsOverview>("/monitoring/models");
  const champion = o.models.find((m) => m.status === "champion");
  const others = o.models.filter((m) => m !== champion);
  // An analyst's promotion is a request that an admin approves (the API answers 202 and records it).
  const requestOnly = currentRole() === "analyst";
  const promoteLabel = t(requestOnly ? "models.requestPromote" : "models.promote");
  const promote = async (m: Model) => {
    const ok = await confirmDialog({ message: t(requestOnly ? "models.confirmRequest" : "models.confirmPromote", { id: m.id }), confirmLabel: promoteLabel, danger: !requestOnly });
    if (ok === null) return;
    try {
      await api(`/models/${encodeURIComponent(m.id)}/promote`, { method: "POST", body: {} });
      toast(t(requestOnly ? "models.requested" : "models.promoted", { id: m.id }));
      await modelsPage({ root } as PageContext);
    } catch (err) {
      toast(errorMessage(err), "error");
    }
  };
  const modelCard = (m: Model, isChampion: boolean) => {
    const plots = curves(m);
    return card(
      null,
      h("div", { class: "page-head", "data-model": m.id }, h("h3", null, m.name, " ", h("span", { class: "muted" }, `v${m.version}`)), badge("status", m.status), h("span", { class: "muted small" }, `${m.kind} · ${t("models.created")} ${fmtInstant(m.createdAt)}`)),
      h("p", { class: "muted small" }, m.id),
      h("div", { class: "kpis small" }, headlineMetrics(m.metrics as Metrics).map(([k, v]) => h("div", { class: "kpi" }, h("div", { class: "kpi-label" }, k.toUpperCase()), h("div", { class: "kpi-value" }, fmtNum(v, 3))))),
      plots.length ? h("div", { class: "curves" }, plots) : null,
      m.reportUrl && may("GET", m.reportUrl.replace(/[?#].*$/, ""))
        ? isChampion
          ? [h("h3", null, t("models.plots")), reportFrame(m.reportUrl)]
          : h("details", null, h("summary", null, t("models.plots")), h("div", { class: "lazy-report", "data-url": m.reportUrl }))
        : m.reportUrl
          ? null // the report exists, but this role may not read reports (officer)
          : h("p", { class: "muted small" }, t("models.noCurves")),
      !isChampion && m.status !== "rejected" && may("POST", `/models/${encodeURIComponent(m.id)}/promote`)
        ? h("div", { class: "row" }, h("button", { class: "btn primary", "data-promote": m.id, onclick: () => void promote(m) }, promoteLabel))
        : null,
    );
  };
  const drift = o.drift;
  mount(
    root,
    h("div", { class: "page-head" }, h("h1", null, t("models.title"))),
    o.models.length ? null : h("p", { class: "empty card" }, t("models.none")),
    champion ? [h("h2", { class: "section" }, t("models.champion")), modelCard(champion, true)] : null,
    card(
      t("models.drift"),
      drift.length
        ? lineChart({ categories: drift.map((d) => fmtDate(d.asOf)), series: [{ name: "PSI", values: drift.map((d) => d.scorePsi), color: "#7c3aed" }], format: (v) => fmtNum(v, 2), yMin: 0 })
        : h("p", { class: "muted" }, t("common.none")),
      h("p", { class: "note" }, t("models.psiLevels")),
      drift.length ? table([{ label: t("common.date") }, { label: "PSI", num: true }, { label: t("common.status") }, { label: t("common.model") }], drift.slice(-10).reverse().map((d) => [fmtDate(d.asOf), fmtNum(d.scorePsi, 3), badge("level", d.level), d.modelId])) : null,
    ),
    others.length ? [h("h2", { class: "section" }, t("models.candidates")), others.map((m) => modelCard(m, false))] : null,
    o.alerts.length ? card(t("models.alerts"), table([{ label: t("common.date") }, { label: t("common.status") }, { label: t("common.reason") }], o.alerts.map((a) => [fmtInstant(a.createdAt), badge("level", a.level), a.message]))) : null,
  );
  // Candidates' reports load when opened.
  for (const d of Array.from(root.querySelectorAll("details")) as HTMLDetailsElement[]) {
    const lazy = d.querySelector(".lazy-report") as HTMLElement | null;
    if (!lazy) continue;
    d.addEventListener("toggle", () => {
      if (d.open && !lazy.hasChildNodes()) lazy.appendChild(reportFrame(lazy.dataset.url!));
    });
  }
}
