/** Shared page pieces: cards, KPIs, responsive tables, badges, pager, toasts, a confirmation dialog. */
import { h } from "./dom";
import { errorMessage } from "./api";
import { t, tOr } from "./i18n";

type Cell = Node | string | number | null | undefined;

/** A titled panel. */
export function card(title: string | null, ...body: (Node | string | null | undefined | false | Node[])[]): HTMLElement {
  return h("section", { class: "card" }, title ? h("h2", null, title) : null, ...body);
}

/** A key figure. */
export function kpi(label: string, value: string, tone: "" | "warn" | "bad" | "good" = "", testId?: string): HTMLElement {
  return h("div", { class: `kpi ${tone}`, "data-testid": testId }, h("div", { class: "kpi-label" }, label), h("div", { class: "kpi-value" }, value));
}

/**
 * A table that turns into stacked cards on narrow screens (each cell carries its column name in
 * `data-label`, which the phone layout shows).
 */
export function table(columns: { label: string; num?: boolean }[], rows: Cell[][], opts: { empty?: string; rowAttrs?: (i: number) => Record<string, string> } = {}): HTMLElement {
  if (!rows.length) return h("p", { class: "empty" }, opts.empty ?? t("common.none"));
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table" },
      h("thead", null, h("tr", null, columns.map((c) => h("th", { class: c.num ? "num" : "" }, c.label)))),
      h(
        "tbody",
        null,
        rows.map((r, i) => h("tr", opts.rowAttrs?.(i) ?? null, r.map((cell, j) => h("td", { class: columns[j]?.num ? "num" : "", "data-label": columns[j]?.label ?? "" }, cell ?? "—")))),
      ),
    ),
  );
}

/** A coloured status/outcome/tier badge with a translated label. */
export function badge(kind: "status" | "outcome" | "level" | "tier", value: string | null | undefined): HTMLElement {
  if (!value) return h("span", { class: "badge" }, "—");
  const label = kind === "tier" ? value : tOr(`${kind}.${value}`, value);
  return h("span", { class: `badge ${kind}-${value}` }, label);
}

/** Offset pagination controls. */
export function pager(p: { total: number; limit: number; offset: number }, go: (offset: number) => void): HTMLElement {
  const from = p.total ? p.offset + 1 : 0;
  const to = Math.min(p.total, p.offset + p.limit);
  return h(
    "div",
    { class: "pager" },
    h("button", { class: "btn", disabled: p.offset <= 0, onclick: () => go(Math.max(0, p.offset - p.limit)) }, t("common.prev")),
    h("span", null, t("common.page", { from, to, total: p.total })),
    h("button", { class: "btn", disabled: to >= p.total, onclick: () => go(p.offset + p.limit) }, t("common.next")),
  );
}

/** A short message at the bottom of the screen. */
export function toast(message: string, tone: "ok" | "error" = "ok"): void {
  const el = h("div", { class: `toast ${tone}`, role: "status" }, message);
  document.body.appendChild(el);
  setTimeout(() => el.remove(), 3500);
}

/** A localised error box (never a stack trace) with an optional retry. */
export function errorBox(err: unknown, retry?: () => void): HTMLElement {
  return h(
    "div",
    { class: "error-box", role: "alert", "data-testid": "error" },
    h("strong", null, t("error.title")),
    h("p", null, errorMessage(err)),
    retry ? h("button", { class: "btn", onclick: retry }, t("error.retry")) : null,
  );
}

/**
 * A modal dialog asking for confirmation, optionally with a required reason text. Resolves with the
 * reason (or "" without one), or null when cancelled.
 */
export function confirmDialog(opts: { message: string; reason?: { label: string; placeholder: string }; confirmLabel: string; danger?: boolean }): Promise<string | null> {
  return new Promise((resolve) => {
    const err = h("p", { class: "field-error" });
    const ta = opts.reason ? h("textarea", { id: "dialog-reason", rows: 3, placeholder: opts.reason.placeholder, oninput: () => (err.textContent = "") }) : null;
    const close = (v: string | null) => {
      overlay.remove();
      resolve(v);
    };
    const ok = h(
      "button",
      {
        class: `btn big ${opts.danger ? "danger" : "primary"}`,
        "data-testid": "dialog-confirm",
        onclick: () => {
          const reason = ta ? (ta as HTMLTextAreaElement).value.trim() : "";
          if (ta && !reason) {
            err.textContent = t("orders.reasonRequired");
            return;
          }
          close(reason);
        },
      },
      opts.confirmLabel,
    );
    const overlay = h(
      "div",
      { class: "overlay" },
      h(
        "div",
        { class: "dialog", role: "dialog", "aria-modal": "true" },
        h("p", { class: "dialog-message" }, opts.message),
        opts.reason ? h("label", { for: "dialog-reason" }, opts.reason.label) : null,
        ta,
        err,
        h("div", { class: "dialog-actions" }, h("button", { class: "btn big", onclick: () => close(null) }, t("common.cancel")), ok),
      ),
    );
    document.body.appendChild(overlay);
    (ta ?? ok).focus();
  });
}

/** Renders a JSON value as a readable definition list (one level) or preformatted JSON. */
export function jsonBlock(v: unknown): HTMLElement {
  return h("pre", { class: "json" }, JSON.stringify(v, null, 2));
}
