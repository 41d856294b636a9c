/**
 * End-to-end: the officers' console in Debian's Chromium (playwright-core, no browser download) against the
 * real server (`node bin/credit.mjs start`) on a small demo portfolio. Opens every page in zh-CN and en,
 * checks load times, the phone layout of the held-orders queue, releasing an order into the audit, a
 * promise to pay, the explanation waterfall against the API's reasons, model promotion behind a
 * confirmation, and localised errors without stack traces. Screenshots go to test-results/screenshots/.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = join(import.meta.dirname, "../..");
const SHOTS = join(ROOT, "test-results/screenshots");
/** Set both to run against an already running server (e.g. a staging deployment) instead of starting one. */
const EXTERNAL_URL = process.env.CONSOLE_E2E_BASE_URL;
const KEY = process.env.CONSOLE_E2E_KEY ?? "e2e-console-key-0123456789abcdef";
const LANGS = ["zh-CN", "en"] as const;
type Lang = (typeof LANGS)[number];

if (process.env.CI === "true" && !existsSync(CHROMIUM)) throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run must install chromium`);

/** Words each page must show in each language (its heading), proving the dictionary is applied. */
const HEADINGS: Record<string, Record<Lang, string>> = {
  portfolio: { "zh-CN": "信用看板", en: "Portfolio" },
  orders: { "zh-CN": "待审订单", en: "Held orders" },
  collections: { "zh-CN": "催收工作台", en: "Collections" },
  models: { "zh-CN": "模型管理", en: "Models" },
  decisions: { "zh-CN": "决策查询", en: "Decisions" },
  customer: { "zh-CN": "最近一次决策的原因", en: "Why: the latest decision's reasons" },
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe.runIf(existsSync(CHROMIUM))("officers' console in Chromium", () => {
  let dir: string;
  let server: ChildProcess;
  let base: string;
  let browser: Browser;
  let log = "";
  const api = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const res = await fetch(base + path, {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${KEY}`, ...(init.body ? { "content-type": "application/json" } : {}) },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "console-e2e-"));
    // playwright-core gives each launch a fresh, temporary --user-data-dir of its own (it refuses one in args).
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"],
    });
    if (EXTERNAL_URL) {
      base = EXTERNAL_URL.replace(/\/$/, "");
      return;
    }
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [join(ROOT, "bin/credit.mjs"), "start"], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: `file:${join(dir, "e2e.db")}`,
        MODELS_DIR: join(dir, "models"),
        CREDIT_API_KEY: KEY,
        DEMO_ON_EMPTY: "true",
        DEMO_CUSTOMERS: "300",
        TRAIN_ON_EMPTY: "true",
        JOBS_IN_PROCESS: "true",
        REDIS_URL: "",
        LOG_LEVEL: "warn",
        VITEST: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout!.on("data", (b: Buffer) => (log = (log + b.toString()).slice(-20_000)));
    server.stderr!.on("data", (b: Buffer) => (log = (log + b.toString()).slice(-20_000)));
    const deadline = Date.now() + 240_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`credit start exited with ${server.exitCode}:\n${log}`);
      try {
        const r = await fetch(`${base}/readyz`);
        if (r.ok) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`server not ready after 240 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    await prepareDay();
  }, 300_000);

  /**
   * What a working day looks like before the officers arrive: ERP orders checked through POST /score (a
   * few far above their customer's limit, which the policy holds), and the daily jobs run (rescore, drift,
   * collections).
   */
  async function prepareDay(): Promise<void> {
    const top = await api<{ asOf: string; topExposures: { customerId: string; limit: number | null }[] }>("/portfolio/summary?top=4");
    for (const [i, c] of top.topExposures.entries()) {
      await api("/score", { method: "POST", body: { customerId: c.customerId, order: { id: `E2E-HOLD-${i}`, amount: Math.max(1_000_000, (c.limit ?? 0) * 3), currency: "CNY", date: top.asOf } } });
    }
    for (const job of ["rescore", "drift", "collections"]) {
      const run = await api<{ id: string }>(`/jobs/${job}/run`, { method: "POST", body: {} });
      const deadline = Date.now() + 120_000;
      for (;;) {
        const r = await api<{ status: string; error: string | null }>(`/jobs/${run.id}`);
        if (r.status === "completed") break;
        if (r.status === "failed") throw new Error(`job ${job} failed: ${r.error}`);
        if (Date.now() > deadline) throw new Error(`job ${job} did not finish in 120 s`);
        await new Promise((res) => setTimeout(res, 300));
      }
    }
  }

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise((r) => {
        const t = setTimeout(() => {
          server.kill("SIGKILL");
          r(null);
        }, 10_000);
        server.once("exit", () => {
          clearTimeout(t);
          r(null);
        });
      });
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A browser context already signed in, in `lang`. */
  async function session(lang: Lang, viewport = { width: 1280, height: 900 }, key = KEY): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
    const ctx = await browser.newContext({ viewport, locale: lang, deviceScaleFactor: 1 });
    await ctx.addInitScript(([k, l]) => {
      sessionStorage.setItem("console.apiKey", k);
      localStorage.setItem("console.lang", l);
    }, [key, lang] as const);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    return { ctx, page, errors };
  }

  /**
   * Navigates to a console route and waits until the page has rendered its data. Returns the time the page
   * took as the browser measured it: from the start of the document for a full load, from the route change
   * for an in-app navigation (data fetch + rendering), and the wall time seen from the test.
   */
  async function open(page: Page, route: string): Promise<{ pageMs: number; wallMs: number }> {
    const t0 = Date.now();
    let full = false;
    if (page.url().startsWith(`${base}/console/`)) {
      await page.evaluate((r) => {
        document.getElementById("page")?.removeAttribute("data-ready");
        location.hash = `#/${r}`;
      }, route);
    } else {
      full = true;
      await page.goto(`${base}/console/#/${route}`);
    }
    const main = page.locator(`main[data-ready="true"][data-route="${route.split(/[/?]/)[0]}"]`);
    await main.waitFor({ timeout: 15_000 });
    const pageMs = Number(await main.getAttribute(full ? "data-since-load-ms" : "data-render-ms"));
    return { pageMs, wallMs: Date.now() - t0 };
  }

  async function expectNoStackTrace(page: Page): Promise<void> {
    const text = await page.locator("body").innerText();
    expect(text).not.toMatch(/\n\s+at [\w.<>]+ \(|Error: |node:internal|\.ts:\d+/);
  }

  it("asks for the API key, rejects a wrong one in the user's language, and signs in", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${base}/console/`);
    await page.waitForSelector("#api-key");
    expect(await page.locator("h1").innerText()).toBe("信用管理控制台");
    await page.fill("#api-key", "wrong-key-wrong-key");
    await page.click("#login-submit");
    await expect.poll(() => page.locator("#login-error").innerText()).toBe("密钥无效，请重新输入。");
    await page.screenshot({ path: join(SHOTS, "login-zh-CN.png") });
    await page.fill("#api-key", KEY);
    await page.click("#login-submit");
    await page.waitForSelector('main[data-ready="true"][data-route="portfolio"]');
    await ctx.close();
  });

  for (const lang of LANGS) {
    it(`opens every page in ${lang} under a second, with charts and without errors`, async () => {
      const held = await api<{ items: { customerId: string }[] }>("/orders?status=held&limit=1");
      const top = await api<{ topExposures: { customerId: string }[] }>("/portfolio/summary?top=1");
      const customerId = held.items[0]?.customerId ?? top.topExposures[0].customerId;
      const { ctx, page, errors } = await session(lang);
      const timings: Record<string, { pageMs: number; wallMs: number }> = {};
      const routes = ["portfolio", "orders", `customer/${customerId}`, "collections", "models", "decisions"];
      for (const route of routes) {
        timings[route] = await open(page, route);
        const name = route.split("/")[0];
        expect(await page.locator("#page").innerText()).toContain(HEADINGS[name][lang]);
        expect(await page.locator('[data-testid="error"]').count()).toBe(0);
        await expectNoStackTrace(page);
        await page.screenshot({ path: join(SHOTS, `${name}-${lang}.png`), fullPage: true });
      }
      // The champion's training report (ROC, calibration, score distribution) renders inside the page.
      await open(page, "models");
      const report = page.frameLocator('[data-testid="model-report"]');
      await expect.poll(() => report.locator("body").innerText(), { timeout: 10_000 }).toContain("ROC");
      expect(await report.locator("svg").count()).toBeGreaterThanOrEqual(3);
      // Charts, not tables alone.
      await open(page, "portfolio");
      expect(await page.locator("#page svg.chart-svg").count()).toBeGreaterThanOrEqual(8);
      expect(await page.locator('#page [data-testid="kpi-exposure"]').count()).toBe(1);
      expect(await page.locator("html").getAttribute("lang")).toBe(lang);
      console.info(`[console e2e] page load times (${lang}, ms, browser-measured / wall):`, Object.entries(timings).map(([r, t]) => `${r.split("/")[0]} ${t.pageMs}/${t.wallMs}`).join(", "));
      for (const [route, t] of Object.entries(timings)) expect(t.pageMs, `${route} took ${t.pageMs} ms`).toBeLessThan(1000);
      expect(errors).toEqual([]);
      await ctx.close();
    });
  }

  it("switches the language in place", async () => {
    const { ctx, page } = await session("zh-CN");
    await open(page, "orders");
    expect(await page.locator("#lang-switch").innerText()).toBe("English");
    await page.click("#lang-switch");
    await page.waitForSelector('main[data-ready="true"][data-route="orders"]');
    expect(await page.locator("h1").innerText()).toBe("Held orders");
    expect(await page.evaluate(() => localStorage.getItem("console.lang"))).toBe("en");
    await ctx.close();
  });

  it("releases a held order on a phone: it leaves the queue and appears in the audit", async () => {
    const held = await api<{ items: { orderId: string; customerId: string }[]; total: number }>("/orders?status=held,review&limit=200");
    expect(held.total).toBeGreaterThan(0);

    const { ctx, page } = await session("zh-CN", { width: 390, height: 844 });
    await open(page, "orders");
    const first = page.locator("[data-order]").first();
    const orderId = (await first.getAttribute("data-order"))!;
    // Phone layout: no horizontal scrolling, big touch targets.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const btn = await first.locator('[data-action="release"]').boundingBox();
    expect(btn!.height).toBeGreaterThanOrEqual(44);
    await page.screenshot({ path: join(SHOTS, "orders-phone-zh-CN.png"), fullPage: false });

    await first.locator('[data-action="release"]').click();
    await page.waitForSelector("#dialog-reason");
    await page.click('[data-testid="dialog-confirm"]');
    expect(await page.locator(".dialog .field-error").innerText()).toBe("请填写理由。");
    await page.fill("#dialog-reason", "客户已提供银行保函 (e2e)");
    await page.screenshot({ path: join(SHOTS, "orders-phone-release-dialog-zh-CN.png") });
    await page.click('[data-testid="dialog-confirm"]');
    await page.waitForSelector(`[data-order="${orderId}"]`, { state: "detached" });

    const after = await api<{ items: { orderId: string }[] }>("/orders?status=held,review&limit=200");
    expect(after.items.map((o) => o.orderId)).not.toContain(orderId);
    const audit = await api<{ items: { action: string; reason: string; orderId: string }[] }>(`/overrides?order=${encodeURIComponent(orderId)}`);
    expect(audit.items[0]).toMatchObject({ action: "release", orderId, reason: "客户已提供银行保函 (e2e)" });

    // A reload shows the queue without it, and the audit is visible in the console too.
    await page.reload();
    await page.waitForSelector('main[data-ready="true"][data-route="orders"]');
    expect(await page.locator(`[data-order="${orderId}"]`).count()).toBe(0);
    const customerId = held.items.find((o) => o.orderId === orderId)!.customerId;
    await open(page, `customer/${customerId}`);
    expect(await page.locator("#page").innerText()).toContain("客户已提供银行保函 (e2e)");
    await page.screenshot({ path: join(SHOTS, "customer-phone-zh-CN.png"), fullPage: true });
    await ctx.close();
  });

  it("records a promise to pay from the collections worklist", async () => {
    const w = await api<{ items: { id: number; customerId: string; invoiceId: string }[]; total: number }>("/collections/worklist?limit=5");
    expect(w.total, "the collections job planned actions").toBeGreaterThan(0);
    const { ctx, page } = await session("en", { width: 390, height: 844 });
    await open(page, "collections");
    const card = page.locator("[data-action-id]").first();
    const actionId = Number(await card.getAttribute("data-action-id"));
    const item = w.items.find((i) => i.id === actionId)!;
    await card.locator('select[name="kind"]').selectOption("promise_to_pay");
    await card.locator('input[name="promiseDate"]').fill("2099-01-31");
    await card.locator('input[name="promiseAmount"]').fill("1234.5");
    await card.locator('input[name="note"]').fill("CFO promised by phone (e2e)");
    await page.screenshot({ path: join(SHOTS, "collections-phone-en.png") });
    await card.locator('button[type="submit"]').click();
    await page.waitForSelector(`[data-action-id="${actionId}"]`, { state: "detached" });
    const c = await api<{ collections: { kind: string; promiseDate: string | null; promiseAmount: number | null; note: string | null; invoiceId: string | null }[] }>(`/customers/${encodeURIComponent(item.customerId)}/overview`);
    expect(c.collections.find((a) => a.kind === "promise_to_pay")).toMatchObject({ promiseDate: "2099-01-31", promiseAmount: 1234.5, note: "CFO promised by phone (e2e)", invoiceId: item.invoiceId });
    await ctx.close();
  });

  it("draws the explanation waterfall with exactly the API's reasons", async () => {
    const decisions = await api<{ items: { id: string; customerId: string | null }[] }>("/decisions?kind=order_check&limit=50");
    const withCustomer = decisions.items.find((d) => d.customerId);
    expect(withCustomer, "a decision for a known customer").toBeTruthy();
    const customerId = withCustomer!.customerId!;
    const overview = await api<{ latestDecision: { id: string } }>(`/customers/${encodeURIComponent(customerId)}/overview`);
    // The audit record as the decisions API serves it: the answer's reasons (top factors, in plain language)
    // and every stored attribution.
    type ApiReason = { feature: string; contribution: number; text?: { en: string; zh: string } };
    const stored = await api<{ reasons: ApiReason[]; answer: { reasons: ApiReason[] } }>(`/decisions/${encodeURIComponent(overview.latestDecision.id)}`);
    const given = stored.answer.reasons;
    expect(given.length).toBeGreaterThan(0);
    const named = new Set(given.map((r) => r.feature));
    const rest = stored.reasons.filter((r) => !named.has(r.feature));
    const othersSum = rest.reduce((a, r) => a + r.contribution, 0);

    for (const lang of LANGS) {
      const { ctx, page } = await session(lang);
      await open(page, `customer/${customerId}`);
      const bars = page.locator('[data-testid="explanation"] rect.wf-bar');
      const drawn = await bars.evaluateAll((els) => els.map((e) => ({ c: Number(e.getAttribute("data-contribution")), label: e.getAttribute("data-label") })));
      expect(drawn.slice(0, given.length).map((d) => d.c)).toEqual(given.map((r) => r.contribution));
      expect(drawn.slice(0, given.length).map((d) => d.label)).toEqual(given.map((r) => (lang === "zh-CN" ? r.text!.zh : r.text!.en)));
      if (rest.length) {
        expect(drawn).toHaveLength(given.length + 1);
        expect(drawn[given.length].c).toBeCloseTo(othersSum, 9);
        expect(drawn[given.length].label).toBe(lang === "zh-CN" ? `其他 ${rest.length} 项因素` : `${rest.length} other factors`);
      } else {
        expect(drawn).toHaveLength(given.length);
      }
      const total = Number(await page.locator('[data-testid="explanation"] rect[data-total]').getAttribute("data-total"));
      expect(total).toBeCloseTo(given.reduce((a, r) => a + r.contribution, 0) + othersSum, 9);
      await page.locator('[data-testid="explanation"]').screenshot({ path: join(SHOTS, `waterfall-${lang}.png`) });
      // The same explanation on the decision's own page.
      await open(page, `decisions/${overview.latestDecision.id}`);
      const again = await page.locator('[data-testid="explanation"] rect.wf-bar').evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-contribution"))));
      expect(again).toEqual(drawn.map((d) => d.c));
      await page.screenshot({ path: join(SHOTS, `decision-${lang}.png`), fullPage: true });
      await ctx.close();
    }
  });

  it("keeps chart text legible on a phone and the waterfall's labels inside the chart", async () => {
    const decisions = await api<{ items: { customerId: string | null }[] }>("/decisions?kind=order_check&limit=50");
    const customerId = decisions.items.find((d) => d.customerId)!.customerId!;
    /** Smallest rendered font size (CSS px) of the chart text on the page, and labels drawn left of the chart. */
    const measure = (page: Page) =>
      page.evaluate(() => {
        let min = Infinity;
        const clipped: string[] = [];
        for (const svg of Array.from(document.querySelectorAll("#page svg.chart-svg")) as SVGSVGElement[]) {
          const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
          for (const tx of Array.from(svg.querySelectorAll("text")) as SVGTextElement[]) {
            if (!tx.textContent) continue;
            min = Math.min(min, parseFloat(getComputedStyle(tx).fontSize) * scale);
            if (tx.getBBox().x < -0.5) clipped.push(`${tx.textContent} @${tx.getBBox().x.toFixed(0)}`);
          }
        }
        return { min, clipped };
      });
    for (const lang of LANGS) {
      for (const [viewport, tag] of [[{ width: 390, height: 844 }, "phone"], [{ width: 1280, height: 900 }, "desktop"]] as const) {
        const { ctx, page, errors } = await session(lang, { ...viewport });
        for (const route of ["portfolio", `customer/${customerId}`, "models", "decisions"]) {
          await open(page, route);
          const m = await measure(page);
          expect(m.clipped, `${route} ${lang} ${tag}: labels cut off on the left`).toEqual([]);
          if (Number.isFinite(m.min)) expect(m.min, `${route} ${lang} ${tag}: smallest chart text ${m.min.toFixed(1)} px`).toBeGreaterThanOrEqual(tag === "phone" ? 10.5 : 9);
          if (tag === "phone") expect(await page.evaluate(() => document.documentElement.scrollWidth), `${route}: horizontal scroll`).toBeLessThanOrEqual(390);
          if (tag === "phone" && route !== "decisions") await page.screenshot({ path: join(SHOTS, `${route.split("/")[0]}-phone-${lang}.png`), fullPage: true });
          if (tag === "phone" && route === "portfolio") {
            // Two charts at full resolution (a full-page phone shot is too tall to read): the first bar chart and the last trend.
            await page.addStyleTag({ content: ".topbar { position: static !important; }" });
            await page.locator("#page figure.chart").first().screenshot({ path: join(SHOTS, `portfolio-chart-first-phone-${lang}.png`) });
            await page.locator("#page figure.chart").last().screenshot({ path: join(SHOTS, `portfolio-chart-last-phone-${lang}.png`) });
          }
        }
        await open(page, `customer/${customerId}`);
        // The sticky top bar would cover the top of an element screenshot.
        await page.addStyleTag({ content: ".topbar { position: static !important; }" });
        await page.locator('[data-testid="explanation"] figure.chart').screenshot({ path: join(SHOTS, `waterfall-${tag}-${lang}.png`) });
        expect(errors).toEqual([]);
        await ctx.close();
      }
    }
  });

  it.skipIf(Boolean(EXTERNAL_URL))("promotes a candidate model only after confirmation", async () => {
    // A candidate lands in the registry the server reads (as the retrain job would put it there).
    const { openDatabase } = await import("../../src/db");
    const { ModelRegistry } = await import("../../src/scoring");
    const { trainFromDatabase } = await import("../../training");
    const db = await openDatabase(`file:${join(dir, "e2e.db")}`, { migrate: false });
    let candidate: string;
    try {
      const r = await trainFromDatabase(db, { out: join(dir, "candidate"), now: new Date(), model: "scorecard", name: "e2e-candidate" });
      candidate = new ModelRegistry(join(dir, "models")).register(r.dir);
    } finally {
      await db.close();
    }
    const before = await api<{ champion: { id: string } }>("/models");
    expect(before.champion.id).not.toBe(candidate);

    const { ctx, page } = await session("zh-CN");
    await open(page, "models");
    const promote = page.locator(`[data-promote="${candidate}"]`);
    await promote.click();
    await page.screenshot({ path: join(SHOTS, "models-promote-dialog-zh-CN.png") });
    await page.locator(".dialog .btn", { hasText: "取消" }).click();
    expect((await api<{ champion: { id: string } }>("/models")).champion.id).toBe(before.champion.id);

    await promote.click();
    await page.click('[data-testid="dialog-confirm"]');
    await expect.poll(async () => (await api<{ champion: { id: string } }>("/models")).champion.id, { timeout: 15_000 }).toBe(candidate);
    // The page reloads its data: the candidate is now the card under "冠军模型".
    await expect.poll(() => page.locator("[data-model]").first().getAttribute("data-model"), { timeout: 15_000 }).toBe(candidate);
    expect(await page.locator("h2.section").first().innerText()).toBe("冠军模型");
    await page.screenshot({ path: join(SHOTS, "models-after-promotion-zh-CN.png"), fullPage: true });
    await ctx.close();
  });

  it("shows only what the key's role may do (GET /me): no promote for an officer, no release/reject for an analyst", async () => {
    const keyFor = async (role: string) => (await api<{ key: string }>("/keys", { method: "POST", body: { name: `e2e-${role}`, role } })).key;
    const [officer, analyst, erp] = [await keyFor("officer"), await keyFor("analyst"), await keyFor("erp")];

    // The admin sees the queue's buttons and, for every non-champion model, a promote button.
    const admin = await session("en");
    await open(admin.page, "orders");
    expect(await admin.page.locator('[data-action="release"]').count()).toBeGreaterThan(0);
    await open(admin.page, "models");
    const promotable = await admin.page.locator("[data-promote]").count();
    // Every model but the champion and rejected ones (the promotion test leaves the former champion here).
    const models = await api<{ models: { status: string }[] }>("/monitoring/models");
    expect(promotable).toBe(models.models.filter((m) => m.status !== "champion" && m.status !== "rejected").length);
    expect(await admin.page.locator('[data-testid="role"]').innerText()).toBe("Role: Administrator");
    await admin.ctx.close();

    // Officer: releases and rejects, but promotes nothing and does not get the analysts' training report.
    const o = await session("zh-CN", undefined, officer);
    await open(o.page, "orders");
    expect(await o.page.locator('[data-testid="role"]').innerText()).toBe("角色：信用专员");
    expect(await o.page.locator('[data-action="release"]').count()).toBeGreaterThan(0);
    expect(await o.page.locator('[data-action="reject"]').count()).toBeGreaterThan(0);
    await open(o.page, "models");
    expect(await o.page.locator("[data-model]").count()).toBeGreaterThan(0);
    expect(await o.page.locator("[data-promote]").count()).toBe(0);
    expect(await o.page.locator('[data-testid="model-report"]').count()).toBe(0);
    expect(await o.page.locator("#page").innerText()).not.toContain("没有保存曲线数据");
    expect(await o.page.locator('[data-testid="error"]').count()).toBe(0);
    await o.page.screenshot({ path: join(SHOTS, "models-officer-zh-CN.png"), fullPage: true });
    expect(o.errors).toEqual([]);
    await o.ctx.close();

    // Analyst: no order queue (a localised "not permitted", not an error), no release/reject, promotion as a request.
    const a = await session("en", undefined, analyst);
    await open(a.page, "orders");
    expect(await a.page.locator('[data-testid="role"]').innerText()).toBe("Role: Analyst");
    expect(await a.page.locator('[data-testid="not-permitted"]').innerText()).toContain("not permitted for your role (Analyst)");
    expect(await a.page.locator('[data-action="release"], [data-action="reject"]').count()).toBe(0);
    expect(await a.page.locator('[data-nav="orders"], [data-nav="collections"]').count()).toBe(0);
    expect(await a.page.locator('[data-testid="error"]').count()).toBe(0);
    await a.page.screenshot({ path: join(SHOTS, "orders-analyst-en.png") });
    await open(a.page, "models");
    expect(await a.page.locator("[data-promote]").count()).toBe(promotable);
    if (promotable) expect(await a.page.locator("[data-promote]").first().innerText()).toBe("Request promotion");
    expect(a.errors).toEqual([]);
    await a.ctx.close();

    // ERP: signs in (the login only calls /me) and sees that the console has nothing for it.
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
    const page = await ctx.newPage();
    await page.goto(`${base}/console/`);
    await page.fill("#api-key", erp);
    await page.click("#login-submit");
    await page.waitForSelector('main[data-ready="true"][data-route="portfolio"]');
    expect(await page.locator('[data-testid="not-permitted"]').innerText()).toContain("无权查看此页面");
    expect(await page.locator("nav.nav a").count()).toBe(0);
    await ctx.close();
  });

  it("shows errors in the user's language, never a stack trace", async () => {
    for (const lang of LANGS) {
      const { ctx, page } = await session(lang);
      await page.goto(`${base}/console/#/customer/NO-SUCH-CUSTOMER`);
      await page.waitForSelector('[data-testid="error"]');
      const text = await page.locator('[data-testid="error"]').innerText();
      expect(text).toContain(lang === "zh-CN" ? "找不到请求的记录。" : "The requested record does not exist.");
      await expectNoStackTrace(page);
      await page.screenshot({ path: join(SHOTS, `error-${lang}.png`) });
      // A bad filter is a validation error, named in the user's language.
      await page.goto(`${base}/console/#/decisions?from=2026-13-45`);
      await page.waitForSelector('[data-testid="error"]');
      expect(await page.locator('[data-testid="error"]').innerText()).toContain(lang === "zh-CN" ? "输入有误" : "Invalid input");
      await expectNoStackTrace(page);
      await ctx.close();
    }
  });
});
