import { waterfallChart } from "../charts";
import { h } from "../dom";
import { fmtMoney, fmtNum, lang, t } from "../i18n";
import type { ExplainedReason, FiredRule } from "../types";
import { jsonBlock } from "../ui";
import { rulesList } from "./orders";

/** The plain-language text of a reason in the active language. */
export function reasonText(r: ExplainedReason): string {
  return (lang() === "zh-CN" ? r.zh : r.en) || r.en || r.feature;
}

/**
 * The head of a reason's sentence for a chart row: the factor and its value ("客户合作时长（…）：3419天"),
 * without the explanation after the dash, which the list under the chart gives in full.
 */
export function reasonHead(text: string): string {
  const cut = text.search(/——|\s[—–]\s/);
  return cut > 0 ? text.slice(0, cut).trim() : text;
}

function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") return fmtNum(v, Number.isInteger(v) ? 0 : 3);
  return String(v);
}

interface Explainable {
  explanation: { reasons: ExplainedReason[]; others: { count: number; contribution: number }; total: number };
  firedRules: FiredRule[];
  limitCalculation: unknown;
  currency: string | null;
}

/**
 * A decision's explanation: the waterfall of the reasons' contributions to the log-odds (the named reasons
 * the API answered with, then all other factors summed), the reasons as sentences, and the rules that fired.
 */
export function explanationView(d: Explainable): HTMLElement {
  const { reasons, others } = d.explanation;
  const items: { label: string; short?: string; value: number; detail: string }[] = reasons.map((r) => ({ label: reasonText(r), short: reasonHead(reasonText(r)), value: r.contribution, detail: `${r.code ?? r.feature}: ${formatValue(r.value)}` }));
  if (others.count > 0) items.push({ label: t("customer.otherFactors", { n: others.count }), value: others.contribution, detail: "" });
  return h(
    "div",
    { class: "explanation" },
    reasons.length
      ? waterfallChart({ title: t("customer.waterfall"), items, totalLabel: t("common.total"), format: (v) => v.toFixed(2) })
      : h("p", { class: "muted" }, t("common.none")),
    h("p", { class: "note" }, t("customer.waterfallNote")),
    h(
      "ol",
      { class: "reasons" },
      reasons.map((r) => h("li", { "data-code": r.code ?? r.feature }, h("strong", null, reasonText(r)), h("span", { class: "muted small" }, ` (${r.code ?? r.feature}; ${t("customer.reasonValue")}: ${formatValue(r.value)})`))),
    ),
    d.firedRules.length ? [h("h3", null, t("customer.rules")), rulesList(d.firedRules)] : null,
    d.limitCalculation ? h("details", null, h("summary", null, t("customer.calculation")), calculationView(d.limitCalculation, d.currency ?? "CNY")) : null,
  );
}

interface Term {
  id: string;
  label?: { en?: string; zh?: string } | string;
  valueMinor?: number;
  expression?: string;
}

/**
 * A limit calculation: the policy's `{formula, terms, binding, inputs}` as a formula, a table of terms (the
 * binding one marked) and the inputs; any other shape as its scalar members, nested parts as JSON.
 */
export function calculationView(calc: unknown, currency: string): HTMLElement {
  if (!calc || typeof calc !== "object" || Array.isArray(calc)) return jsonBlock(calc);
  const c = calc as { formula?: string; terms?: Term[]; binding?: string; inputs?: Record<string, unknown> } & Record<string, unknown>;
  if (typeof c.formula === "string" && Array.isArray(c.terms)) {
    const label = (x: Term) => (typeof x.label === "string" ? x.label : ((lang() === "zh-CN" ? x.label?.zh : x.label?.en) ?? x.id));
    return h(
      "div",
      { class: "calc" },
      h("code", { class: "formula" }, c.formula),
      h(
        "table",
        { class: "table" },
        h(
          "tbody",
          null,
          c.terms.map((x) =>
            h(
              "tr",
              { class: x.id === c.binding ? "binding" : "" },
              h("td", null, label(x), x.id === c.binding ? h("span", { class: "badge status-held" }, " ✓ ") : null),
              h("td", { class: "num" }, typeof x.valueMinor === "number" ? fmtMoney(x.valueMinor / 100, currency) : "—"),
              h("td", { class: "muted small" }, x.expression ?? ""),
            ),
          ),
        ),
      ),
      c.inputs ? scalarList(c.inputs, currency) : null,
    );
  }
  return scalarList(c, currency);
}

function scalarList(obj: Record<string, unknown>, currency: string): HTMLElement {
  return h(
    "dl",
    { class: "facts calc" },
    Object.entries(obj).map(([k, v]) => [
      h("dt", null, k),
      h("dd", null, typeof v === "number" ? (/minor$/i.test(k) ? fmtMoney(v / 100, currency) : fmtNum(v, Number.isInteger(v) ? 0 : 4)) : typeof v === "object" && v !== null ? jsonBlock(v) : String(v)),
    ]),
  );
}
