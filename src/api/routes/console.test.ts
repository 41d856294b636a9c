/**
 * The console's HTTP surface in-process, on the real app (createApp + openRuntime, a trained scorecard, the
 * default policy, a seeded demo portfolio): static assets without a key, the read models' contracts and
 * validation problems, and an audited release through the same routes the browser uses.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config";
import { openDatabase, seedDemo, type Database } from "../../db";
import { artifactSource } from "../../decisions";
import { createLogger } from "../../shared";
import { trainFromDatabase } from "../../../training";
import { contract } from "../contract";
import { createApp, openRuntime, startServer, type RunningServer, type Runtime } from "..";

const KEY = "console-route-test-key-0123456789";
const AS_OF = "2026-11-01";
const NOW = new Date("2026-11-01T10:00:00Z");
let dir: string;
let db: Database;
let rt: Runtime;
let server: RunningServer;

interface Res {
  status: number;
  type: string;
  text: string;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function call(method: string, path: string, opts: { body?: unknown; key?: string | null } = {}): Promise<Res> {
  const headers: Record<string, string> = {};
  if (opts.key !== null) headers.authorization = `Bearer ${opts.key ?? KEY}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const r = await fetch(server.url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), redirect: "manual" });
  const text = await r.text();
  const type = r.headers.get("content-type") ?? "";
  return { status: r.status, type, text, headers: r.headers, body: type.includes("json") ? JSON.parse(text) : undefined };
}

function expectProblem(r: Res, status: number, type: string): void {
  expect(r.status).toBe(status);
  expect(r.type).toContain("application/problem+json");
  expect(r.body.type).toBe(`/problems/${type}`);
  expect(contract().issues("Problem", r.body)).toEqual([]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "console-route-"));
  const url = `file:${join(dir, "c.db")}`;
  db = await openDatabase(url);
  await seedDemo(db, { customers: 80, seed: 11, asOf: AS_OF });
  const sc = await trainFromDatabase(db, { out: join(dir, "scorecard"), now: NOW, model: "scorecard", name: "t-console" });
  const config = loadConfig({ DATABASE_URL: url, CREDIT_API_KEY: KEY, POLICY_FILE: "policy/default.yaml", AUDIT_FLUSH_MS: "0", LOG_LEVEL: "silent" });
  const { source, model } = artifactSource([sc.dir], sc.manifest.id, () => NOW);
  rt = await openRuntime(config, { logger: createLogger("test"), db, models: { source, champion: model }, clock: () => NOW });
  server = await startServer(await createApp(rt.ctx), { port: 0, host: "127.0.0.1" });
}, 180_000);

afterAll(async () => {
  await server?.stop(2000);
  await rt?.close();
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("console assets", () => {
  it("serves the page, script and styles without a key", async () => {
    const redirect = await call("GET", "/console", { key: null });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toBe("/console/");
    const page = await call("GET", "/console/", { key: null });
    expect(page.status).toBe(200);
    expect(page.type).toContain("text/html");
    expect(page.text).toContain('<html lang="zh-CN">');
    const js = await call("GET", "/console/app.js", { key: null });
    expect(js.status).toBe(200);
    expect(js.type).toContain("javascript");
    expect(js.text).toContain("信用管理控制台");
    const css = await call("GET", "/console/app.css", { key: null });
    expect(css.text).toContain("Noto Sans CJK SC");
    const etag = js.headers.get("etag")!;
    const again = await fetch(`${server.url}/console/app.js`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  it("keeps the read models behind the key", async () => {
    expectProblem(await call("GET", "/portfolio/summary", { key: null }), 401, "unauthorized");
  });
});

describe("read models", () => {
  it("GET /portfolio/summary conforms to the contract and adds up", async () => {
    const r = await call("GET", `/portfolio/summary?asOf=${AS_OF}&top=5`);
    expect(r.status).toBe(200);
    expect(contract().issues("PortfolioSummary", r.body)).toEqual([]);
    expect(r.body.totals.customers).toBe(80);
    expect(r.body.topExposures).toHaveLength(5);
    const agingTotal = r.body.aging.reduce((a: number, b: { amount: number }) => a + b.amount, 0);
    expect(agingTotal).toBeCloseTo(r.body.totals.exposure, 2);
  });

  it("answers bad query parameters with a validation problem naming the field", async () => {
    const r = await call("GET", "/portfolio/summary?asOf=2026-13-01");
    expectProblem(r, 400, "validation-error");
    expect(r.body.errors[0].path).toBe("/query/asOf");
    const d = await call("GET", "/decisions?outcome=maybe&limit=0");
    expectProblem(d, 400, "validation-error");
    expect(d.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["/query/limit", "/query/outcome"]);
    expectProblem(await call("GET", "/orders?status=lost"), 400, "validation-error");
    expectProblem(await call("GET", "/customers/NOPE/overview"), 404, "not-found");
    expectProblem(await call("GET", "/decisions/NOPE/full"), 404, "not-found");
  });

  it("lists the registry's models with drift and alerts", async () => {
    const r = await call("GET", "/monitoring/models");
    expect(r.status).toBe(200);
    expect(r.body.models[0]).toMatchObject({ id: rt.ctx.models.champion().id, status: "champion" });
    expect(Array.isArray(r.body.drift)).toBe(true);
  });
});

describe("officer actions", () => {
  it("releases a held order with an audited override, once", async () => {
    const top = (await call("GET", `/portfolio/summary?asOf=${AS_OF}&top=1`)).body.topExposures[0];
    const scored = await call("POST", "/score", { body: { customerId: top.customerId, order: { id: "SO-CONSOLE-1", amount: Math.max(1_000_000, (top.limit ?? 0) * 3), currency: "CNY", date: AS_OF } } });
    expect(scored.status).toBe(200);
    // Far above the limit: held, or (for a customer the policy distrusts more) prepayment; both are releasable.
    expect(["hold", "prepay"]).toContain(scored.body.decision);
    const queue = await call("GET", "/orders?status=held,prepay");
    expect(contract().issues("ConsolePage", queue.body)).toEqual([]);
    const item = queue.body.items.find((o: { orderId: string }) => o.orderId === "SO-CONSOLE-1");
    expect(item).toMatchObject({ customerId: top.customerId, decision: scored.body.decision, decisionId: scored.body.decisionId });
    expect(item.rules.map((r: { id: string }) => r.id)).toContain("exposure_over_limit");

    expectProblem(await call("POST", "/orders/SO-CONSOLE-1/release", { body: { reason: "" } }), 400, "validation-error");
    expectProblem(await call("POST", "/orders/SO-CONSOLE-1/release", { body: { reason: "ok", extra: 1 } }), 400, "validation-error");
    expectProblem(await call("POST", "/orders/NO-SUCH-ORDER/release", { body: { reason: "guarantee received" } }), 404, "not-found");
    const r = await call("POST", "/orders/SO-CONSOLE-1/release", { body: { reason: "bank guarantee received" } });
    expect(r.status).toBe(200);
    expect(contract().issues("OrderOverrideResult", r.body)).toEqual([]);
    expect(r.body).toMatchObject({ orderId: "SO-CONSOLE-1", status: "released", decisionId: scored.body.decisionId });
    expectProblem(await call("POST", "/orders/SO-CONSOLE-1/reject", { body: { reason: "too late now" } }), 409, "order-not-overridable");

    const audit = await call("GET", "/overrides?order=SO-CONSOLE-1");
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ action: "release", actor: "env", reason: "bank guarantee received" });
    const full = await call("GET", `/decisions/${scored.body.decisionId}/full`);
    expect(full.body.overrides).toHaveLength(1);
    expect(full.body.explanation.reasons.map((x: { contribution: number }) => x.contribution)).toEqual(scored.body.reasons.map((x: { contribution: number }) => x.contribution));
    expect((await call("GET", "/orders?status=held,prepay")).body.items.map((o: { orderId: string }) => o.orderId)).not.toContain("SO-CONSOLE-1");
  });

  it("validates collection outcomes", async () => {
    expectProblem(await call("POST", "/collections/actions/999999/record", { body: { outcome: "done" } }), 404, "not-found");
    expectProblem(await call("POST", "/collections/actions/1/record", { body: { outcome: "shrug" } }), 400, "validation-error");
    expectProblem(await call("POST", "/collections/actions/abc/record", { body: { outcome: "done" } }), 400, "validation-error");
  });
});
