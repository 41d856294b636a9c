import { api } from "../api";
import { h, mount } from "../dom";
import { fmtInstant, fmtMoney, fmtNum, fmtPct, lang, t, tOr, type MsgKey } from "../i18n";
import type { PageContext } from "../main";
import type { DecisionDetail, DecisionsPage } from "../types";
import { badge, card, jsonBlock, pager, table } from "../ui";
import { explanationView } from "./explain";

const OUTCOMES = ["approve", "review", "hold", "prepay", "reject"];
const FILTERS = ["customer", "order", "from", "to", "outcome"] as const;

/** 决策查询: search stored decisions by customer, order, date range or outcome. */
export async function decisionsPage({ root, query }: PageContext): Promise<void> {
  const q: Record<string, string> = {};
  for (const k of FILTERS) if (query.get(k)) q[k] = query.get(k)!;
  const offset = Number(query.get("offset") ?? 0) || 0;
  const page = await api<DecisionsPage>("/decisions", { query: { ...q, limit: 25, offset } });
  const field = (name: (typeof FILTERS)[number], label: MsgKey, type = "text") => h("label", { class: "field" }, h("span", null, t(label)), h("input", { name, type, value: q[name] ?? "" }));
  const form = h(
    "form",
    {
      class: "filters card",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const fd = new FormData(e.target as HTMLFormElement);
        const qs = new URLSearchParams();
        for (const k of FILTERS) {
          const v = String(fd.get(k) ?? "").trim();
          if (v) qs.set(k, v);
        }
        location.hash = `#/decisions?${qs}`;
      },
    },
    field("customer", "decisions.customer"),
    field("order", "decisions.order"),
    field("from", "decisions.from", "date"),
    field("to", "decisions.to", "date"),
    h("label", { class: "field" }, h("span", null, t("decisions.outcome")), h("select", { name: "outcome" }, h("option", { value: "" }, t("decisions.any")), OUTCOMES.map((o) => h("option", { value: o, selected: q.outcome === o }, t(`outcome.${o}` as MsgKey))))),
    h("div", { class: "row" }, h("button", { class: "btn primary", type: "submit" }, t("common.search")), h("a", { class: "btn", href: "#/decisions" }, t("common.reset"))),
  );
  const go = (o: number) => {
    const qs = new URLSearchParams(q);
    qs.set("offset", String(o));
    location.hash = `#/decisions?${qs}`;
  };
  mount(
    root,
    h("div", { class: "page-head" }, h("h1", null, t("decisions.title"))),
    form,
    card(
      null,
      table(
        [{ label: t("decisions.createdAt") }, { label: t("common.customer") }, { label: t("common.order") }, { label: t("common.decision") }, { label: t("common.tier") }, { label: t("common.pd"), num: true }, { label: t("common.score"), num: true }, { label: t("common.model") }],
        page.items.map((d) => [
          h("a", { href: `#/decisions/${encodeURIComponent(d.id)}`, "data-decision": d.id }, fmtInstant(d.createdAt)),
          d.customerId ? h("a", { href: `#/customer/${encodeURIComponent(d.customerId)}` }, d.customerId) : "—",
          d.orderId ?? "—",
          badge("outcome", d.decision ?? "score"),
          badge("tier", d.tier),
          fmtPct(d.pd, 2),
          fmtNum(d.score),
          d.modelId,
        ]),
        { empty: t("decisions.empty") },
      ),
      page.total > page.limit ? pager(page, go) : null,
    ),
  );
}

/** One decision's full stored explanation. */
export async function decisionPage({ root, params }: PageContext): Promise<void> {
  const d = await api<DecisionDetail>(`/decisions/${encodeURIComponent(params[0])}/full`);
  mount(
    root,
    h("div", { class: "page-head" }, h("h1", null, t("decisions.detail"), " ", h("span", { class: "muted" }, d.id)), badge("outcome", d.decision ?? "score")),
    h(
      "div",
      { class: "grid" },
      card(
        null,
        h(
          "dl",
          { class: "facts" },
          [
            [t("decisions.createdAt"), fmtInstant(d.createdAt)],
            [t("common.customer"), d.customerId ? h("a", { href: `#/customer/${encodeURIComponent(d.customerId)}` }, d.customerId) : "—"],
            [t("common.order"), d.orderId ?? "—"],
            [t("common.pd"), fmtPct(d.pd, 2)],
            [t("common.score"), fmtNum(d.score)],
            [t("common.tier"), badge("tier", d.tier)],
            [t("common.limit"), fmtMoney(d.creditLimit, d.currency ?? "CNY")],
            [t("common.exposure"), fmtMoney(d.exposure, d.currency ?? "CNY")],
            [t("common.model"), `${d.modelId} (${d.modelVersion})`],
            [t("common.policy"), d.policyVersion],
          ].map(([k, v]) => [h("dt", null, k), h("dd", null, v)]),
        ),
      ),
      card(
        t("customer.explanation"),
        h("div", { "data-testid": "explanation" }, explanationView(d)),
      ),
    ),
    d.overrides.length
      ? card(t("decisions.overrides"), table([{ label: t("common.date") }, { label: t("common.actions") }, { label: t("customer.actor") }, { label: t("common.reason") }], d.overrides.map((o) => [fmtInstant(o.at), tOr(`action.${o.action}`, o.action), o.actor, o.reason])))
      : null,
    card(
      t("decisions.features"),
      table(
        [{ label: t("decisions.feature") }, { label: t("customer.reasonValue"), num: true }, { label: "" }],
        d.featureRows.map((f) => [lang() === "zh-CN" ? f.label.zh : f.label.en, lang() === "zh-CN" ? f.display.zh : f.display.en, h("code", { class: "muted small" }, f.name)]),
      ),
    ),
    h("details", { class: "card" }, h("summary", null, t("decisions.raw")), jsonBlock({ input: d.input, output: d.output, requestId: d.requestId })),
  );
}
