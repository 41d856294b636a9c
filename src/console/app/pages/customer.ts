import { api } from "../api";
import { barChart, lineChart, TIER_COLORS } from "../charts";
import { h, mount } from "../dom";
import { fmtDate, fmtInstant, fmtMoney, fmtNum, fmtPct, lang, t, tOr } from "../i18n";
import type { PageContext } from "../main";
import type { CustomerOverview } from "../types";
import { badge, card, jsonBlock, kpi, table } from "../ui";
import { calculationView, explanationView } from "./explain";

/** Customer page: profile, score history, the waterfall of the latest decision, invoices, limits, collections. */
export async function customerPage({ root, params }: PageContext): Promise<void> {
  const id = params[0];
  if (!id) {
    mount(root, lookupForm());
    return;
  }
  const c = await api<CustomerOverview>(`/customers/${encodeURIComponent(id)}/overview`);
  const cur = c.customer.currency;
  const pf = c.profile;
  const d = c.latestDecision;
  const hist = c.scoreHistory;

  mount(
    root,
    h(
      "div",
      { class: "page-head" },
      h("h1", null, c.customer.name, " ", h("span", { class: "muted" }, c.customer.id)),
      pf ? badge("tier", pf.tier) : null,
      h("span", { class: "muted" }, t("common.asOf", { date: fmtDate(c.asOf) })),
    ),
    h(
      "div",
      { class: "kpis" },
      kpi(t("common.score"), fmtNum(pf?.score)),
      kpi(t("common.pd"), fmtPct(pf?.pd, 2)),
      kpi(t("common.limit"), fmtMoney(pf?.limit, cur, true)),
      kpi(t("common.exposure"), fmtMoney(c.exposure.outstanding, cur, true)),
      kpi(t("common.overdue"), fmtMoney(c.exposure.overdue, cur, true), c.exposure.overdue > 0 ? "warn" : ""),
      kpi(t("common.utilisation"), fmtPct(pf?.limit ? c.exposure.outstanding / pf.limit : null)),
    ),
    h(
      "div",
      { class: "grid" },
      card(
        t("customer.explanation"),
        d
          ? h(
              "div",
              { "data-testid": "explanation", "data-decision": d.id },
              h("p", { class: "muted small" }, `${fmtInstant(d.createdAt)} · `, h("a", { href: `#/decisions/${encodeURIComponent(d.id)}` }, d.id), " · ", badge("outcome", d.decision)),
              explanationView(d),
            )
          : h("p", { class: "muted" }, t("customer.noDecision")),
      ),
      card(
        t("customer.scoreHistory"),
        hist.length
          ? [
              lineChart({ categories: hist.map((s) => fmtDate(s.asOf)), series: [{ name: t("common.score"), values: hist.map((s) => s.score), color: "#2563eb" }], format: (v) => fmtNum(v), yMin: Math.min(...hist.map((s) => s.score)) - 10 }),
              barChart({
                categories: hist.map((s) => fmtDate(s.asOf)),
                series: [{ name: t("common.pd"), values: hist.map((s) => s.pd) }],
                colorsByCategory: hist.map((s) => TIER_COLORS[s.tier] ?? "#64748b"),
                format: (v) => fmtPct(v, 1),
                height: 160,
              }),
            ]
          : h("p", { class: "muted" }, t("common.none")),
      ),
      card(
        t("customer.profile"),
        h(
          "dl",
          { class: "facts" },
          fact(t("customer.industry"), c.customer.industry ?? "—"),
          fact(t("customer.region"), [c.customer.region, c.customer.country].filter(Boolean).join(" · ") || "—"),
          fact(t("customer.terms"), c.customer.paymentTermsDays === null ? "—" : t("common.days", { n: c.customer.paymentTermsDays })),
          fact(t("customer.registered"), fmtDate(c.customer.registrationDate)),
          fact(t("common.model"), pf?.modelId ?? "—"),
          fact(t("common.policy"), pf?.policyVersion ?? "—"),
          fact(t("customer.scoredAt"), fmtInstant(pf?.scoredAt)),
          fact(t("customer.nextReview"), fmtDate(pf?.nextReviewDate)),
          fact(t("customer.limitValidUntil"), fmtDate(pf?.limitValidUntil)),
        ),
        pf?.limitCalculation ? [h("h3", null, t("customer.calculation")), calculationView(pf.limitCalculation, cur)] : null,
      ),
    ),
    card(
      t("customer.limits"),
      table(
        [{ label: t("common.date") }, { label: t("customer.fromTo"), num: true }, { label: t("common.tier") }, { label: t("customer.source") }, { label: t("common.status") }, { label: t("common.reason") }, { label: t("customer.calculation") }],
        c.limitHistory.map((l) => [
          fmtInstant(l.at),
          `${fmtMoney(l.from, l.currency)} → ${fmtMoney(l.to, l.currency)}`,
          `${l.tierFrom ?? "—"} → ${l.tierTo}`,
          l.source,
          badge("status", l.status),
          l.reason,
          l.calculation ? h("details", null, h("summary", null, t("common.open")), calculationView(l.calculation, l.currency)) : "—",
        ]),
      ),
    ),
    card(
      `${t("customer.invoices")} (${fmtNum(c.invoiceCount)})`,
      table(
        [{ label: t("customer.invoiceRef") }, { label: t("customer.issueDate") }, { label: t("customer.dueDate") }, { label: t("common.amount"), num: true }, { label: t("customer.outstanding"), num: true }, { label: t("common.status") }, { label: t("customer.dpd"), num: true }],
        c.invoices.slice(0, 20).map((i) => [i.id, fmtDate(i.issueDate), fmtDate(i.dueDate), fmtMoney(i.amount, i.currency), fmtMoney(i.outstanding, i.currency), badge("status", i.status), i.daysPastDue === null ? "—" : fmtNum(i.daysPastDue)]),
      ),
    ),
    h(
      "div",
      { class: "grid" },
      card(
        t("customer.payments"),
        table(
          [{ label: t("common.date") }, { label: t("common.amount"), num: true }, { label: t("customer.invoiceRef") }],
          c.payments.slice(0, 15).map((p) => [fmtDate(p.date), fmtMoney(p.amount, p.currency), p.invoiceId ?? "—"]),
        ),
      ),
      card(
        t("customer.collections"),
        table(
          [{ label: t("collections.due") }, { label: t("collections.step") }, { label: t("common.status") }, { label: t("customer.invoiceRef") }, { label: t("collections.note") }],
          c.collections.slice(0, 15).map((a) => [fmtDate(a.dueDate), tOr(`collections.kind.${a.kind}`, a.step), badge("status", a.status), a.invoiceId ?? "—", a.note ?? (a.promiseDate ? `${t("collections.promiseDate")}: ${fmtDate(a.promiseDate)}` : "—")]),
        ),
      ),
    ),
    h(
      "div",
      { class: "grid" },
      card(
        t("customer.orders"),
        table(
          [{ label: t("common.order") }, { label: t("common.date") }, { label: t("common.amount"), num: true }, { label: t("common.status") }],
          c.orders.map((o) => [o.decisionId ? h("a", { href: `#/decisions/${encodeURIComponent(o.decisionId)}` }, o.id) : o.id, fmtDate(o.orderDate), fmtMoney(o.amount, o.currency), badge("status", o.status)]),
        ),
      ),
      card(
        t("customer.overrides"),
        table(
          [{ label: t("common.date") }, { label: t("common.actions") }, { label: t("customer.actor") }, { label: t("common.reason") }],
          c.overrides.map((o) => [fmtInstant(o.at), tOr(`action.${o.action}`, o.action), o.actor, o.reason]),
        ),
      ),
    ),
  );
}

function fact(label: string, value: Node | string): HTMLElement[] {
  return [h("dt", null, label), h("dd", null, value)];
}

function lookupForm(): HTMLElement {
  const input = h("input", { id: "customer-id", placeholder: t("customer.lookup") }) as HTMLInputElement;
  return card(
    t("customer.title"),
    h("form", { class: "row", onsubmit: (e: Event) => { e.preventDefault(); if (input.value.trim()) location.hash = `#/customer/${encodeURIComponent(input.value.trim())}`; } }, input, h("button", { class: "btn primary" }, t("common.open"))),
  );
}
