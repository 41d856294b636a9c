import { api, errorMessage } from "../api";
import { barChart, lineChart, xyChart } from "../charts";
import { h, mount } from "../dom";
import { fmtDate, fmtInstant, fmtNum, t } from "../i18n";
import type { PageContext } from "../main";
import type { ModelsOverview } from "../types";
import { badge, card, confirmDialog, table, toast } from "../ui";

type Model = ModelsOverview["models"][number];
type Metrics = Record<string, unknown>;

const HEADLINE = ["auc", "gini", "ks", "brier", "logLoss", "ece"];

/** Headline metrics of a model, looking in `metrics` and its `test`/`validation` sections. */
export function headlineMetrics(m: Metrics | null | undefined): [string, number][] {
  if (!m || typeof m !== "object") return [];
  const src = (["test", "holdout", "validation"].map((k) => m[k]).find((x) => x && typeof x === "object") as Metrics | undefined) ?? m;
  return HEADLINE.map((k) => [k, src[k] ?? m[k]] as [string, unknown]).filter((x): x is [string, number] => typeof x[1] === "number");
}

/** Finds a curve in the metrics under any of `keys`: {x:[],y:[]}, {fpr,tpr}, or an array of points/objects. */
export function findCurve(m: Metrics | null | undefined, keys: string[], xk: string[], yk: string[]): [number, number][] | null {
  if (!m || typeof m !== "object") return null;
  const places = [m, ...["curves", "test", "holdout", "validation", "plots"].map((k) => m[k]).filter((x): x is Metrics => Boolean(x) && typeof x === "object")];
  for (const place of places) {
    for (const k of keys) {
      const v = place[k];
      if (!v) continue;
      if (Array.isArray(v)) {
        const pts = v
          .map((p): [number, number] | null => {
            if (Array.isArray(p) && p.length >= 2) return [Number(p[0]), Number(p[1])];
            if (p && typeof p === "object") {
              const o = p as Metrics;
              const x = xk.map((kk) => o[kk]).find((z) => typeof z === "number");
              const y = yk.map((kk) => o[kk]).find((z) => typeof z === "number");
              return typeof x === "number" && typeof y === "number" ? [x, y] : null;
            }
            return null;
          })
          .filter((p): p is [number, number] => p !== null && Number.isFinite(p[0]) && Number.isFinite(p[1]));
        if (pts.length) return pts;
      } else if (typeof v === "object") {
        const o = v as Metrics;
        const xs = xk.map((kk) => o[kk]).find(Array.isArray) as number[] | undefined;
        const ys = yk.map((kk) => o[kk]).find(Array.isArray) as number[] | undefined;
        if (xs && ys) return xs.map((x, i) => [x, ys[i]] as [number, number]).filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
      }
    }
  }
  return null;
}

function curves(m: Model): HTMLElement[] {
  const metrics = m.metrics as Metrics;
  const roc = findCurve(metrics, ["roc", "rocCurve"], ["fpr", "x"], ["tpr", "y"]);
  const cal = findCurve(metrics, ["calibration", "calibrationTable", "reliability"], ["meanPd", "predicted", "meanPredicted", "pd", "x"], ["badRate", "observed", "observedRate", "rate", "y"]);
  const dist = findCurve(metrics, ["scoreDistribution", "scoreHistogram", "histogram"], ["score", "bin", "x", "lo"], ["count", "n", "y", "share"]);
  const out: HTMLElement[] = [];
  if (roc) out.push(xyChart({ title: t("models.roc"), series: [{ name: "ROC", points: roc, color: "#2563eb" }], xLabel: "FPR", yLabel: "TPR", diagonal: true }));
  if (cal) out.push(xyChart({ title: t("models.calibration"), series: [{ name: "calibration", points: cal, color: "#16a34a", markers: true }], xLabel: t("common.pd"), yLabel: t("common.badRate"), diagonal: true }));
  if (dist) out.push(barChart({ title: t("models.distribution"), categories: dist.map((p) => fmtNum(p[0])), series: [{ name: t("common.customers"), values: dist.map((p) => p[1]) }], format: (v) => fmtNum(v, v < 1 ? 2 : 0), height: 200 }));
  return out;
}

/** Models page: champion and candidates with metrics and curves, drift over time, promotion with confirmation. */
export async function modelsPage({ root }: PageContext): Promise<void> {
  const o = await api<ModelsOverview>("/monitoring/models");
  const champion = o.models.find((m) => m.status === "champion");
  const others = o.models.filter((m) => m !== champion);
  const promote = async (m: Model) => {
    const ok = await confirmDialog({ message: t("models.confirmPromote", { id: m.id }), confirmLabel: t("models.promote"), danger: true });
    if (ok === null) return;
    try {
      await api(`/models/${encodeURIComponent(m.id)}/promote`, { method: "POST", body: {} });
      toast(t("models.promoted", { id: m.id }));
      location.reload();
    } catch (err) {
      toast(errorMessage(err), "error");
    }
  };
  const modelCard = (m: Model, isChampion: boolean) =>
    card(
      null,
      h("div", { class: "page-head" }, h("h3", null, m.name, " ", h("span", { class: "muted" }, m.version)), badge("status", m.status), h("span", { class: "muted small" }, `${m.kind} · ${t("models.created")} ${fmtInstant(m.createdAt)}`)),
      h("div", { class: "kpis small" }, headlineMetrics(m.metrics as Metrics).map(([k, v]) => h("div", { class: "kpi" }, h("div", { class: "kpi-label" }, k.toUpperCase()), h("div", { class: "kpi-value" }, fmtNum(v, 3))))),
      h("div", { class: "curves" }, curves(m).length ? curves(m) : h("p", { class: "muted small" }, t("models.noCurves"))),
      h(
        "div",
        { class: "row" },
        h("a", { class: "btn", href: `/models/${encodeURIComponent(m.id)}/report`, target: "_blank", rel: "noopener" }, t("models.report")),
        !isChampion && m.status !== "rejected" ? h("button", { class: "btn primary", "data-promote": m.id, onclick: () => void promote(m) }, t("models.promote")) : null,
      ),
    );
  const drift = o.drift;
  mount(
    root,
    h("div", { class: "page-head" }, h("h1", null, t("models.title"))),
    o.models.length ? null : h("p", { class: "empty card" }, t("models.none")),
    champion ? [h("h2", { class: "section" }, t("models.champion")), modelCard(champion, true)] : null,
    card(
      t("models.drift"),
      drift.length
        ? lineChart({ categories: drift.map((d) => fmtDate(d.asOf)), series: [{ name: "PSI", values: drift.map((d) => d.scorePsi), color: "#7c3aed" }], format: (v) => fmtNum(v, 2) })
        : h("p", { class: "muted" }, t("common.none")),
      h("p", { class: "note" }, t("models.psiLevels")),
      drift.length ? table([{ label: t("common.date") }, { label: "PSI", num: true }, { label: t("common.status") }, { label: t("common.model") }], drift.slice(-10).reverse().map((d) => [fmtDate(d.asOf), fmtNum(d.scorePsi, 3), badge("level", d.level), d.modelId])) : null,
    ),
    others.length ? [h("h2", { class: "section" }, t("models.candidates")), others.map((m) => modelCard(m, false))] : null,
    o.alerts.length ? card(t("models.alerts"), table([{ label: t("common.date") }, { label: t("common.status") }, { label: t("common.reason") }], o.alerts.map((a) => [fmtInstant(a.createdAt), badge("level", a.level), a.message]))) : null,
  );
}
