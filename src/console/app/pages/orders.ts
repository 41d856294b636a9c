import { api, errorMessage } from "../api";
import { h, mount } from "../dom";
import { fmtDate, fmtMoney, fmtNum, fmtPct, lang, t } from "../i18n";
import type { PageContext } from "../main";
import type { FiredRule, OrderItem, OrdersPage } from "../types";
import { badge, confirmDialog, pager, toast } from "../ui";
import { may } from "../session";

/** Localised text of a fired rule. */
export function ruleText(r: FiredRule): string {
  return (lang() === "zh-CN" ? r.zh : r.en) || r.en || r.id;
}

/** The rules of a decision as a list. */
export function rulesList(rules: FiredRule[]): HTMLElement {
  if (!rules.length) return h("p", { class: "muted small" }, t("common.none"));
  return h(
    "ul",
    { class: "rules" },
    rules.map((r) => h("li", { "data-rule": r.id }, r.outcome ? badge("outcome", r.outcome) : null, " ", ruleText(r), h("code", { class: "muted small" }, ` ${r.id}`))),
  );
}

/** The statuses that wait for an officer: held by a rule, or sent to manual review. */
const QUEUE = "held,review";

/** 待审订单: held orders as cards (phone-friendly), each with the rules that fired and release/reject. */
export async function ordersPage({ root, query }: PageContext): Promise<void> {
  const offset = Number(query.get("offset") ?? 0) || 0;
  const page = await api<OrdersPage>("/orders", { query: { status: QUEUE, limit: 20, offset } });
  const list = h("div", { class: "order-list", "data-testid": "order-list" }, page.items.map((o) => orderCard(o, root)));
  mount(
    root,
    h("div", { class: "page-head" }, h("h1", null, t("orders.title")), h("span", { class: "muted", "data-testid": "order-count" }, t("orders.count", { n: fmtNum(page.total) }))),
    page.items.length ? list : h("p", { class: "empty card" }, t("orders.empty")),
    page.total > page.limit ? pager(page, (o) => (location.hash = `#/orders?offset=${o}`)) : null,
  );
}

function orderCard(o: OrderItem, root: HTMLElement): HTMLElement {
  const act = async (action: "release" | "reject") => {
    const reason = await confirmDialog({
      message: t(action === "release" ? "orders.confirmRelease" : "orders.confirmReject", { id: o.orderId }),
      reason: { label: t("orders.reasonLabel"), placeholder: t("orders.reasonPlaceholder") },
      confirmLabel: t(action === "release" ? "orders.release" : "orders.reject"),
      danger: action === "reject",
    });
    if (reason === null) return;
    try {
      await api(`/orders/${encodeURIComponent(o.orderId)}/${action}`, { method: "POST", body: { reason } });
      toast(t(action === "release" ? "orders.released" : "orders.rejected", { id: o.orderId }));
      cardEl.remove();
      const count = root.querySelector('[data-testid="order-count"]');
      const left = root.querySelectorAll("[data-order]").length;
      if (count) count.textContent = t("orders.count", { n: fmtNum(Math.max(0, left)) });
    } catch (err) {
      toast(errorMessage(err), "error");
    }
  };
  const cardEl = h(
    "article",
    { class: "card order", "data-order": o.orderId },
    h(
      "div",
      { class: "order-head" },
      h("div", null, h("div", { class: "order-id" }, o.orderId), h("a", { href: `#/customer/${encodeURIComponent(o.customerId)}`, class: "order-customer" }, o.customerName)),
      h("div", { class: "order-amount" }, fmtMoney(o.amount, o.currency)),
    ),
    h(
      "dl",
      { class: "facts" },
      fact(t("orders.orderDate"), fmtDate(o.orderDate)),
      fact(t("common.tier"), badge("tier", o.tier)),
      fact(t("common.pd"), fmtPct(o.pd, 2)),
      fact(t("common.score"), fmtNum(o.score)),
      fact(t("common.limit"), fmtMoney(o.decisionLimit ?? o.limit, o.currency)),
      fact(t("common.exposure"), fmtMoney(o.exposure, o.currency)),
      fact(t("common.decision"), badge("outcome", o.decision)),
    ),
    h("h3", null, t("orders.rules")),
    rulesList(o.rules),
    actions(o, act),
  );
  return cardEl;
}

/** Release / reject, each only when the role may call it (an analyst or erp key sees neither). */
function actions(o: OrderItem, act: (a: "release" | "reject") => Promise<void>): HTMLElement | null {
  const id = encodeURIComponent(o.orderId);
  const release = may("POST", `/orders/${id}/release`);
  const reject = may("POST", `/orders/${id}/reject`);
  if (!release && !reject) return null;
  return h(
    "div",
    { class: "order-actions" },
    release ? h("button", { class: "btn big primary", "data-action": "release", onclick: () => void act("release") }, t("orders.release")) : null,
    reject ? h("button", { class: "btn big danger", "data-action": "reject", onclick: () => void act("reject") }, t("orders.reject")) : null,
  );
}

function fact(label: string, value: Node | string): HTMLElement[] {
  return [h("dt", null, label), h("dd", null, value)];
}
