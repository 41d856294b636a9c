/**
 * The console's shell: login, navigation, language switch and a hash router (`#/portfolio`,
 * `#/orders`, `#/customer/<id>`, `#/collections`, `#/models`, `#/decisions`, `#/decisions/<id>`).
 * Pages are functions that render into the main area and fetch their data from the API.
 */
import { apiKey, ApiError, errorMessage, setApiKey, setUnauthorizedHandler } from "./api";
import { h, mount } from "./dom";
import { initLang, lang, setLang, t, type MsgKey } from "./i18n";
import { errorBox, toast } from "./ui";
import { clearMe, currentRole, loadMe, may } from "./session";
import { portfolioPage } from "./pages/portfolio";
import { ordersPage } from "./pages/orders";
import { customerPage } from "./pages/customer";
import { collectionsPage } from "./pages/collections";
import { modelsPage } from "./pages/models";
import { decisionsPage, decisionPage } from "./pages/decisions";

/** What a page receives: where to render, route parameters and query. */
export interface PageContext {
  root: HTMLElement;
  params: string[];
  query: URLSearchParams;
}

type Page = (ctx: PageContext) => Promise<void>;

const NAV: { route: string; key: MsgKey }[] = [
  { route: "portfolio", key: "nav.portfolio" },
  { route: "orders", key: "nav.orders" },
  { route: "collections", key: "nav.collections" },
  { route: "decisions", key: "nav.decisions" },
  { route: "models", key: "nav.models" },
];

/** The API route each page reads: a role that may not call it gets a "not permitted" message instead. */
const READS: Record<string, string> = {
  portfolio: "/portfolio/summary",
  orders: "/orders",
  customer: "/customers/_/overview",
  collections: "/collections/worklist",
  models: "/monitoring/models",
  decisions: "/decisions",
};

const ROUTES: Record<string, Page> = {
  portfolio: portfolioPage,
  orders: ordersPage,
  customer: customerPage,
  collections: collectionsPage,
  models: modelsPage,
  decisions: (ctx) => (ctx.params.length ? decisionPage(ctx) : decisionsPage(ctx)),
};

function parseHash(): { route: string; params: string[]; query: URLSearchParams } {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, qs] = raw.split("?");
  const parts = (path || "portfolio").split("/").map(decodeURIComponent);
  return { route: parts[0], params: parts.slice(1), query: new URLSearchParams(qs ?? "") };
}

let renderSeq = 0;

async function render(): Promise<void> {
  const app = document.getElementById("app")!;
  document.title = t("app.title");
  if (!apiKey()) {
    mount(app, loginView());
    return;
  }
  const seq = ++renderSeq;
  if (!currentRole()) {
    try {
      await loadMe();
    } catch (err) {
      if (seq !== renderSeq) return;
      if (err instanceof ApiError && err.status === 401) return;
      mount(app, h("main", { id: "page", class: "page" }, errorBox(err, () => void render())));
      return;
    }
    if (seq !== renderSeq) return;
  }
  const { route, params, query } = parseHash();
  const main = h("main", { id: "page", class: "page", "data-route": route });
  mount(app, shell(route), main);
  const page = ROUTES[route] ?? portfolioPage;
  const reads = READS[ROUTES[route] ? route : "portfolio"];
  const t0 = performance.now();
  main.setAttribute("aria-busy", "true");
  main.appendChild(h("p", { class: "loading" }, t("common.loading")));
  try {
    if (may("GET", reads)) await page({ root: main, params, query });
    else mount(main, notPermitted());
  } catch (err) {
    if (seq !== renderSeq) return;
    if (err instanceof ApiError && err.status === 401) return;
    mount(main, errorBox(err, () => void render()));
  } finally {
    if (seq === renderSeq) {
      main.setAttribute("aria-busy", "false");
      // For performance checks: time of this render (data fetch + DOM) and since the document started loading.
      main.dataset.renderMs = String(Math.round(performance.now() - t0));
      main.dataset.sinceLoadMs = String(Math.round(performance.now()));
      main.dataset.ready = "true";
    }
  }
}

/** The page a role may not read: a sentence in the user's language, not a failed request. */
function notPermitted(): HTMLElement {
  const role = currentRole();
  return h(
    "div",
    { class: "card notice", "data-testid": "not-permitted", role: "status" },
    h("p", null, t("role.notPermitted", { role: role ? t(`role.${role}`) : "—" })),
    h("p", { class: "muted small" }, t("role.notPermittedHint")),
  );
}

function shell(active: string): HTMLElement {
  const role = currentRole();
  return h(
    "header",
    { class: "topbar" },
    h("a", { class: "brand", href: "#/portfolio" }, h("span", { class: "logo" }, "信"), h("span", null, t("app.title"))),
    h(
      "nav",
      { class: "nav" },
      NAV.filter((n) => may("GET", READS[n.route])).map((n) => h("a", { href: `#/${n.route}`, class: active === n.route ? "active" : "", "data-nav": n.route }, t(n.key))),
    ),
    h(
      "div",
      { class: "top-actions" },
      h("button", { class: "btn ghost", id: "lang-switch", "data-testid": "lang-switch", onclick: () => switchLang() }, t("lang.switch")),
      role ? h("span", { class: "role-tag", "data-testid": "role", "data-role": role }, t("role.label", { role: t(`role.${role}`) })) : null,
      h("button", { class: "btn ghost", id: "logout", onclick: () => logout() }, t("nav.logout")),
    ),
  );
}

function switchLang(): void {
  setLang(lang() === "zh-CN" ? "en" : "zh-CN");
  void render();
}

function logout(): void {
  setApiKey(null);
  clearMe();
  void render();
}

function loginView(): HTMLElement {
  const input = h("input", { id: "api-key", type: "password", autocomplete: "off", required: true, "aria-label": t("login.key") }) as HTMLInputElement;
  const msg = h("p", { class: "field-error", id: "login-error" });
  const form = h(
    "form",
    {
      class: "login card",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const key = input.value.trim();
        if (!key) return;
        setApiKey(key);
        clearMe();
        try {
          // Any valid key may call /me (an erp key may read nothing else); it also tells the console the role.
          await loadMe();
          void render();
        } catch (err) {
          setApiKey(null);
          clearMe();
          msg.textContent = err instanceof ApiError && err.status === 401 ? t("login.invalid") : errorBox(err).textContent;
        }
      },
    },
    h("h1", null, t("app.title")),
    h("p", { class: "muted" }, t("app.subtitle")),
    h("p", null, t("login.intro")),
    h("label", { for: "api-key" }, t("login.key")),
    input,
    msg,
    h("div", { class: "row" }, h("button", { class: "btn primary big", type: "submit", id: "login-submit" }, t("login.submit")),
      h("button", { class: "btn ghost", type: "button", onclick: () => { switchLang(); } }, t("lang.switch"))),
  );
  return h("div", { class: "login-wrap" }, form);
}

setUnauthorizedHandler(() => {
  // During sign-in the login form reports the bad key itself.
  if (document.getElementById("api-key")) return;
  setApiKey(null);
  clearMe();
  void render();
});

// Anything a handler failed to catch still reaches the officer as a sentence in their language, never as a trace.
window.addEventListener("unhandledrejection", (e) => {
  e.preventDefault();
  toast(errorMessage(e.reason), "error");
});
window.addEventListener("error", (e) => {
  e.preventDefault();
  toast(t("error.page"), "error");
});

initLang();
window.addEventListener("hashchange", () => void render());
void render();
