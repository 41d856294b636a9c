import { api } from "../api";
import { AGING_COLORS, barChart, lineChart, shareBar, TIER_COLORS } from "../charts";
import { h, mount } from "../dom";
import { fmtDate, fmtMoney, fmtMonth, fmtNum, fmtPct, t, type MsgKey } from "../i18n";
import type { PageContext } from "../main";
import { badge, card, kpi, table } from "../ui";
import type { PortfolioSummary } from "../types";

/** 信用看板: KPIs, tier charts, aging, utilisation, top exposures and 12-month trends. */
export async function portfolioPage({ root, query }: PageContext): Promise<void> {
  const p = await api<PortfolioSummary>("/portfolio/summary", { query: { asOf: query.get("asOf") } });
  const cur = p.currency;
  const money = (v: number) => fmtMoney(v, cur, true);
  const tiers = p.tiers.map((x) => x.tier);
  const tierColors = tiers.map((x) => TIER_COLORS[x] ?? "#64748b");
  const months = p.trends.scores.map((m) => fmtMonth(m.month));
  const allTiers = [...new Set([...tiers, ...p.trends.scores.flatMap((m) => Object.keys(m.tiers))])].sort();
  const outcomes = [...new Set(p.trends.decisions.flatMap((m) => Object.keys(m.outcomes)))].sort();

  mount(
    root,
    h("div", { class: "page-head" }, h("h1", null, t("portfolio.title")), h("span", { class: "muted" }, t("common.asOf", { date: fmtDate(p.asOf) }))),
    h(
      "div",
      { class: "kpis" },
      kpi(t("portfolio.kpi.exposure"), fmtMoney(p.totals.exposure, cur, true), "", "kpi-exposure"),
      kpi(t("portfolio.kpi.overdue"), fmtMoney(p.totals.overdue, cur, true), p.totals.overdue > 0 ? "warn" : ""),
      kpi(t("portfolio.kpi.customers"), `${fmtNum(p.totals.scoredCustomers)} / ${fmtNum(p.totals.customers)}`),
      kpi(t("portfolio.kpi.utilisation"), fmtPct(p.totals.utilisation)),
      kpi(t("portfolio.kpi.badRate"), fmtPct(p.totals.badRate, 2), (p.totals.badRate ?? 0) > 0.05 ? "bad" : ""),
      h("a", { href: "#/orders", class: "kpi-link" }, kpi(t("portfolio.kpi.held"), fmtNum(p.totals.heldOrders), p.totals.heldOrders > 0 ? "warn" : "")),
    ),
    h(
      "div",
      { class: "grid" },
      card(
        t("portfolio.exposureByTier"),
        barChart({
          categories: tiers,
          series: [
            { name: t("common.exposure"), values: p.tiers.map((x) => x.exposure), color: "#2563eb" },
            { name: t("common.limit"), values: p.tiers.map((x) => x.limit), color: "#cbd5e1" },
          ],
          format: money,
        }),
      ),
      card(
        t("portfolio.customersByTier"),
        barChart({ categories: tiers, series: [{ name: t("common.customers"), values: p.tiers.map((x) => x.customers) }], colorsByCategory: tierColors, format: (v) => fmtNum(v), showValues: true }),
      ),
      card(
        t("portfolio.aging"),
        shareBar({
          items: p.aging.map((a, i) => ({ label: t(`aging.${a.bucket}` as MsgKey), value: a.amount, color: AGING_COLORS[i] })),
          format: money,
          pct: (r) => fmtPct(r, 1),
        }),
        barChart({
          title: t("portfolio.agingOverdue"),
          categories: p.aging.slice(1).map((a) => t(`aging.${a.bucket}` as MsgKey)),
          series: [{ name: t("common.amount"), values: p.aging.slice(1).map((a) => a.amount) }],
          colorsByCategory: AGING_COLORS.slice(1),
          format: money,
          showValues: true,
          height: 200,
        }),
      ),
      card(
        t("portfolio.badRateByTier"),
        barChart({ categories: tiers, series: [{ name: t("common.badRate"), values: p.tiers.map((x) => x.badRate) }], colorsByCategory: tierColors, format: (v) => fmtPct(v), showValues: true }),
        h("p", { class: "note" }, t("portfolio.badRateNote")),
      ),
      card(
        t("portfolio.utilisation"),
        barChart({
          categories: p.utilisationBands.map((b) => t(`band.${b.band}` as MsgKey)),
          series: [{ name: t("common.customers"), values: p.utilisationBands.map((b) => b.customers) }],
          colorsByCategory: ["#16a34a", "#2563eb", "#f59e0b", "#dc2626", "#94a3b8"],
          format: (v) => fmtNum(v),
          showValues: true,
        }),
      ),
      card(
        t("portfolio.trendTiers"),
        barChart({
          categories: months,
          series: allTiers.map((tier) => ({
            name: tier,
            color: TIER_COLORS[tier],
            values: p.trends.scores.map((m) => (m.snapshots ? (m.tiers[tier] ?? 0) / m.snapshots : 0)),
          })),
          stacked: true,
          format: (v) => fmtPct(v, 0),
        }),
      ),
      card(t("portfolio.trendPd"), lineChart({ categories: months, series: [{ name: t("common.pd"), values: p.trends.scores.map((m) => m.avgPd), color: "#dc2626" }], format: (v) => fmtPct(v, 1) })),
      card(
        t("portfolio.trendCash"),
        lineChart({
          categories: months,
          series: [
            { name: t("portfolio.invoiced"), values: p.trends.cashflow.map((m) => m.invoiced), color: "#2563eb" },
            { name: t("portfolio.collected"), values: p.trends.cashflow.map((m) => m.collected), color: "#16a34a" },
          ],
          format: money,
        }),
      ),
      card(
        t("portfolio.trendDecisions"),
        barChart({
          categories: months,
          series: outcomes.map((o) => ({ name: t(`outcome.${o}` as MsgKey) ?? o, values: p.trends.decisions.map((m) => m.outcomes[o] ?? 0), color: OUTCOME_COLORS[o] })),
          stacked: true,
          format: (v) => fmtNum(v),
        }),
      ),
    ),
    card(
      t("portfolio.topExposures"),
      table(
        [{ label: t("common.customer") }, { label: t("common.tier") }, { label: t("common.exposure"), num: true }, { label: t("common.overdue"), num: true }, { label: t("common.limit"), num: true }, { label: t("common.utilisation"), num: true }],
        p.topExposures.map((x) => [
          h("a", { href: `#/customer/${encodeURIComponent(x.customerId)}` }, x.name, h("span", { class: "muted small" }, ` ${x.customerId}`)),
          badge("tier", x.tier),
          fmtMoney(x.exposure, cur),
          fmtMoney(x.overdue, cur),
          fmtMoney(x.limit, cur),
          h("span", { class: (x.utilisation ?? 0) > 1 ? "bad-text" : "" }, fmtPct(x.utilisation)),
        ]),
      ),
    ),
  );
}

const OUTCOME_COLORS: Record<string, string> = { approve: "#16a34a", review: "#2563eb", hold: "#f59e0b", prepay: "#7c3aed", reject: "#dc2626", score: "#94a3b8" };
