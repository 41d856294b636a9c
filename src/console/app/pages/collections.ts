import { api, errorMessage } from "../api";
import { may } from "../session";
import { h, mount } from "../dom";
import { fmtDate, fmtMoney, fmtNum, t, tOr } from "../i18n";
import type { PageContext } from "../main";
import type { Worklist } from "../types";
import { badge, pager, toast } from "../ui";

type Item = Worklist["items"][number];

/** 催收工作台: the open actions due within a week, each with a form to record what was done or promised. */
export async function collectionsPage({ root, query }: PageContext): Promise<void> {
  const offset = Number(query.get("offset") ?? 0) || 0;
  const w = await api<Worklist>("/collections/worklist", { query: { limit: 30, offset } });
  mount(
    root,
    h("div", { class: "page-head" }, h("h1", null, t("collections.title")), h("span", { class: "muted" }, t("collections.count", { n: fmtNum(w.total) })), h("span", { class: "muted" }, t("common.asOf", { date: fmtDate(w.asOf) }))),
    w.items.length ? h("div", { class: "order-list", "data-testid": "worklist" }, w.items.map(itemCard)) : h("p", { class: "empty card" }, t("collections.empty")),
    w.total > w.limit ? pager(w, (o) => (location.hash = `#/collections?offset=${o}`)) : null,
  );
}

function itemCard(a: Item): HTMLElement {
  const kind = h("select", { name: "kind" }, ["done", "promise_to_pay", "note"].map((k) => h("option", { value: k }, k === "done" ? t("collections.record") : tOr(`collections.kind.${k}`, k)))) as HTMLSelectElement;
  const note = h("input", { name: "note", placeholder: t("collections.note") }) as HTMLInputElement;
  const pDate = h("input", { name: "promiseDate", type: "date", "aria-label": t("collections.promiseDate") }) as HTMLInputElement;
  const pAmount = h("input", { name: "promiseAmount", type: "number", min: "0", step: "0.01", placeholder: t("collections.promiseAmount") }) as HTMLInputElement;
  const promiseFields = h("div", { class: "row promise", hidden: true }, pDate, pAmount);
  kind.addEventListener("change", () => {
    promiseFields.hidden = kind.value !== "promise_to_pay";
  });
  const el = h(
    "article",
    { class: "card order", "data-action-id": String(a.id) },
    h(
      "div",
      { class: "order-head" },
      h("div", null, h("div", { class: "order-id" }, tOr(`collections.kind.${a.kind}`, a.kind), a.step !== a.kind ? h("span", { class: "muted small" }, ` · ${a.step}`) : null), h("a", { href: `#/customer/${encodeURIComponent(a.customerId)}`, class: "order-customer" }, a.customerName)),
      h("div", { class: "order-amount" }, fmtMoney(a.outstanding, a.currency)),
    ),
    h(
      "dl",
      { class: "facts" },
      h("dt", null, t("collections.due")),
      h("dd", null, fmtDate(a.dueDate)),
      h("dt", null, t("customer.invoiceRef")),
      h("dd", null, a.invoiceId ?? "—"),
      h("dt", null, t("customer.dpd")),
      h("dd", null, fmtNum(a.daysPastDue)),
      h("dt", null, t("common.tier")),
      h("dd", null, badge("tier", a.tier)),
      h("dt", null, t("common.status")),
      h("dd", null, badge("status", a.status)),
    ),
    // Only roles that may record an outcome get the form (officer, admin).
    !may("POST", `/collections/actions/${a.id}/record`)
      ? null
      : h(
      "form",
      {
        class: "record-form",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const body: Record<string, unknown> = { outcome: kind.value };
          if (note.value.trim()) body.note = note.value.trim();
          if (kind.value === "promise_to_pay") {
            body.promiseDate = pDate.value;
            if (pAmount.value) body.promiseAmount = Number(pAmount.value);
          }
          try {
            await api(`/collections/actions/${a.id}/record`, { method: "POST", body });
            toast(t("collections.saved"));
            el.remove();
          } catch (err) {
            toast(errorMessage(err), "error");
          }
        },
      },
      h("div", { class: "row" }, kind, note),
      promiseFields,
      h("button", { class: "btn big primary", type: "submit" }, t("collections.save")),
    ),
  );
  return el;
}
